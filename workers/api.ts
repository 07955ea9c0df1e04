/**
 * The engine worker's API, as the UI sees it through comlink (workers/engine/handler.ts implements
 * it). Callbacks passed here must be wrapped in Comlink.proxy on the UI side. Errors keep their name,
 * message and details across (workers/errors.ts, installErrorTransfer).
 */
import type { DeviceReport } from './device/types';
import type { ImportProgress, ImportSource, ModelSummary, VerifyResult } from './store/types';
import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionRequest,
  Completion,
  CompletionCreateParams,
} from '@mlc-ai/web-llm';
import type { GenerateResult, LogitHook, RuntimeStats } from './engine/engine';
import type { SamplingParams } from './runtime/sampling-params';
import type { PromptSpec } from './engine/prompts';

export interface LoadRequest {
  /** GPU memory for routed experts in MB (10^6 bytes); absent: all experts resident */
  expertBudgetMB?: number;
  /** paged mode: memory for expert records between the GPU and the store, in MB; absent: from navigator.deviceMemory */
  ramTierMB?: number;
  contextLength?: number;
  /** most tokens a prefill step feeds; absent: from the device's limits and memory (device/memory.ts) */
  maxBatch?: number;
  /** the id the caller knows the model by (web-llm's model_id): picks the handler's registered logit processor */
  name?: string;
  /** the KV cache's form: F16 (the default: half the memory) or F32 */
  kvType?: 'F16' | 'F32';
}

/** web-llm's LogitProcessor as the worker calls it: any of its methods may answer asynchronously. */
export type LogitProcessorLike = LogitHook & { resetState(): void | Promise<void> };

export interface LoadedModel {
  modelId: string;
  /** positions the KV cache holds: the longest conversation this device takes */
  contextLength: number;
  /** most tokens a prefill step feeds */
  maxBatch: number;
  kvType: 'F16' | 'F32';
  resident: boolean;
  /** experts the GPU holds at once (in the first MoE layer's pool) */
  slots: number;
}

export interface TokenRequest {
  promptIds: number[];
  maxTokens: number;
  stopIds?: number[];
  wantPromptLogits?: boolean;
}

/**
 * A request's prefill progress (a Lite Coder extension): prompt tokens processed so far, the KV cache's
 * reused prefix included, and the prompt's length; called before the first step, after each, and once
 * at the end (done = total).
 */
export type PrefillProgress = (done: number, total: number) => void | Promise<void>;

export type TokenResult = Omit<GenerateResult, 'promptLogits'> & { promptLogits?: number[] };

export interface EngineWorkerApi {
  /** What the device offers and whether DeepSeek-Coder-V2-Lite can run on it. */
  probeDevice(): Promise<DeviceReport>;
  /** The adapter, its limits and features, without the GPU memory probe; null with no WebGPU adapter. */
  adapterSummary(): Promise<Pick<DeviceReport, 'adapter' | 'limits' | 'features'> | null>;

  /** Stored models, complete or not, with their size on disk. */
  listModels(): Promise<ModelSummary[]>;
  /**
   * Import a GGUF file into the model store, or resume an unfinished import of the same file.
   * Rejects with a clear message on bad input; nothing is left behind then.
   */
  importModel(source: ImportSource, onProgress: (p: ImportProgress) => void): Promise<ModelSummary>;
  /** Stop the running import; its partial records are deleted. */
  cancelImport(): Promise<void>;
  deleteModel(id: string): Promise<void>;
  verifyModel(id: string, onProgress: (done: number, total: number) => void): Promise<VerifyResult>;
  /**
   * Use the model store the page serves on `port` (a StoreBackend exposed with comlink) instead of
   * this worker's own IndexedDB: an embedded widget's grant of first-party storage reaches only the
   * page, not its workers. Unload any model first.
   */
  attachStorePort(port: MessagePort): Promise<void>;

  /**
   * Put a stored model on the GPU (replacing any loaded one). A later loadModel or unloadModel
   * cancels it: it then rejects with an AbortError, and nothing of it stays on the GPU.
   */
  loadModel(
    modelId: string,
    opts: LoadRequest,
    onProgress: (done: number, total: number) => void,
    processor?: LogitProcessorLike,
  ): Promise<LoadedModel>;
  unloadModel(): Promise<void>;
  /** The model on the GPU now, if any. */
  loadedModel(): Promise<LoadedModel | undefined>;
  /** The token ids of a prompt for a stored model: raw text (after BOS), the chat format, or FIM. */
  encodePrompt(modelId: string, prompt: PromptSpec): Promise<number[]>;
  /** Generate from token ids (greedy); the KV cache is reused for the prefix shared with the last call. */
  generateTokens(
    req: TokenRequest,
    onToken?: (id: number) => void | Promise<void>,
    onPrefill?: PrefillProgress,
  ): Promise<TokenResult>;
  /**
   * web-llm's chat.completions.create: with `stream`, chunks go to `onChunk` and it resolves with
   * undefined when the last one is sent; otherwise it resolves with the whole completion. `onChunk`
   * returning false says the reader has gone: generation stops after the token in progress.
   */
  chatCompletion(
    req: ChatCompletionRequest,
    onChunk?: (c: ChatCompletionChunk) => boolean | void | Promise<boolean | void>,
    onPrefill?: PrefillProgress,
  ): Promise<ChatCompletion | undefined>;
  /** web-llm's completions.create; a `suffix` makes it fill-in-the-middle. Streams as chatCompletion. */
  completion(
    req: CompletionCreateParams,
    onChunk?: (c: Completion) => boolean | void | Promise<boolean | void>,
    onPrefill?: PrefillProgress,
  ): Promise<Completion | undefined>;
  /**
   * web-llm's forwardTokensAndSample: feed `ids` after what the KV cache holds and sample the next
   * token (not fed) with `sampling` (absent fields: the defaults, a random seed), through the loaded
   * model's logit processor if it has one. `isPrefill` only picks the runtime stats it counts in.
   */
  forwardTokensAndSample(ids: number[], isPrefill: boolean, sampling?: Partial<SamplingParams>): Promise<number>;
  /** Prefill and decode totals since the conversation was last reset without keeping stats. */
  runtimeStats(): Promise<RuntimeStats>;
  /** Stop the running generation after the token in progress. */
  interruptGenerate(): Promise<void>;
  /**
   * End the running generation, then drop the conversation's KV cache (and the runtime stats, unless
   * `keepStats`); the logit processor's resetState() is called.
   */
  resetChat(keepStats?: boolean): Promise<void>;
}
