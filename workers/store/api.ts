/** The model store as the worker exposes it: one import at a time, cancellable. */
import * as Comlink from 'comlink';
import type { EngineWorkerApi } from '../api';
import { deleteModel, listModels, verifyModel } from './catalog';
import { setBackend } from './db';
import type { StoreBackend } from './idb-backend';
import { importModel } from './ingest';
import type { ModelSummary } from './types';

let running: AbortController | undefined;

type StoreApi = Pick<EngineWorkerApi, 'listModels' | 'importModel' | 'cancelImport' | 'deleteModel' | 'verifyModel' | 'attachStorePort'>;

export const modelStoreApi: StoreApi = {
  listModels,
  async importModel(source, onProgress): Promise<ModelSummary> {
    if (running) throw new Error('Another import is running; wait for it or cancel it first.');
    running = new AbortController();
    try {
      const m = await importModel(source, onProgress, running.signal);
      return (await listModels()).find((s) => s.id === m.id)!;
    } catch (e) {
      // comlink carries only the message across; make sure it is the user-facing one.
      throw new Error((e as Error).message);
    } finally {
      running = undefined;
    }
  },
  async cancelImport() {
    running?.abort(new DOMException('Import cancelled', 'AbortError'));
  },
  deleteModel,
  verifyModel,
  async attachStorePort(port) {
    if (running) throw new Error('An import is running; the store cannot change under it.');
    setBackend(Comlink.wrap<StoreBackend>(port));
  },
};
