/**
 * Lite Coder's in-page API: the module built to dist/lite-coder.js. A drop-in for @mlc-ai/web-llm's
 * MLCEngine: `CreateMLCEngine(modelId, { initProgressCallback })`, then `engine.chat.completions.create`
 * and `engine.completions.create` (a `suffix` makes it fill-in-the-middle). The model runs in its own
 * module worker (emitted next to this file), on WebGPU, from weights kept in the origin's storage.
 */
import type {
  ChatCompletionRequest, CompletionCreateParams, InitProgressCallback,
} from '@mlc-ai/web-llm';
import type { ImportProgress, ModelSummary } from '../../workers/store/types';
import { LiteCoderEngine as EngineClient } from './engine-client';
import { Comlink, engine } from '../engine';

export type {
  ChatCompletion, ChatCompletionChunk, ChatCompletionRequest, ChatCompletionRequestNonStreaming,
  ChatCompletionRequestStreaming, ChatCompletionMessageParam, ChatCompletionFinishReason, Completion,
  CompletionCreateParams, CompletionCreateParamsNonStreaming, CompletionCreateParamsStreaming,
  CompletionUsage, InitProgressCallback, InitProgressReport,
} from '@mlc-ai/web-llm';
export type { LoadRequest } from '../../workers/api';
export type { ImportProgress, ModelSummary } from '../../workers/store/types';

/** An error with web-llm's name for it, so `err.name` checks written for web-llm keep working. */
function named(name: string, message: string): Error {
  const e = new Error(message);
  e.name = name;
  return e;
}

const given = (v: unknown): v is number => v !== undefined && v !== null;

/**
 * web-llm's request checks (postInitAndCheckGenerationConfigValues), with its error names and
 * messages; the worker checks the same values again, but names its errors plainly.
 */
export function checkGenerationValues(req: Pick<ChatCompletionRequest, 'temperature' | 'top_p' | 'repetition_penalty' | 'frequency_penalty' | 'presence_penalty' | 'max_tokens' | 'seed'>): void {
  const range = (p: string, lo: number, hi: number) => named('RangeError', `Make sure ${lo} < ${p} <= ${hi}.`);
  if (given(req.frequency_penalty) && !(req.frequency_penalty >= -2 && req.frequency_penalty <= 2)) throw range('frequency_penalty', -2, 2);
  if (given(req.presence_penalty) && !(req.presence_penalty >= -2 && req.presence_penalty <= 2)) throw range('presence_penalty', -2, 2);
  if (given(req.repetition_penalty) && !(req.repetition_penalty > 0)) throw named('MinValueError', 'Make sure `repetition_penalty` > 0.');
  if (given(req.max_tokens) && !(req.max_tokens > 0)) throw named('MinValueError', 'Make sure `max_tokens` > 0.');
  if (given(req.top_p) && !(req.top_p > 0 && req.top_p <= 1)) throw range('top_p', 0, 1);
  if (given(req.temperature) && !(req.temperature >= 0)) throw named('NonNegativeError', 'Make sure temperature >= 0.');
  if (given(req.seed) && !Number.isInteger(req.seed)) throw named('SeedTypeError', `Make sure \`seed\` is an integer, but got ${String(req.seed)}.`);
}

type ChatCreate = EngineClient['chat']['completions']['create'];
type CompletionCreate = EngineClient['completions']['create'];

/** web-llm's MLCEngine interface over Lite Coder's engine worker. */
export class LiteCoderEngine extends EngineClient {
  constructor() {
    super(engine());
    // Invalid sampling values reject at create() with web-llm's error names, before the worker runs
    // anything (the worker checks message order itself: MessageOrderError and the like).
    const chat = this.chat.completions.create.bind(this.chat.completions) as (r: ChatCompletionRequest) => Promise<unknown>;
    this.chat.completions.create = (async (req: ChatCompletionRequest) => {
      checkGenerationValues(req);
      return chat(req);
    }) as ChatCreate;
    const completion = this.completions.create.bind(this.completions) as (r: CompletionCreateParams) => Promise<unknown>;
    this.completions.create = (async (req: CompletionCreateParams) => {
      checkGenerationValues(req);
      return completion(req);
    }) as CompletionCreate;
  }
}

export interface LiteCoderEngineConfig {
  initProgressCallback?: InitProgressCallback;
}

/**
 * web-llm's CreateMLCEngine: a new engine, with `modelId` (a stored model's id) loaded when given.
 */
export async function CreateLiteCoderEngine(modelId?: string, config: LiteCoderEngineConfig = {}): Promise<LiteCoderEngine> {
  const lc = new LiteCoderEngine();
  if (config.initProgressCallback) lc.setInitProgressCallback(config.initProgressCallback);
  if (modelId !== undefined) await lc.reload(modelId);
  return lc;
}

/** So `import { CreateMLCEngine } from 'lite-coder'` works unchanged. */
export const CreateMLCEngine = CreateLiteCoderEngine;
/** So `new MLCEngine()` works unchanged. */
export { LiteCoderEngine as MLCEngine };

/**
 * Put a GGUF file (by URL, fetched with Range requests so an interrupted import resumes, or as a
 * File/Blob) into this origin's model store. A split model (name-00001-of-0000N.gguf, ...) is given
 * by the URL of any of its files, or as an array of all its Files. Resolves with the stored model; its
 * `id` is what `reload()` and `CreateMLCEngine()` take.
 */
export async function importModel(source: string | URL | Blob | readonly File[],
  onProgress?: (p: ImportProgress) => void): Promise<ModelSummary> {
  const progress = Comlink.proxy((p: ImportProgress) => { onProgress?.(p); });
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
