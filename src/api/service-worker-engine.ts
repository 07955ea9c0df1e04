/**
 * web-llm's service-worker engine: one engine, hosted by the origin's service worker, serves every tab
 * (a second tab finds the model already loaded). WebGPU runs in service workers in Chromium (since
 * 124), so the service worker hosts the whole engine, as in web-llm:
 *
 *   // sw.js (registered with { type: 'module' })
 *   import { ServiceWorkerMLCEngineHandler } from './lite-coder.js';
 *   new ServiceWorkerMLCEngineHandler();
 *
 *   // page
 *   const engine = await CreateServiceWorkerMLCEngine(modelId, { initProgressCallback });
 *
 * Each page connects with a MessageChannel of its own (comlink over it) and keeps the worker alive
 * with a heartbeat every keepAliveMs, as web-llm's does. The worker loads a model once for all tabs:
 * a reload() of the model and options already loaded (or loading) joins it. A tab that closes while
 * its request streams ends that request. If the browser stops the worker, the tab notices at the next
 * heartbeat (the worker's instance changed), fails the calls in flight with ServiceWorkerRestartedError,
 * connects again, and reloads its model before its next request (web-llm's reloadIfUnmatched).
 */
import * as Comlink from 'comlink';
import type { MLCEngineConfig } from '@mlc-ai/web-llm';
import type { EngineWorkerApi, LoadedModel, LoadRequest, LogitProcessorLike, PrefillProgress } from '../../workers/api';
import { EngineHandler } from '../../workers/engine/handler';
import { installErrorTransfer, ServiceWorkerRestartedError } from '../../workers/errors';
import type { LiteCoderChatOptions } from './chat-options';
import { LiteCoderEngine, type Current, type EngineRemote } from './engine-client';
import { noServiceWorkerApi, notInWorker, serviceWorkerNotActive } from './errors';
import { log } from './log';

/** The messages a page sends the service worker (the engine's own traffic goes over the page's port). */
const CONNECT = 'lite-coder:connect';
const KEEP_ALIVE = 'keepAlive';
const HEARTBEAT = 'heartbeat';

type Message =
  | { kind: typeof CONNECT }
  | { kind: typeof KEEP_ALIVE; uuid: string }
  | { kind: typeof HEARTBEAT; uuid: string; instance: string };

const isMessage = (d: unknown): d is Message =>
  typeof d === 'object' && d !== null && typeof (d as { kind?: unknown }).kind === 'string';

// --- in the service worker ---

/**
 * The engine all tabs share: a load of what is loaded already (same model and options) returns it,
 * and one of what is being loaded joins that load.
 */
class SharedEngineHandler extends EngineHandler {
  private last: { key: string; load: Promise<LoadedModel> } | undefined;

  override async loadModel(
    modelId: string,
    opts: LoadRequest,
    onProgress: (done: number, total: number) => void,
    processor?: LogitProcessorLike,
  ): Promise<LoadedModel> {
    const { name: _name, ...rest } = opts;
    const key = JSON.stringify([modelId, Object.entries(rest).sort(([a], [b]) => a.localeCompare(b))]);
    if (!processor && this.last?.key === key) {
      try {
        const m = await this.last.load;
        if ((await this.loadedModel())?.modelId === modelId) return m;
      } catch {
        // That load failed or was cancelled: this one loads anew.
      }
    }
    const load = super.loadModel(modelId, opts, onProgress, processor);
    const entry = { key, load };
    this.last = entry;
    load.catch(() => {
      if (this.last === entry) this.last = undefined;
    });
    return load;
  }

  override unloadModel(): Promise<void> {
    this.last = undefined;
    return super.unloadModel();
  }
}

/**
 * `shared`, as one page's connection sees it: a chunk for a page that has gone (closed tab) counts as
 * refused, so its request ends instead of waiting forever on a port nobody reads.
 */
