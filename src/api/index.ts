/**
 * Lite Coder's in-page API: the module built to dist/lite-coder.js. A drop-in for @mlc-ai/web-llm's
 * MLCEngine: `CreateMLCEngine(modelId, { initProgressCallback })`, then `engine.chat.completions.create`
 * and `engine.completions.create` (a `suffix` makes it fill-in-the-middle). The model runs in its own
 * module worker (emitted next to this file), on WebGPU, from weights kept in the origin's storage.
 */
import type { InitProgressCallback } from '@mlc-ai/web-llm';
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

/** web-llm's MLCEngine interface over Lite Coder's engine worker (requests are checked there, with web-llm's error names). */
export { EngineClient as LiteCoderEngine };

export interface LiteCoderEngineConfig {
  initProgressCallback?: InitProgressCallback;
}

/**
 * web-llm's CreateMLCEngine: a new engine, with `modelId` (a stored model's id) loaded when given.
 */
export async function CreateLiteCoderEngine(modelId?: string, config: LiteCoderEngineConfig = {}): Promise<EngineClient> {
  const lc = new EngineClient();
  if (config.initProgressCallback) lc.setInitProgressCallback(config.initProgressCallback);
  if (modelId !== undefined) await lc.reload(modelId);
  return lc;
}

/** So `import { CreateMLCEngine } from 'lite-coder'` works unchanged. */
export const CreateMLCEngine = CreateLiteCoderEngine;
/** So `new MLCEngine()` works unchanged. */
export { EngineClient as MLCEngine };

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
