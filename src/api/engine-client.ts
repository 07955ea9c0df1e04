/**
 * web-llm's MLCEngineInterface over our engine worker: the one door to the engine for the in-page API
 * (src/api/index.ts: MLCEngine, WebWorkerMLCEngine, ServiceWorkerMLCEngine), the chat and the widget
 * alike. Requests are checked in the worker (workers/engine/validate.ts); what web-llm decides on the
 * engine side of its API lives here: which model an id names (the app config, imported on first use),
 * ChatOptions, the loaded model's id in responses and errors, getMessage, runtimeStatsText, the logit
 * processor registry, and web-llm's error names for calls the engine's state does not allow.
 * Additions: models.list() (the stored models) and loadedModel() (what is on the GPU now).
 */
import * as Comlink from 'comlink';
import type {
  AppConfig,
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionRequest,
  ChatCompletionRequestBase,
  ChatCompletionRequestNonStreaming,
  ChatCompletionRequestStreaming,
  Completion,
  CompletionCreateParams,
  CompletionCreateParamsBase,
  CompletionCreateParamsNonStreaming,
  CompletionCreateParamsStreaming,
  CreateEmbeddingResponse,
  EmbeddingCreateParams,
  InitProgressCallback,
  LogitProcessor,
  LogLevel,
  MLCEngineConfig,
  MLCEngineInterface,
  ModelRecord,
  ResumeChatCompletionOptions,
  ResumeProbeResult,
  ResumeResult,
  Chat,
  Completions,
  Embeddings,
} from '@mlc-ai/web-llm';
import type { EngineWorkerApi, LoadedModel, LoadRequest, LogitProcessorLike } from '../../workers/api';
import type { ImportProgress, ModelSummary } from '../../workers/store/types';
import { findRecord, prebuiltAppConfig, recordUrl } from './app-config';
import { storedFrom } from './cache';
import { readChatOptions, withDefaults, type LiteCoderChatOptions, type RequestDefaults } from './chat-options';
import {
  featureUnsupported,
  modelNotLoaded,
  modelRecordNotFound,
  multipleModelsUnsupported,
  notAnEmbeddingModel,
  reloadArgumentSizeUnmatched,
  reloadModelIdNotUnique,
  specifiedModelNotFound,
  unsupportedFields,
  webGpuNotAvailable,
  workerEngineModelNotLoaded,
} from './errors';
import { AbortError } from '../../workers/errors';
import { log, setLogLevel } from './log';
import { streamOf } from './stream';

/** What the client needs of the engine worker (a comlink remote, or an object that behaves as one). */
export type EngineRemote = Pick<
  Comlink.Remote<EngineWorkerApi>,
  | 'chatCompletion'
  | 'completion'
  | 'listModels'
  | 'loadModel'
  | 'unloadModel'
  | 'loadedModel'
  | 'interruptGenerate'
  | 'resetChat'
  | 'importModel'
  | 'cancelImport'
  | 'adapterSummary'
  | 'forwardTokensAndSample'
  | 'runtimeStats'
>;

/** How a client reaches its engine, which changes a few of web-llm's behaviours. */
export interface ClientKind {
  /** the class name web-llm's WorkerEngineModelNotLoadedError names; absent: an MLCEngine */
  workerClass?: string;
  /** the engine serves other clients too (a service worker): reload() does not unload it first */
  shared?: boolean;
}

/** The model this client loaded, as it asked for it. */
export interface Current {
  /** the id it was loaded by (an app-config model_id, or a stored model's id): responses carry it */
  id: string;
  storedId: string;
  load: LoadRequest;
  defaults: RequestDefaults;
}

/** A request's prefill progress: prompt tokens processed (the KV cache's reused prefix included) and the prompt's length. */
export type PrefillProgressCallback = (report: { done: number; total: number }) => void;

export class LiteCoderEngine implements MLCEngineInterface {
  readonly chat: Chat;
  readonly completions: Completions;
  readonly embeddings: Embeddings;
  /** The stored models that are whole (a Lite Coder addition; importModel() adds to them). */
  readonly models = {
    list: async (): Promise<ModelSummary[]> => (await this.remote.listModels()).filter((m) => m.state === 'ready'),
  };

