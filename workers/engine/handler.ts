/**
 * The engine worker's one handler (as web-llm's WebWorkerMLCEngineHandler): it holds the worker's
 * state (the loaded engine, the running request, the running import) and enforces its rules.
 *
 * Loads, unloads, resets and requests run one at a time, in the order they were called, with these
 * outcomes: the later of two loads wins (the earlier one rejects with an AbortError and destroys what
 * it had made); a load or an unload ends the running request (finish reason "abort") and rejects the
 * requests still queued before it (AbortError); resetChat ends the running request and then forgets
 * the conversation; interruptGenerate, and a new request, end the running request after the token in
 * progress, or within one step of its prefill.
 */
import * as Comlink from 'comlink';
import type { EngineWorkerApi, LoadedModel, LoadRequest, LogitProcessorLike, PrefillProgress } from '../api';
import { adapterSummary, probeDevice } from '../device/probe';
import { AbortError, EngineStateError, ModelNotLoadedError } from '../errors';
import { deleteModel, listModels, verifyModel } from '../store/catalog';
import { setBackend } from '../store/db';
import type { StoreBackend } from '../store/idb-backend';
import { importModel } from '../store/ingest';
import type { ImportProgress, ImportSource, ModelSummary } from '../store/types';
import { resolveSamplingParams } from '../runtime/sampling-params';
import { Engine, type LogitHook, type RuntimeStats } from './engine';
import { chatCompletion, completion, type Generation } from './openai';
import { promptIds, tokenizerFor, type PromptSpec } from './prompts';
import { Grammars } from './grammar';
import { ReplyMemory } from './replies';

export class EngineHandler implements EngineWorkerApi {
  /** the loaded model (read by the test worker's simulateDeviceLoss) */
  protected engine: Engine | undefined;
  private loaded: LoadedModel | undefined;
  /** the end of the queue of loads, unloads, resets and requests */
  private tail: Promise<unknown> = Promise.resolve();
  /** the request being generated */
  private running: AbortController | undefined;
  /** the load in progress */
  private loading: AbortController | undefined;
  /** bumped by every load and unload: requests queued before it are cancelled */
  private epoch = 0;
  /** the import in progress */
  private importing: AbortController | undefined;
  /** the loaded model's recent replies, as generated (cleared with the conversation) */
  private readonly replies = new ReplyMemory();
  /** the loaded model's grammars (response_format), made when first asked for */
  private grammars: Grammars | undefined;
  /** the loaded model's logit processor, if it has one */
  private logitProcessor: LogitProcessorLike | undefined;
  /** logit processors by model name, for models loaded without one (web-llm's setLogitProcessorRegistry) */
  private logitProcessorRegistry: ReadonlyMap<string, LogitProcessorLike> | undefined;

  probeDevice = probeDevice;

  adapterSummary = adapterSummary;

  // --- the model store ---

  listModels(): Promise<ModelSummary[]> {
    return listModels();
  }

  async importModel(source: ImportSource, onProgress: (p: ImportProgress) => void): Promise<ModelSummary> {
    if (this.importing) throw new EngineStateError('Another import is running; wait for it or cancel it first.');
    const running = (this.importing = new AbortController());
    try {
      const m = await importModel(source, onProgress, running.signal);
      return (await listModels()).find((s) => s.id === m.id)!;
    } finally {
      this.importing = undefined;
    }
  }

  async cancelImport(): Promise<void> {
    this.importing?.abort(new DOMException('Import cancelled', 'AbortError'));
  }

  deleteModel(id: string): Promise<void> {
    return deleteModel(id);
  }

  verifyModel(id: string, onProgress: (done: number, total: number) => void) {
    return verifyModel(id, onProgress);
  }

  async attachStorePort(port: MessagePort): Promise<void> {
    if (this.importing) throw new EngineStateError('An import is running; the store cannot change under it.');
    if (this.engine || this.loading)
      throw new EngineStateError('A model is loaded from the current store: unload it before attaching another store.');
    setBackend(Comlink.wrap<StoreBackend>(port));
  }

  // --- the runtime ---

  /**
   * Logit processors this handler uses for the models it loads by name (LoadRequest.name) without a
   * processor of their own: web-llm's WebWorkerMLCEngineHandler.setLogitProcessorRegistry, for
   * processors that live in the worker that hosts this handler.
   */
  setLogitProcessorRegistry(registry: ReadonlyMap<string, LogitProcessorLike> | undefined): void {
    this.logitProcessorRegistry = registry;
  }

