/**
 * web-llm's cache helpers (hasModelInCache, deleteModelAllInfoInCache, deleteModelInCache,
 * deleteChatConfigInCache, deleteModelWasmInCache) on Lite Coder's model store. A model id is looked up
 * as web-llm does, in the app config (prebuiltAppConfig by default), and maps to the stored models
 * imported from its record's URL; the id of a stored model (engine.models.list()) works too. A stored
 * model is one unit (its manifest holds its config and tokenizer, and there is no WebAssembly), so
 * the config and wasm helpers only check the id: there is nothing apart to delete.
 */
import type { AppConfig } from '@mlc-ai/web-llm';
import type { EngineWorkerApi } from '../../workers/api';
import type { ModelSummary } from '../../workers/store/types';
import { findRecord, prebuiltAppConfig, recordUrl } from './app-config';
import { modelRecordNotFound } from './errors';

/** What the helpers need of the engine worker. */
export type StoreRemote = Pick<EngineWorkerApi, 'listModels' | 'deleteModel'>;

/** The stored models (complete or not) imported from `url`: a file's URL, or that of any file of a split model. */
export function storedFrom(models: readonly ModelSummary[], url: string): ModelSummary[] {
  return models.filter(
    (m) => m.source.kind === 'url' && (m.source.url === url || (m.source.shards ?? []).some((s) => s.name === url)),
  );
}

/**
 * The stored models `modelId` names: its app-config record's imports, or the stored model of that id.
 * Throws web-llm's ModelNotFoundError when it is neither.
 */
export async function storedModelsOf(
  store: StoreRemote,
  modelId: string,
  appConfig: AppConfig = prebuiltAppConfig,
): Promise<ModelSummary[]> {
  const models = await store.listModels();
  const record = findRecord(appConfig, modelId);
  if (record) return storedFrom(models, recordUrl(record));
  const byId = models.filter((m) => m.id === modelId);
  if (byId.length === 0) throw modelRecordNotFound(modelId);
  return byId;
}

/** The five helpers, on the model store `store()` reaches. */
export function cacheHelpers(store: () => StoreRemote) {
  const deleteModelInCache = async (modelId: string, appConfig?: AppConfig): Promise<void> => {
    for (const m of await storedModelsOf(store(), modelId, appConfig)) await store().deleteModel(m.id);
  };
  const checkId = async (modelId: string, appConfig?: AppConfig): Promise<void> => {
    if (findRecord(appConfig ?? prebuiltAppConfig, modelId)) return;
    await storedModelsOf(store(), modelId, appConfig);
  };
  return {
    /** Is `modelId` stored whole (an import that has not finished does not count)? */
    hasModelInCache: async (modelId: string, appConfig?: AppConfig): Promise<boolean> =>
      (await storedModelsOf(store(), modelId, appConfig)).some((m) => m.state === 'ready'),
    /** Removes every stored copy of `modelId`, finished or not, and frees its space. */
    deleteModelInCache,
    /** The same as deleteModelInCache: the model's config and tokenizer are part of it. */
    deleteModelAllInfoInCache: deleteModelInCache,
    /** Checks the id (web-llm's ModelNotFoundError); the config is part of the stored model. */
    deleteChatConfigInCache: checkId,
    /** Checks the id (web-llm's ModelNotFoundError); there is no per-model WebAssembly. */
    deleteModelWasmInCache: checkId,
  };
}
