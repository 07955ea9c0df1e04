/**
 * The model store held in this process's memory: the same manifests and records as the IndexedDB
 * backend (idb-backend.ts), kept in Maps. What Node has instead of IndexedDB (npm run bench:node,
 * scripts/bench-node.ts): the import writes the store's record layout here, and the runtime reads it
 * back exactly as it reads IndexedDB in the browser. Nothing persists past the process.
 *
 * Reads are counted (`reads`), so that a benchmark or a test can say how much the runtime asked of
 * the store, as IndexedDB's reads are counted in the browser by the expert cache's stats.
 */
import { keyString } from './keys';
import type { StoreBackend } from './idb-backend';
import type { ModelManifest, RecordKey, StoredRecord } from './types';

/** How many record reads the store answered, and their bytes. */
export interface StoreReads {
  records: number;
  bytes: number;
}

export interface MemoryBackend extends StoreBackend {
  readonly reads: StoreReads;
}

/**
 * A StoreBackend in memory. A record's bytes are copied in and out, as IndexedDB's structured clone
 * does, so that no caller can change what is stored through a buffer it holds.
 */
export function memoryBackend(): MemoryBackend {
  const manifests = new Map<string, ModelManifest>();
  const records = new Map<string, { key: RecordKey; rec: StoredRecord }>();
  const reads: StoreReads = { records: 0, bytes: 0 };
  const ofModel = (modelId: string) => [...records.values()].filter((r) => r.key[0] === modelId);
  const clone = (rec: StoredRecord): StoredRecord => ({ sha256: rec.sha256, data: rec.data.slice(0) });
  return {
    reads,
    getManifest: async (id) => structuredClone(manifests.get(id)),
    putManifest: async (m) => {
      manifests.set(m.id, structuredClone(m));
    },
    allManifests: async () => [...manifests.values()].map((m) => structuredClone(m)),
    async getRecord(key) {
      const r = records.get(keyString(key));
      if (!r) return undefined;
      reads.records++;
      reads.bytes += r.rec.data.byteLength;
      return clone(r.rec);
    },
    putRecord: async (key, rec) => {
      records.set(keyString(key), { key: [...key], rec: clone(rec) });
    },
    storedKeys: async (modelId) => ofModel(modelId).map((r) => [...r.key]),
    async deleteRecords(keys) {
      for (const k of keys) records.delete(keyString(k));
    },
    async deleteModelData(modelId) {
      manifests.delete(modelId);
      for (const r of ofModel(modelId)) records.delete(keyString(r.key));
    },
    async sweepOrphans(knownIds) {
      for (const r of [...records.values()]) if (!knownIds.has(r.key[0])) records.delete(keyString(r.key));
    },
  };
}