  private appConfig: AppConfig;
  private progress: InitProgressCallback | undefined;
  private prefill: PrefillProgressCallback | undefined;
  private logitProcessorRegistry: Map<string, LogitProcessor> | undefined;
  private current: Current | undefined;
  private reloading: AbortController | undefined;
  /** the text of the last (or running) request's reply, for getMessage() */
  private message = '';

  /**
   * @param engineConfig web-llm's MLCEngineConfig: appConfig (default prebuiltAppConfig),
   *   initProgressCallback, logLevel, logitProcessorRegistry (ignored by worker clients, as in web-llm)
   * @param remote the engine worker
   */
  constructor(
    engineConfig: MLCEngineConfig | undefined,
    protected readonly remote: EngineRemote,
    private readonly kind: ClientKind = {},
  ) {
    this.appConfig = engineConfig?.appConfig ?? prebuiltAppConfig;
    if (engineConfig?.logLevel) this.setLogLevel(engineConfig.logLevel);
    this.progress = engineConfig?.initProgressCallback;
    if (engineConfig?.logitProcessorRegistry) {
      if (kind.workerClass) {
        log.warn(
          `The logitProcessorRegistry of engineConfig is ignored by ${kind.workerClass}: register the processors ` +
            'with the handler in the worker (setLogitProcessorRegistry).',
        );
      } else {
        this.logitProcessorRegistry = engineConfig.logitProcessorRegistry;
      }
    }
    // web-llm's Chat, Completions and Embeddings are classes whose only state is the engine: these
    // objects do what theirs do (call the engine), and carry their types.
    this.chat = {
      completions: { create: (req: ChatCompletionRequest) => this.chatCompletion(req) },
    } as unknown as Chat;
    this.completions = { create: (req: CompletionCreateParams) => this.completion(req) } as unknown as Completions;
    this.embeddings = { create: (req: EmbeddingCreateParams) => this.embedding(req) } as unknown as Embeddings;
  }

  // --- configuration ---

  setAppConfig(appConfig: AppConfig): void {
    this.appConfig = appConfig;
  }

  setInitProgressCallback(cb: InitProgressCallback | undefined): void {
    this.progress = cb;
  }

  getInitProgressCallback(): InitProgressCallback | undefined {
    return this.progress;
  }

  /** Logit processors by model id, used by the models loaded after this call (web-llm's MLCEngine method). */
  setLogitProcessorRegistry(registry: Map<string, LogitProcessor> | undefined): void {
    this.logitProcessorRegistry = registry;
  }

  /**
   * Follow the prefill of the requests made after this (a Lite Coder addition; web-llm has none): a
   * long prompt reports its progress after each step, from before the first to done = total.
   */
  setPrefillProgressCallback(cb: PrefillProgressCallback | undefined): void {
    this.prefill = cb;
  }

  private prefillProxy() {
    const cb = this.prefill;
    return cb ? Comlink.proxy((done: number, total: number) => cb({ done, total })) : undefined;
  }

  /** web-llm's log levels ("TRACE" ... "SILENT"); throws a TypeError for another. */
  setLogLevel(logLevel: LogLevel): void {
    setLogLevel(logLevel);
  }

  // --- loading ---

