/**
 * web-llm's web-worker engine: the page keeps a WebWorkerMLCEngine, and a worker of the page's own
 * hosts the engine with a WebWorkerMLCEngineHandler, written as web-llm's web-worker example has it:
 *
 *   // worker.js
 *   import { WebWorkerMLCEngineHandler } from './lite-coder.js';
 *   const handler = new WebWorkerMLCEngineHandler();
 *   self.onmessage = (msg) => { handler.onmessage(msg); };
 *
 *   // page
 *   const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
 *   const engine = await CreateWebWorkerMLCEngine(worker, modelId);
 *
 * The handler runs the engine worker's own handler (workers/engine/handler.ts) in that worker; the
 * two sides speak comlink over the worker's messages.
 */
import * as Comlink from 'comlink';
import type { LogitProcessor, MLCEngineConfig } from '@mlc-ai/web-llm';
import type { EngineWorkerApi } from '../../workers/api';
import { EngineHandler } from '../../workers/engine/handler';
import { installErrorTransfer } from '../../workers/errors';
import type { LiteCoderChatOptions } from './chat-options';
import { LiteCoderEngine } from './engine-client';

/** web-llm's ChatWorker: what a WebWorkerMLCEngine talks through (a Worker, usually). */
export interface ChatWorker {
  onmessage: ((event: MessageEvent) => unknown) | null;
  postMessage(message: unknown, transfer?: Transferable[]): void;
}

type Listener = EventListenerOrEventListenerObject;
const call = (l: Listener, ev: Event) => (typeof l === 'function' ? l(ev) : l.handleEvent(ev));

/** A comlink endpoint over `worker`, which it takes the `onmessage` of (as web-llm's client does). */
function chatWorkerEndpoint(worker: ChatWorker): Comlink.Endpoint {
  const listeners = new Set<Listener>();
  worker.onmessage = (ev: MessageEvent) => {
    for (const l of listeners) call(l, ev);
  };
  return {
    postMessage: (message: unknown, transfer?: Transferable[]) => worker.postMessage(message, transfer ?? []),
    addEventListener: (_type: string, l: Listener) => {
      listeners.add(l);
    },
    removeEventListener: (_type: string, l: Listener) => {
      listeners.delete(l);
    },
  };
}

/** web-llm's WebWorkerMLCEngine: the engine in `worker`, where a WebWorkerMLCEngineHandler serves it. */
export class WebWorkerMLCEngine extends LiteCoderEngine {
  readonly worker: ChatWorker;

  /** engineConfig.logitProcessorRegistry is ignored (with a warning), as in web-llm: register processors in the worker. */
  constructor(worker: ChatWorker, engineConfig?: MLCEngineConfig) {
    const remote = Comlink.wrap<EngineWorkerApi>(chatWorkerEndpoint(worker));
    super(engineConfig, remote, { workerClass: 'WebWorkerMLCEngine' });
    this.worker = worker;
  }
}

/** web-llm's CreateWebWorkerMLCEngine: a WebWorkerMLCEngine over `worker`, with `modelId` loaded. */
export async function CreateWebWorkerMLCEngine(
  worker: ChatWorker,
  modelId: string | string[],
  engineConfig?: MLCEngineConfig,
  chatOpts?: LiteCoderChatOptions | LiteCoderChatOptions[],
): Promise<WebWorkerMLCEngine> {
  const engine = new WebWorkerMLCEngine(worker, engineConfig);
  await engine.reload(modelId, chatOpts);
  return engine;
}

/**
 * web-llm's WebWorkerMLCEngineHandler: create it in a dedicated worker and pass it the worker's
 * messages (`self.onmessage = (msg) => handler.onmessage(msg)`); it answers with the worker's
 * postMessage. Its engine (the model store and the GPU runtime) lives in that worker.
 */
export class WebWorkerMLCEngineHandler {
  /** the engine this worker hosts, as the page reaches it */
  readonly engine: EngineWorkerApi;
  private readonly host: EngineHandler;
  private readonly listeners = new Set<Listener>();

  constructor() {
    installErrorTransfer(Comlink);
    this.host = new EngineHandler();
    this.engine = this.host;
    Comlink.expose(this.host, {
      postMessage: (message: unknown, transfer?: Transferable[]) => this.postMessage(message, transfer),
      addEventListener: (_type: string, l: Listener) => {
        this.listeners.add(l);
      },
      removeEventListener: (_type: string, l: Listener) => {
        this.listeners.delete(l);
      },
    });
  }

  /** Sends a message to the page (the worker's own postMessage). */
  postMessage(message: unknown, transfer: Transferable[] = []): void {
    (globalThis as unknown as DedicatedWorkerGlobalScope).postMessage(message, transfer);
  }

  /** Logit processors by model id, for the models this worker loads (web-llm's logit-processor example). */
  setLogitProcessorRegistry(registry?: Map<string, LogitProcessor>): void {
    this.host.setLogitProcessorRegistry(registry);
  }

  /** One message from the page (a MessageEvent, or its data). */
  onmessage(event: unknown): void {
    const ev = event instanceof MessageEvent ? event : new MessageEvent('message', { data: event });
    for (const l of this.listeners) call(l, ev);
  }
}