  async loadModel(
    modelId: string,
    opts: LoadRequest,
    onProgress: (done: number, total: number) => void,
    processor?: LogitProcessorLike,
  ): Promise<LoadedModel> {
    this.loading?.abort();
    const abort = (this.loading = new AbortController());
    this.epoch++;
    this.running?.abort();
    try {
      return await this.serial(async () => {
        if (abort.signal.aborted) throw cancelledLoad();
        this.drop();
        const engine = await Engine.load(
          modelId,
          {
            // absent: the device check decides (Engine.load asks it)
            ...(opts.expertBudgetMB !== undefined ? { expertBudgetBytes: opts.expertBudgetMB * 1e6 } : {}),
            ...(opts.ramTierMB !== undefined ? { ramTierBytes: opts.ramTierMB * 1e6 } : {}),
            ...(opts.contextLength ? { contextLength: opts.contextLength } : {}),
            ...(opts.maxBatch ? { maxBatch: opts.maxBatch } : {}),
            ...(opts.kvType ? { kvType: opts.kvType } : {}),
          },
          onProgress,
          abort.signal,
        );
        if (abort.signal.aborted) {
          engine.unload();
          throw cancelledLoad();
        }
        await tokenizerFor(modelId); // built now, so a request never needs the manifest again
        this.engine = engine;
        this.logitProcessor = processor ?? this.logitProcessorRegistry?.get(opts.name ?? modelId);
        const m = engine.model;
        this.loaded = {
          modelId,
          contextLength: m.opts.contextLength,
          maxBatch: m.opts.maxBatch,
          kvType: m.opts.kvType,
          resident: m.experts.resident,
          slots: m.experts.slots(m.manifest.experts[0]?.layer ?? 0),
        };
        return this.loaded;
      });
    } finally {
      if (this.loading === abort) this.loading = undefined;
    }
  }

  async unloadModel(): Promise<void> {
    this.loading?.abort();
    this.epoch++;
    this.running?.abort();
    await this.serial(async () => this.drop());
  }

  async loadedModel(): Promise<LoadedModel | undefined> {
    return this.engine && !this.engine.lost ? this.loaded : undefined;
  }

  async encodePrompt(modelId: string, prompt: PromptSpec): Promise<number[]> {
    return promptIds(await tokenizerFor(modelId), prompt);
  }

  generateTokens: EngineWorkerApi['generateTokens'] = (req, onToken, onPrefill) =>
    this.request(async ({ engine, tok, signal }) => {
      const { promptLogits, ...rest } = await engine.generate({
        ...req,
        stopIds: req.stopIds ?? [tok.eosId],
        signal,
        ...(onToken
          ? {
              onToken: async (id: number) => {
                await onToken(id);
              },
            }
          : {}),
        ...(onPrefill ? { onPrefill } : {}),
      });
      return { ...rest, ...(promptLogits ? { promptLogits: Array.from(promptLogits) } : {}) };
    });

  chatCompletion: EngineWorkerApi['chatCompletion'] = (req, onChunk, onPrefill) =>
    this.request((g) => chatCompletion(g, req, onChunk), onPrefill);

  completion: EngineWorkerApi['completion'] = (req, onChunk, onPrefill) =>
    this.request((g) => completion(g, req, onChunk), onPrefill);

  forwardTokensAndSample: EngineWorkerApi['forwardTokensAndSample'] = (ids, isPrefill, sampling = {}) =>
    this.request(({ engine }) =>
      engine.forwardAndSample(ids, resolveSamplingParams(sampling), isPrefill, this.logitHook()),
    );

  async runtimeStats(): Promise<RuntimeStats> {
    if (!this.engine) throw new ModelNotLoadedError('No model is loaded: call loadModel first.');
    return { ...this.engine.stats };
  }

  async interruptGenerate(): Promise<void> {
    this.running?.abort();
  }

  async resetChat(keepStats = false): Promise<void> {
    this.running?.abort();
    await this.serial(async () => {
      this.engine?.reset(keepStats);
      this.replies.clear();
      if (this.engine) await this.logitProcessor?.resetState();
    });
  }

  /** The loaded model's logit processor as the engine calls it: the logits cross to it without a copy. */
  private logitHook(): LogitHook | undefined {
    const p = this.logitProcessor;
    return (
      p && {
        processLogits: (logits) => p.processLogits(Comlink.transfer(logits, [logits.buffer])),
        processSampledToken: (id) => p.processSampledToken(id),
      }
    );
  }

  /** `work` after everything queued before it; the queue goes on whether it succeeds or fails. */
  private serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.tail.then(work);
    this.tail = next.catch(() => {});
    return next;
  }

  /**
   * A request: it ends the running one (within one prefill step, or after the token in progress), then
   * runs with its own abort signal, unless a load or unload came in between.
   */
  private request<T>(work: (g: Generation) => Promise<T>, onPrefill?: PrefillProgress): Promise<T> {
    const epoch = this.epoch;
    this.running?.abort();
    return this.serial(async () => {
      if (epoch !== this.epoch)
        throw new AbortError('The request was cancelled: a model was loaded or unloaded after it was made.');
      const engine = this.engine;
      if (!engine || !this.loaded) throw new ModelNotLoadedError('No model is loaded: call loadModel first.');
      const running = (this.running = new AbortController());
      try {
        const tok = await tokenizerFor(this.loaded.modelId);
        this.grammars ??= new Grammars(tok, engine.manifest.hparams.nVocab);
        const logitHook = this.logitHook();
        const g: Generation = {
          engine,
          tok,
          modelId: this.loaded.modelId,
          signal: running.signal,
          replies: this.replies,
          grammars: this.grammars,
          ...(onPrefill ? { onPrefill } : {}),
        };
        return await work(logitHook ? { ...g, logitHook } : g);
      } finally {
        if (this.running === running) this.running = undefined;
      }
    });
  }

  /** Unload the engine, destroying its GPU device and everything on it. */
  private drop(): void {
    this.replies.clear();
    this.grammars = undefined;
    this.engine?.unload();
    this.engine = undefined;
    this.loaded = undefined;
    this.logitProcessor = undefined;
  }
}

const cancelledLoad = () => new AbortError('The load was cancelled by a later load or unload.');