  /**
   * Load a model: an app-config model_id (its file is imported into the origin's store the first time,
   * with progress through the init-progress callback, as web-llm downloads on first use), or the id of
   * a stored model. `chatOpts` is web-llm's ChatOptions (context_window_size, sampling defaults), with
   * Lite Coder's load options (expertBudgetMB, ...) alongside. Unloads what was loaded first, as
   * web-llm does (a service-worker engine keeps a model other tabs use if it is the same).
   */
  async reload(modelId: string | string[], chatOpts?: LiteCoderChatOptions | LiteCoderChatOptions[]): Promise<void> {
    if (this.kind.shared) this.abortReload();
    else await this.unload();
    this.current = undefined;
    const ids = Array.isArray(modelId) ? modelId : [modelId];
    const opts = chatOpts === undefined ? undefined : Array.isArray(chatOpts) ? chatOpts : [chatOpts];
    if (opts && opts.length !== ids.length) throw reloadArgumentSizeUnmatched(ids.length, opts.length);
    if (new Set(ids).size < ids.length) throw reloadModelIdNotUnique(ids);
    if (ids.length !== 1) throw multipleModelsUnsupported(ids);
    const id = ids[0]!;
    const record = findRecord(this.appConfig, id);
    // The import checks every stored record's SHA-256, not a file's SRI hash: refuse rather than skip the check.
    if (record?.integrity) throw unsupportedFields(['integrity'], 'ModelRecord');
    const { load, defaults } = readChatOptions(opts?.[0], record?.overrides);
    const abort = (this.reloading = new AbortController());
    const started = performance.now();
    const report = (progress: number, text: string) =>
      this.progress?.({ progress, timeElapsed: (performance.now() - started) / 1000, text });
    try {
      const storedId = record ? await this.storedOrImported(record, abort.signal, report) : await this.stored(id);
      const processor = this.kind.workerClass ? undefined : this.logitProcessorRegistry?.get(id);
      // An unload() during the import: the load must not start after it (nothing awaits from here to the call).
      if (abort.signal.aborted) throw new AbortError('The load was cancelled by a later load or unload.');
      const loaded = await this.remote.loadModel(
        storedId,
        { ...load, name: id },
        Comlink.proxy((done: number, total: number) => {
          report(done / total, `Loading weights onto the GPU: ${done} of ${total}`);
        }),
        processor ? Comlink.proxy(processorLike(processor)) : undefined,
      );
      if (load.contextLength && loaded.contextLength < load.contextLength) {
        log.warn(
          `context_window_size ${load.contextLength} is more than this device's KV cache reserve holds: ` +
            `the context is ${loaded.contextLength} tokens.`,
        );
      }
      this.current = { id, storedId, load, defaults };
      const gpu = (await this.remote.adapterSummary())?.adapter;
      report(1, `Finish loading on WebGPU - ${gpu?.description || gpu?.vendor || ''}`);
    } finally {
      if (this.reloading === abort) this.reloading = undefined;
    }
  }

  /** Unload the model (a reload() in progress is cancelled: it rejects with an AbortError). */
  async unload(): Promise<void> {
    this.abortReload();
    this.current = undefined;
    await this.remote.unloadModel();
  }

  /** The model on the GPU now (its context length, resident or paged), if any: a Lite Coder addition. */
  loadedModel(): Promise<LoadedModel | undefined> {
    return this.remote.loadedModel();
  }

  // --- requests ---

  chatCompletion(request: ChatCompletionRequestNonStreaming): Promise<ChatCompletion>;
  chatCompletion(request: ChatCompletionRequestStreaming): Promise<AsyncIterable<ChatCompletionChunk>>;
  chatCompletion(request: ChatCompletionRequestBase): Promise<AsyncIterable<ChatCompletionChunk> | ChatCompletion>;
  async chatCompletion(request: ChatCompletionRequest): Promise<AsyncIterable<ChatCompletionChunk> | ChatCompletion> {
    const current = await this.forRequest('ChatCompletionRequest', request.model);
    if (request.extra_body?.resumable?.enabled)
      throw unsupportedFields(['extra_body.resumable'], 'ChatCompletionRequest');
    const req = withDefaults(request, current.defaults);
    this.message = '';
    if (req.stream) {
      return streamOf<ChatCompletionChunk>(
        (onChunk) => this.remote.chatCompletion(req, onChunk, this.prefillProxy()),
        (c) => {
          c.model = current.id;
          this.message += c.choices[0]?.delta.content ?? '';
        },
      );
    }
    const r = (await this.remote.chatCompletion(req, undefined, this.prefillProxy())) as ChatCompletion;
    r.model = current.id;
    this.message = r.choices.at(-1)?.message.content ?? '';
    return r;
  }