function connectionFor(
  shared: SharedEngineHandler,
  clientId: string,
  scope: ServiceWorkerGlobalScope,
): EngineWorkerApi {
  type Emit<C> = (c: C) => boolean | void | Promise<boolean | void>;
  const delivered =
    <C>(emit: Emit<C>) =>
    async (c: C): Promise<boolean | void> => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const gone = new Promise<false>((resolve) => {
        const check = () => {
          void scope.clients.get(clientId).then((c) => {
            if (!c) resolve(false);
            else timer = setTimeout(check, 1000);
          });
        };
        timer = setTimeout(check, 1000);
      });
      try {
        return await Promise.race([Promise.resolve(emit(c)), gone]);
      } finally {
        clearTimeout(timer);
      }
    };
  // a tab that has closed does not hold up a prefill's progress either
  const progressOf =
    (report: PrefillProgress) =>
    async (done: number, total: number): Promise<void> => {
      await delivered((p: [number, number]) => report(...p))([done, total]);
    };
  const own: Partial<EngineWorkerApi> = {
    chatCompletion: (req, onChunk, onPrefill) =>
      shared.chatCompletion(req, onChunk && delivered(onChunk), onPrefill && progressOf(onPrefill)),
    completion: (req, onChunk, onPrefill) =>
      shared.completion(req, onChunk && delivered(onChunk), onPrefill && progressOf(onPrefill)),
  };
  return new Proxy(shared, {
    get(target, prop, receiver) {
      if (typeof prop === 'string' && Object.hasOwn(own, prop)) return own[prop as keyof EngineWorkerApi];
      const v: unknown = Reflect.get(target, prop, receiver);
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

/**
 * web-llm's ServiceWorkerMLCEngineHandler: create it when the service worker script starts (its
 * listener must be there from the first event). Throws NonWorkerEnvironmentError outside a service worker.
 */
export class ServiceWorkerMLCEngineHandler {
  /** the engine this service worker hosts for every tab */
  readonly engine: EngineWorkerApi;
  /** this run of the service worker: a page that sees it change knows the worker was restarted */
  private readonly instance = crypto.randomUUID();
  private readonly shared: SharedEngineHandler;

  constructor() {
    if (typeof ServiceWorkerGlobalScope === 'undefined' || !(globalThis instanceof ServiceWorkerGlobalScope)) {
      throw notInWorker('ServiceWorkerMLCEngineHandler');
    }
    installErrorTransfer(Comlink);
    this.shared = new SharedEngineHandler();
    this.engine = this.shared;
    (globalThis as unknown as ServiceWorkerGlobalScope).addEventListener('message', (event) => this.onmessage(event));
  }

  /**
   * One message event of the service worker (an ExtendableMessageEvent): a page connecting, or its
   * heartbeat. Others are left alone. (Typed by what it reads, so the declarations need no WebWorker lib.)
   */
  onmessage(event: { readonly data: unknown; readonly ports: readonly MessagePort[]; readonly source: unknown }): void {
    const data: unknown = event.data;
    if (!isMessage(data)) return;
    const scope = globalThis as unknown as ServiceWorkerGlobalScope;
    const source = event.source as Client | null;
    if (data.kind === CONNECT && event.ports[0] && source) {
      Comlink.expose(connectionFor(this.shared, source.id, scope), event.ports[0]);
    } else if (data.kind === KEEP_ALIVE && source) {
      const reply: Message = { kind: HEARTBEAT, uuid: data.uuid, instance: this.instance };
      source.postMessage(reply);
    }
  }
}

// --- in the page ---

/** The engine worker's methods the page calls (those of EngineRemote). */
const METHODS = [
  'chatCompletion',
  'completion',
  'listModels',
  'loadModel',
  'unloadModel',
  'loadedModel',
  'interruptGenerate',
  'resetChat',
  'importModel',
  'cancelImport',
  'adapterSummary',
  'forwardTokensAndSample',
  'runtimeStats',
  'deleteModel',
] as const satisfies readonly (keyof EngineWorkerApi)[];

interface Connection {
  remote: Comlink.Remote<EngineWorkerApi>;
  port: MessagePort;
  /** rejects when the connection is found broken */
  broken: Promise<never>;
  break(error: Error): void;
  /** the service worker's instance, from its first heartbeat */
  instance?: string;
}

/** The page's link to the service worker: a connection, kept alive, made again if the worker restarts. */
class ServiceWorkerLink {
  readonly remote: EngineRemote & Pick<Comlink.Remote<EngineWorkerApi>, 'deleteModel'>;
  missedHeartbeat = 0;
  private conn: Connection;

  constructor(keepAliveMs: number) {
    this.conn = this.connect();
    const remote: Record<string, unknown> = {};
    for (const m of METHODS) {
      remote[m] = (...args: unknown[]) => {
        const c = this.conn;
        const method = c.remote[m] as unknown as (...a: unknown[]) => Promise<unknown>;
        return Promise.race([method(...args), c.broken]);
      };
    }
    this.remote = remote as unknown as ServiceWorkerLink['remote'];
    navigator.serviceWorker.addEventListener('message', (e) => this.onHeartbeat(e.data));
    navigator.serviceWorker.startMessages();
    this.beat();
    setInterval(() => this.beat(), keepAliveMs);
  }

  private connect(): Connection {
    const { port1, port2 } = new MessageChannel();
    let fail: (e: Error) => void = () => {};
    const broken = new Promise<never>((_, reject) => {
      fail = reject;
    });
    broken.catch(() => {});
    const remote = Comlink.wrap<EngineWorkerApi>(port1);
    const conn: Connection = { remote, port: port1, broken, break: (e) => fail(e) };
    void navigator.serviceWorker.ready.then((reg) => {
      const sw = reg.active;
      if (!sw) {
        conn.break(serviceWorkerNotActive());
        return;
      }
      const hello: Message = { kind: CONNECT };
      sw.postMessage(hello, [port2]);
    });
    return conn;
  }

  private beat(): void {
    this.missedHeartbeat++;
    void navigator.serviceWorker.ready.then((reg) => {
      const msg: Message = { kind: KEEP_ALIVE, uuid: crypto.randomUUID() };
      reg.active?.postMessage(msg);
    });
  }

  private onHeartbeat(data: unknown): void {
    if (!isMessage(data) || data.kind !== HEARTBEAT) return;
    this.missedHeartbeat = 0;
    const c = this.conn;
    if (c.instance === undefined) {
      c.instance = data.instance;
      return;
    }
    if (c.instance === data.instance) return;
    // The browser stopped and restarted the worker: the old port leads nowhere.
    log.warn('The service worker was restarted: connecting again; the model is reloaded before the next request.');
    c.break(
      new ServiceWorkerRestartedError(
        'The service worker that hosts the engine was restarted during this call; ' + 'try it again.',
      ),
    );
    c.port.close();
    this.conn = this.connect();
    this.conn.instance = data.instance;
  }
}

/**
 * web-llm's ServiceWorkerMLCEngine: the engine the origin's service worker hosts (a
 * ServiceWorkerMLCEngineHandler), shared with every tab. Throws NoServiceWorkerAPIError where the
 * browser has no service workers (or the page is not a secure context).
 */
export class ServiceWorkerMLCEngine extends LiteCoderEngine {
  private readonly link: ServiceWorkerLink;

  constructor(engineConfig?: MLCEngineConfig, keepAliveMs = 10_000) {
    if (!('serviceWorker' in navigator)) throw noServiceWorkerApi();
    const link = new ServiceWorkerLink(keepAliveMs);
    super(engineConfig, link.remote, { workerClass: 'ServiceWorkerMLCEngine', shared: true });
    this.link = link;
  }

  /** Heartbeats sent since the service worker last answered one (web-llm's field). */
  get missedHeartbeat(): number {
    return this.link.missedHeartbeat;
  }

  /**
   * Before a request: if the worker no longer holds this tab's model (it was restarted, or another tab
   * loaded another), load it again (web-llm's reloadIfUnmatched).
   */
  protected override async forRequest(requestName: string, model: string | null | undefined): Promise<Current> {
    const c = await super.forRequest(requestName, model);
    if ((await this.remote.loadedModel())?.modelId !== c.storedId) {
      log.warn(`The service worker does not hold ${c.id} any more: loading it again.`);
      await this.remote.loadModel(
        c.storedId,
        { ...c.load, name: c.id },
        Comlink.proxy(() => {}),
      );
    }
    return c;
  }
}

/**
 * web-llm's CreateServiceWorkerMLCEngine: waits for the page's service worker to be active, then
 * connects and loads `modelId` (at once, if another tab has it loaded with the same options).
 */
export async function CreateServiceWorkerMLCEngine(
  modelId: string | string[],
  engineConfig?: MLCEngineConfig,
  chatOpts?: LiteCoderChatOptions | LiteCoderChatOptions[],
  keepAliveMs = 10_000,
): Promise<ServiceWorkerMLCEngine> {
  if (!('serviceWorker' in navigator)) throw noServiceWorkerApi();
  const reg = await navigator.serviceWorker.ready;
  if (!reg.active && !navigator.serviceWorker.controller) throw serviceWorkerNotActive();
  const engine = new ServiceWorkerMLCEngine(engineConfig, keepAliveMs);
  await engine.reload(modelId, chatOpts);
  return engine;
}
