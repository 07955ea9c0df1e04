/**
 * The harness pages' handle on the test engine worker (test-engine.worker.ts), and an engine client
 * over it, so a test's client and its direct worker calls reach the same worker.
 */
import { LiteCoderEngine } from '../../src/api/engine-client';
import { Comlink } from '../../src/engine';
import type { TestEngineHandler } from './test-engine.worker';

let remote: Comlink.Remote<TestEngineHandler> | undefined;

export function engine(): Comlink.Remote<TestEngineHandler> {
  remote ??= Comlink.wrap<TestEngineHandler>(
    new Worker(new URL('./test-engine.worker.ts', import.meta.url), { type: 'module', name: 'lite-coder-test-engine' }),
  );
  return remote;
}

/** The web-llm-shaped client of src/api/engine-client.ts, on the test worker. */
export class HarnessEngine extends LiteCoderEngine {
  constructor() {
    super(undefined, engine());
  }
}