  completion(request: CompletionCreateParamsNonStreaming): Promise<Completion>;
  completion(request: CompletionCreateParamsStreaming): Promise<AsyncIterable<Completion>>;
  completion(request: CompletionCreateParamsBase): Promise<AsyncIterable<Completion> | Completion>;
  async completion(request: CompletionCreateParams): Promise<AsyncIterable<Completion> | Completion> {
    const current = await this.forRequest('CompletionCreateParams', request.model);
    const req = withDefaults(request, current.defaults);
    this.message = '';
    if (req.stream) {
      return streamOf<Completion>(
        (onChunk) => this.remote.completion(req, onChunk, this.prefillProxy()),
        (c) => {
          c.model = current.id;
          this.message += c.choices[0]?.text ?? '';
        },
      );
    }
    const r = (await this.remote.completion(req, undefined, this.prefillProxy())) as Completion;
    r.model = current.id;
    this.message = r.choices.at(-1)?.text ?? '';
    return r;
  }

  /** DeepSeek-Coder-V2-Lite has no embedding head: web-llm's error for a chat model, once the checks before it pass. */
  async embedding(request: EmbeddingCreateParams): Promise<CreateEmbeddingResponse> {
    const current = await this.forRequest('EmbeddingCreateParams', request.model);
    throw notAnEmbeddingModel(current.id);
  }

  /** The text of the last reply (the running one's so far, when streaming). */
  async getMessage(modelId?: string): Promise<string> {
    this.selected('getMessage', modelId);
    return this.message;
  }

  /** web-llm's text: prefill and decoding speeds since the chat was last reset without keepStats. */
  async runtimeStatsText(modelId?: string): Promise<string> {
    this.selected('runtimeStatsText', modelId);
    const s = await this.remote.runtimeStats();
    return (
      `prefill: ${(s.prefillTokens / s.prefillSeconds).toFixed(4)} tokens/sec, ` +
      `decoding: ${(s.decodeTokens / s.decodeSeconds).toFixed(4)} tokens/sec`
    );
  }

  /**
   * Feed `inputIds` after what the KV cache holds and sample the next token, with the ChatOptions'
   * sampling defaults (and the model's logit processor, if registered). The token is not fed: pass it
   * in the next call. `isPrefill` only says which runtime stats count the call.
   */
  async forwardTokensAndSample(inputIds: number[], isPrefill: boolean, modelId?: string): Promise<number> {
    const current = this.selected('forwardTokensAndSample', modelId);
    const { temperature, top_p, repetition_penalty } = current.defaults;
    return this.remote.forwardTokensAndSample(inputIds, isPrefill, {
      ...(temperature !== undefined ? { temperature } : {}),
      ...(top_p !== undefined ? { top_p } : {}),
      ...(repetition_penalty !== undefined ? { repetition_penalty } : {}),
    });
  }

  /** Stops the running generation after the token in progress. */
  interruptGenerate(): void {
    void this.remote.interruptGenerate();
  }

  /** Forgets the conversation (and the runtime stats unless keepStats); nothing to do with no model loaded. */
  async resetChat(keepStats = false, modelId?: string): Promise<void> {
    if (modelId !== undefined && this.current) this.selected('resetChat', modelId);
    await this.remote.resetChat(keepStats);
  }

  /** The adapter's vendor (e.g. "nvidia", "apple"; "" when the browser does not say). */
  async getGPUVendor(): Promise<string> {
    const p = await this.remote.adapterSummary();
    if (!p?.adapter) throw webGpuNotAvailable();
    return p.adapter.vendor;
  }

  /** The adapter's maxStorageBufferBindingSize, in bytes. */
  async getMaxStorageBufferBindingSize(): Promise<number> {
    const p = await this.remote.adapterSummary();
    if (!p?.limits) throw webGpuNotAvailable();
    return p.limits.maxStorageBufferBindingSize;
  }

  // --- web-llm's resumable generation: never enabled here (extra_body.resumable is refused), so no session exists ---

  async listResumableSessions(): Promise<ResumeProbeResult[]> {
    return [];
  }

