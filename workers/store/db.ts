/**
 * The two IndexedDB databases of the model store, through idb-keyval: the catalog of manifests, and
 * the records (dense chunks and experts). Each record is written in a transaction of its own, so a
 * record is either wholly there or absent, which is what makes an import resumable.
 */
import { createStore, del, delMany, entries, get, promisifyRequest, set, type UseStore } from 'idb-keyval';
import { modelKeyRange } from './keys';
import type { ModelManifest, RecordKey, StoredRecord } from './types';

let catalog: UseStore | undefined;
let records: UseStore | undefined;

function catalogStore(): UseStore {
  catalog ??= createStore('lite-coder-catalog', 'manifests');
  return catalog;
}

function recordStore(): UseStore {
  records ??= createStore('lite-coder-records', 'records');
  return records;
}

export function getManifest(id: string): Promise<ModelManifest | undefined> {
  return get<ModelManifest>(id, catalogStore());
}

export function putManifest(m: ModelManifest): Promise<void> {
  return set(m.id, m, catalogStore());
}

export async function allManifests(): Promise<ModelManifest[]> {
  return (await entries<string, ModelManifest>(catalogStore())).map(([, m]) => m);
}

export function getRecord(key: RecordKey): Promise<StoredRecord | undefined> {
  return get<StoredRecord>(key, recordStore());
}

export function putRecord(key: RecordKey, rec: StoredRecord): Promise<void> {
  return set(key, rec, recordStore());
}

/** Keys of the records a model has in the store now. */
export function storedKeys(modelId: string): Promise<RecordKey[]> {
  return recordStore()('readonly', (s) => promisifyRequest(s.getAllKeys(modelKeyRange(modelId)))) as Promise<RecordKey[]>;
}

export function deleteRecords(keys: RecordKey[]): Promise<void> {
  return delMany(keys, recordStore());
}

/**
 * Remove a model: the manifest first, so that a model is never listed with records missing; records
 * left by a crash between the two steps are orphans that sweepOrphans() removes.
 */
export async function deleteModelData(modelId: string): Promise<void> {
  await del(modelId, catalogStore());
  await deleteRecordRange(modelKeyRange(modelId));
}

function deleteRecordRange(range: IDBKeyRange): Promise<void> {
  return recordStore()('readwrite', (s) => {
    s.delete(range);
    return promisifyRequest(s.transaction);
  });
}

/** Delete records whose model has no manifest. */
export async function sweepOrphans(knownIds: ReadonlySet<string>): Promise<void> {
  const keys = (await recordStore()('readonly', (s) => promisifyRequest(s.getAllKeys()))) as RecordKey[];
  const orphans = new Set(keys.map((k) => k[0]).filter((id) => !knownIds.has(id)));
  for (const id of orphans) await deleteRecordRange(modelKeyRange(id));
}
