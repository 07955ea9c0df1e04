// The UI's handle on the engine worker. Every call is asynchronous; the UI thread never does heavy work.
import * as Comlink from 'comlink';
import type { EngineWorkerApi } from '../workers/api';
import { installErrorTransfer } from '../workers/errors';

installErrorTransfer(Comlink);

let remote: Comlink.Remote<EngineWorkerApi> | undefined;

export function engine(): Comlink.Remote<EngineWorkerApi> {
  remote ??= Comlink.wrap<EngineWorkerApi>(
    new Worker(new URL('../workers/engine.worker.ts', import.meta.url), { type: 'module', name: 'lite-coder-engine' }),
  );
  return remote;
}

export { Comlink };