  async resumeChatCompletion(
    sessionId: string,
    _options?: ResumeChatCompletionOptions,
  ): Promise<ResumeResult | AsyncIterable<ChatCompletionChunk>> {
    throw new Error(`Resumable session not found: ${sessionId}`);
  }

  async deleteResumableSession(_sessionId: string): Promise<void> {}

  // --- helpers ---

  /**
   * The loaded model for a request; a worker client reports a missing model as web-llm's
   * WorkerEngineModelNotLoadedError. Subclasses may first make sure their engine still holds it.
   */
  protected async forRequest(requestName: string, model: string | null | undefined): Promise<Current> {
    if (!this.current && this.kind.workerClass) throw workerEngineModelNotLoaded(this.kind.workerClass);
    return this.selected(requestName, model);
  }

  /** web-llm's getModelIdToUse: the loaded model, if `model` (when given) names it. */
  protected selected(requestName: string, model?: string | null): Current {
    const c = this.current;
    if (!c) throw modelNotLoaded(requestName);
    if (model && model !== c.id && model !== c.storedId) throw specifiedModelNotFound([c.id], model, requestName);
    return c;
  }

  /** The model this client loaded and how (for subclasses that check their engine still has it). */
  protected get loaded(): Current | undefined {
    return this.current;
  }

  private abortReload(): void {
    if (!this.reloading) return;
    this.reloading.abort();
    this.reloading = undefined;
  }

  /** A stored model's id, checked: web-llm's ModelNotFoundError if there is none of that id. */
  private async stored(id: string): Promise<string> {
    if (!(await this.remote.listModels()).some((m) => m.id === id)) throw modelRecordNotFound(id);
    return id;
  }

  /** The stored model of an app-config record, imported from its URL first if it is not stored whole. */
  private async storedOrImported(
    record: ModelRecord,
    signal: AbortSignal,
    report: (progress: number, text: string) => void,
  ): Promise<string> {
    await this.checkFeatures(record);
    const url = recordUrl(record);
    const ready = storedFrom(await this.remote.listModels(), url).find((m) => m.state === 'ready');
    if (ready) return ready.id;
    const cancel = () => {
      void this.remote.cancelImport();
    };
    signal.addEventListener('abort', cancel);
    try {
      const m = await this.remote.importModel(
        { kind: 'url', url },
        Comlink.proxy((p: ImportProgress) => {
          report(p.bytesTotal > 0 ? p.bytesDone / p.bytesTotal : 0, importText(record.model_id, p));
        }),
      );
      return m.id;
    } finally {
      signal.removeEventListener('abort', cancel);
    }
  }

  /** web-llm's check of a record's required_features (this engine can tell shader-f16 and subgroups). */
  private async checkFeatures(record: ModelRecord): Promise<void> {
    const wanted = record.required_features ?? [];
    if (wanted.length === 0) return;
    const f = (await this.remote.adapterSummary())?.features;
    for (const feature of wanted) {
      const has = feature === 'shader-f16' ? f?.shaderF16 : feature === 'subgroups' ? f?.subgroups : undefined;
      if (has === false) throw featureUnsupported(feature);
      if (has === undefined)
        log.warn(`required_features: cannot tell whether the GPU has "${feature}"; loading anyway.`);
    }
  }
}

/** The init-progress text of a first-use import, in web-llm's manner. */
function importText(modelId: string, p: ImportProgress): string {
  const gb = (n: number) => `${(n / 1e9).toFixed(2)} GB`;
  const pct = p.bytesTotal > 0 ? Math.floor((100 * p.bytesDone) / p.bytesTotal) : 0;
  return (
    `Fetching ${modelId} (${p.phase}): ${gb(p.bytesDone)} of ${gb(p.bytesTotal)}, ${pct}% completed. ` +
    'It is stored in this browser the first time; later loads read it from there.'
  );
}

/** A page's LogitProcessor as the worker calls it, across comlink. */
function processorLike(p: LogitProcessor): LogitProcessorLike {
  return {
    processLogits: (logits) => p.processLogits(logits),
    processSampledToken: (id) => p.processSampledToken(id),
    resetState: () => p.resetState(),
  };
}
