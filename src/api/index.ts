/**
 * Lite Coder's in-page API: the module built to dist/lite-coder.js, a drop-in for @mlc-ai/web-llm.
 * Code written for web-llm runs after changing the import and the model id: CreateMLCEngine /
 * MLCEngine, the web-worker and service-worker engines and their handlers, prebuiltAppConfig and the
 * cache helpers, with web-llm's types (dist/lite-coder.d.ts). Additions: importModel, a `suffix` for
 * fill-in-the-middle, expertBudgetMB among the ChatOptions.
 *
 * The module is also its own engine worker's script: MLCEngine starts `new Worker(<this module>)`
 * under the name "lite-coder-engine", and there the module serves the engine (the model store and
 * the WebGPU runtime). The same code serves a worker or service worker of the page's own through the
 * handlers, so the module holds the runtime and is served once, same-origin with the page.
 */
import * as Comlink from 'comlink';
import type { MLCEngineConfig, ModelType as WebLlmModelType } from '@mlc-ai/web-llm';
import type { EngineWorkerApi } from '../../workers/api';
import { EngineHandler } from '../../workers/engine/handler';
import { installErrorTransfer } from '../../workers/errors';
import type { ImportProgress, ModelSummary } from '../../workers/store/types';
import { cacheHelpers } from './cache';
import type { LiteCoderChatOptions } from './chat-options';
import { LiteCoderEngine as EngineClient } from './engine-client';
import { RemoteEngine } from './remote-engine';

// Every public type of web-llm (its classes Chat, Completions and Embeddings as types).
export type {
  AppConfig,
  Chat,
  ChatCompletion,
  ChatCompletionAssistantMessageParam,
  ChatCompletionAudioInput,
  ChatCompletionAudioInputPCM,
  ChatCompletionAudioInputWav,
  ChatCompletionChunk,
  ChatCompletionContentPart,
  ChatCompletionContentPartImage,
  ChatCompletionContentPartInputAudio,
  ChatCompletionContentPartText,
  ChatCompletionFinishReason,
  ChatCompletionMessage,
  ChatCompletionMessageParam,
  ChatCompletionMessageToolCall,
  ChatCompletionNamedToolChoice,
  ChatCompletionRequest,
  ChatCompletionRequestBase,
  ChatCompletionRequestNonStreaming,
  ChatCompletionRequestStreaming,
  ChatCompletionRole,
  ChatCompletionSystemMessageParam,
  ChatCompletionTokenLogprob,
  ChatCompletionTool,
  ChatCompletionToolChoiceOption,
  ChatCompletionToolMessageParam,
  ChatCompletionUserMessageParam,
  ChatOptions,
  Completion,
  CompletionChoice,
  CompletionCreateParams,
  CompletionCreateParamsBase,
  CompletionCreateParamsNonStreaming,
  CompletionCreateParamsStreaming,
  Completions,
  CompletionUsage,
  CreateEmbeddingResponse,
  Embedding,
  EmbeddingCreateParams,
  Embeddings,
  FileIntegrityMap,
  FunctionDefinition,
  FunctionParameters,
  GenerationConfig,
  InitProgressCallback,
  InitProgressReport,
  LogitProcessor,
  LogLevel,
  MLCEngineConfig,
  MLCEngineInterface,
  ModelIntegrity,
  ModelRecord,
  OPFSAccessMode,
  ResponseFormat,
  ResumableGenerationConfig,
  ResumeChatCompletionOptions,
  ResumeProbeResult,
  ResumeResult,
  SRIString,
  TopLogprob,
} from '@mlc-ai/web-llm';
export type { LoadRequest, LoadedModel } from '../../workers/api';
export type { ImportProgress, ModelSummary } from '../../workers/store/types';
export type { LiteCoderChatOptions } from './chat-options';
export type { LiteCoderModelRecord } from './app-config';
export { prebuiltAppConfig, LITE_CODER_RUNTIME } from './app-config';
export {
  RemoteEngine,
  RemoteAuthError,
  RemoteCorsError,
  RemoteNotFoundError,
  RemoteRateLimitError,
  RemoteRequestError,
  RemoteServerError,
  RemoteStreamError,
  RemoteUnreachableError,
  type RemoteSettings,
} from './remote-engine';
export {
  WebWorkerMLCEngine,
  WebWorkerMLCEngineHandler,
  CreateWebWorkerMLCEngine,
  type ChatWorker,
} from './worker-engine';
export {
  ServiceWorkerMLCEngine,
  ServiceWorkerMLCEngineHandler,
  CreateServiceWorkerMLCEngine,
} from './service-worker-engine';

installErrorTransfer(Comlink);

const ENGINE_WORKER = 'lite-coder-engine';
/** The build's version (vite.lib.config.ts defines it). */
declare const __LITE_CODER_VERSION__: string | undefined;

// Started as MLCEngine's engine worker: serve the engine.
if (
  typeof DedicatedWorkerGlobalScope !== 'undefined' &&
  globalThis instanceof DedicatedWorkerGlobalScope &&
  (globalThis as unknown as DedicatedWorkerGlobalScope).name === ENGINE_WORKER
) {
  Comlink.expose(new EngineHandler());
}

let remote: Comlink.Remote<EngineWorkerApi> | undefined;

/** The page's engine worker (one per page, shared by its MLCEngines and helpers): this module, as a worker. */
function engine(): Comlink.Remote<EngineWorkerApi> {
  remote ??= Comlink.wrap<EngineWorkerApi>(new Worker(import.meta.url, { type: 'module', name: ENGINE_WORKER }));
  return remote;
}

