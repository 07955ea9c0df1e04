/**
 * The model store's two IndexedDB databases, read and written through one IDBFactory: the catalog of
 * manifests, and the records (dense chunks and experts). Each record is written in a transaction of
 * its own, so a record is either wholly there or absent, which is what makes an import resumable.
 *
 * The factory is a parameter because an embedded widget may be granted the app's first-party
 * storage (Storage Access API): the page then serves a backend over that factory to the worker.
 */
import { del, delMany, entries, get, promisifyRequest, set, type UseStore } from 'idb-keyval';
import { modelKeyRange } from './keys';
import type { ModelManifest, RecordKey, StoredRecord } from './types';

export interface StoreBackend {
  getManifest(id: string): Promise<ModelManifest | undefined>;
  putManifest(m: ModelManifest): Promise<void>;
  allManifests(): Promise<ModelManifest[]>;
  getRecord(key: RecordKey): Promise<StoredRecord | undefined>;
  putRecord(key: RecordKey, rec: StoredRecord): Promise<void>;
  /** Keys of the records a model has in the store now. */
  storedKeys(modelId: string): Promise<RecordKey[]>;
  deleteRecords(keys: RecordKey[]): Promise<void>;
  /**
   * Remove a model: the manifest first, so that a model is never listed with records missing; records
   * left by a crash between the two steps are orphans that sweepOrphans() removes.
   */
  deleteModelData(modelId: string): Promise<void>;
  /** Delete records whose model has no manifest. */
  sweepOrphans(knownIds: ReadonlySet<string>): Promise<void>;
}

/** idb-keyval's createStore, on a given factory instead of the global one. */
function storeIn(factory: IDBFactory, dbName: string, storeName: string): UseStore {
  let db: Promise<IDBDatabase> | undefined;
  const open = (): Promise<IDBDatabase> => {
    if (db) return db;
    const request = factory.open(dbName);
    request.onupgradeneeded = () => request.result.createObjectStore(storeName);
    db = promisifyRequest(request);
    db.then(
      (d) => {
        d.onclose = () => {
          db = undefined;
        };
      },
      () => {
        db = undefined;
      },
    );
    return db;
  };
  return (mode, callback) => open().then((d) => callback(d.transaction(storeName, mode).objectStore(storeName)));
}

export function idbBackend(factory: IDBFactory): StoreBackend {
  const catalog = storeIn(factory, 'lite-coder-catalog', 'manifests');
  const records = storeIn(factory, 'lite-coder-records', 'records');
  const deleteRange = (range: IDBKeyRange): Promise<void> =>
    records('readwrite', (s) => {
      s.delete(range);
      return promisifyRequest(s.transaction);
    });
  return {
    getManifest: (id) => get<ModelManifest>(id, catalog),
    putManifest: (m) => set(m.id, m, catalog),
    allManifests: async () => (await entries<string, ModelManifest>(catalog)).map(([, m]) => m),
    getRecord: (key) => get<StoredRecord>(key, records),
    putRecord: (key, rec) => set(key, rec, records),
    storedKeys: (modelId) =>
      records('readonly', (s) => promisifyRequest(s.getAllKeys(modelKeyRange(modelId)))) as Promise<RecordKey[]>,
    deleteRecords: (keys) => delMany(keys, records),
    async deleteModelData(modelId) {
      await del(modelId, catalog);
      await deleteRange(modelKeyRange(modelId));
    },
    async sweepOrphans(knownIds) {
      const keys = (await records('readonly', (s) => promisifyRequest(s.getAllKeys()))) as RecordKey[];
      const orphans = new Set(keys.map((k) => k[0]).filter((id) => !knownIds.has(id)));
      for (const id of orphans) await deleteRange(modelKeyRange(id));
    },
  };
}
