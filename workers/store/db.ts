/**
 * Where the model store lives: this context's own IndexedDB, unless the page handed the worker a
 * backend of its own (setBackend), the first-party storage an embedded widget was granted. Every
 * reader and writer of the store goes through these functions, so that switch is the only one.
 */
import { idbBackend, type StoreBackend } from './idb-backend';
import type { ModelManifest, RecordKey, StoredRecord } from './types';

let backend: StoreBackend | undefined;

function store(): StoreBackend {
  backend ??= idbBackend(indexedDB);
  return backend;
}

export function setBackend(b: StoreBackend): void {
  backend = b;
}

export const getManifest = (id: string): Promise<ModelManifest | undefined> => store().getManifest(id);
export const putManifest = (m: ModelManifest): Promise<void> => store().putManifest(m);
export const allManifests = (): Promise<ModelManifest[]> => store().allManifests();
export const getRecord = (key: RecordKey): Promise<StoredRecord | undefined> => store().getRecord(key);
export const putRecord = (key: RecordKey, rec: StoredRecord): Promise<void> => store().putRecord(key, rec);
export const storedKeys = (modelId: string): Promise<RecordKey[]> => store().storedKeys(modelId);
export const deleteRecords = (keys: RecordKey[]): Promise<void> => store().deleteRecords(keys);
export const deleteModelData = (modelId: string): Promise<void> => store().deleteModelData(modelId);
export const sweepOrphans = (knownIds: ReadonlySet<string>): Promise<void> => store().sweepOrphans(knownIds);