/**
 * web-llm's MLCEngine: `new MLCEngine({ initProgressCallback, appConfig, logLevel, logitProcessorRegistry })`.
 * The engine runs in the page's engine worker; every MLCEngine of a page shares it (and so the model
 * on the GPU: one model at a time).
 */
export class MLCEngine extends EngineClient {
  constructor(engineConfig?: MLCEngineConfig) {
    super(engineConfig, engine());
  }
}

/** The name this module had first for MLCEngine. */
export { MLCEngine as LiteCoderEngine };

/** Where a Lite Coder extension of CreateMLCEngine sends requests instead of this device: an OpenAI-compatible server. */
export interface RemoteEngineConfig extends MLCEngineConfig {
  /** the server's API address, e.g. http://localhost:11434/v1 (Ollama) */
  endpoint: string;
  /** sent as a bearer token to that server only */
  apiKey?: string;
}

/**
 * web-llm's CreateMLCEngine: a new MLCEngine with `modelId` loaded (see MLCEngine.reload). A Lite Coder
 * extension: with `engineConfig.endpoint`, a RemoteEngine that asks that OpenAI-compatible server's
 * model `modelId` instead (for devices that cannot run the model).
 */
export async function CreateMLCEngine(modelId: string, engineConfig: RemoteEngineConfig): Promise<RemoteEngine>;
export async function CreateMLCEngine(
  modelId: string | string[],
  engineConfig?: MLCEngineConfig,
  chatOpts?: LiteCoderChatOptions | LiteCoderChatOptions[],
): Promise<MLCEngine>;
export async function CreateMLCEngine(
  modelId: string | string[],
  engineConfig?: MLCEngineConfig | RemoteEngineConfig,
  chatOpts?: LiteCoderChatOptions | LiteCoderChatOptions[],
): Promise<MLCEngine | RemoteEngine> {
  if (engineConfig && 'endpoint' in engineConfig && typeof engineConfig.endpoint === 'string') {
    const remote = new RemoteEngine({
      endpoint: engineConfig.endpoint,
      ...(engineConfig.apiKey ? { apiKey: engineConfig.apiKey } : {}),
    });
    if (engineConfig.initProgressCallback) remote.setInitProgressCallback(engineConfig.initProgressCallback);
    await remote.reload(Array.isArray(modelId) ? (modelId[0] ?? '') : modelId);
    return remote;
  }
  const e = new MLCEngine(engineConfig);
  await e.reload(modelId, chatOpts);
  return e;
}

/** CreateMLCEngine, with the model optional (none: nothing is loaded yet). */
export async function CreateLiteCoderEngine(
  modelId?: string,
  engineConfig?: MLCEngineConfig,
  chatOpts?: LiteCoderChatOptions,
): Promise<MLCEngine> {
  const e = new MLCEngine(engineConfig);
  if (modelId !== undefined) await e.reload(modelId, chatOpts);
  return e;
}

/** web-llm's cache helpers, on the origin's model store (see cache.ts). */
export const {
  hasModelInCache,
  deleteModelInCache,
  deleteModelAllInfoInCache,
  deleteChatConfigInCache,
  deleteModelWasmInCache,
} = cacheHelpers(engine);

/** web-llm's ModelType (a record's model_type): this engine runs LLMs only. */
export const ModelType = {
  LLM: 0,
  embedding: 1,
  VLM: 2,
  0: 'LLM',
  1: 'embedding',
  2: 'VLM',
} as unknown as typeof WebLlmModelType;
export type ModelType = WebLlmModelType;

/** web-llm's list of the models that take `tools`: none here (a request with tools gets web-llm's error). */
export const functionCallingModelIds: string[] = [];
/**
 * web-llm's prefix and version of its WebAssembly model libraries: Lite Coder has none (one runtime
 * runs every deepseek2 file), so records' model_lib is never fetched. Here for code that imports them.
 */
export const modelLibURLPrefix = '';
export const modelVersion: string = typeof __LITE_CODER_VERSION__ === 'string' ? __LITE_CODER_VERSION__ : 'dev';

/**
 * Put a GGUF file (by URL, fetched with Range requests so an interrupted import resumes, or as a
 * File/Blob) into this origin's model store. A split model (name-00001-of-0000N.gguf, ...) is given
 * by the URL of any of its files, or as an array of all its Files. Resolves with the stored model; its
 * `id` is what `reload()` and `CreateMLCEngine()` take. (A model of the app config is imported by
 * reload() itself, the first time.)
 */
export async function importModel(
  source: string | URL | Blob | readonly File[],
  onProgress?: (p: ImportProgress) => void,
): Promise<ModelSummary> {
  const progress = Comlink.proxy((p: ImportProgress) => {
    onProgress?.(p);
  });
  if (typeof source === 'string' || source instanceof URL) {
    return engine().importModel({ kind: 'url', url: new URL(source, location.href).href }, progress);
  }
  if (source instanceof Blob) {
    const file = source instanceof File ? source : new File([source], 'model.gguf');
    return engine().importModel({ kind: 'file', file }, progress);
  }
  return engine().importModel({ kind: 'files', files: [...source] }, progress);
}

/** Every stored model, complete or not (models.list() gives only the ready ones). */
export function listStoredModels(): Promise<ModelSummary[]> {
  return engine().listModels();
}

/** Remove a stored model from the origin's storage. */
export function deleteModel(id: string): Promise<void> {
  return engine().deleteModel(id);
}
