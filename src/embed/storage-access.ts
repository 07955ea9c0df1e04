/**
 * An embedded widget on another site gets partitioned storage: it cannot see the model the user
 * stored in the full app. The Storage Access API (with its IndexedDB extension) can grant it the
 * app's own storage; the grant reaches this document only, not its workers, so the page serves that
 * IndexedDB to the engine worker over a MessagePort (workers/store/db.ts, attachStorePort).
 */
import { idbBackend, type StoreBackend } from '../../workers/store/idb-backend';
import type { EngineWorkerApi } from '../../workers/api';
import { Comlink, engine } from '../engine';

/** The handle requestStorageAccess({ indexedDB: true }) resolves with, where the browser has it. */
interface StorageAccessHandle {
  readonly indexedDB?: IDBFactory;
}
interface StorageAccessDocument {
  hasStorageAccess?(): Promise<boolean>;
  requestStorageAccess?(types?: { indexedDB: boolean }): Promise<StorageAccessHandle | undefined>;
}

export type AccessOutcome =
  | { kind: 'granted' }
  /** the browser has no Storage Access API, or grants only cookies */
  | { kind: 'unsupported' }
  /** refused: by the user, the browser's rules, or (no click) because it needs one */
  | { kind: 'denied'; reason: string };

/** Whether the browser could grant access at all (the button is shown only then). */
export function storageAccessSupported(): boolean {
  return typeof (document as StorageAccessDocument).requestStorageAccess === 'function' && window.top !== window;
}

/**
 * Ask for the app's first-party IndexedDB and, when granted, switch the engine worker to it. Call it
 * from a click the first time; once granted, later calls succeed without one.
 */
export async function requestAppStorage(): Promise<AccessOutcome> {
  const doc = document as StorageAccessDocument;
  if (!storageAccessSupported() || !doc.requestStorageAccess) return { kind: 'unsupported' };
  let handle: StorageAccessHandle | undefined;
  try {
    handle = await doc.requestStorageAccess({ indexedDB: true });
  } catch (e) {
    return { kind: 'denied', reason: (e as Error).message };
  }
  if (!handle?.indexedDB) return { kind: 'unsupported' };
  const backend = idbBackend(handle.indexedDB);
  try {
    await backend.allManifests(); // some browsers grant the permission yet refuse the database itself
  } catch (e) {
    return { kind: 'denied', reason: (e as Error).message };
  }
  await attachStore(backend);
  return { kind: 'granted' };
}

/**
 * From now on the engine worker (`worker`: the page's own by default) reads and writes the model store
 * through `backend`, served from this page. Rejects with an EngineStateError while a model is loaded.
 */
export async function attachStore(
  backend: StoreBackend,
  worker: Pick<Comlink.Remote<EngineWorkerApi>, 'attachStorePort'> = engine(),
): Promise<void> {
  const { port1, port2 } = new MessageChannel();
  Comlink.expose(transferringRecords(backend), port1);
  await worker.attachStorePort(Comlink.transfer(port2, [port2]));
}

/** Whether an earlier grant lets requestAppStorage() succeed without a click. */
export async function storageAccessGranted(): Promise<boolean> {
  if (!storageAccessSupported()) return false;
  try {
    const p = await navigator.permissions.query({ name: 'storage-access' });
    return p.state === 'granted';
  } catch {
    return false;
  }
}

/** Records are megabytes: move their bytes to the worker instead of copying them. */
function transferringRecords(b: StoreBackend): StoreBackend {
  return {
    ...b,
    async getRecord(key) {
      const r = await b.getRecord(key);
      return r ? Comlink.transfer(r, [r.data]) : r;
    },
  };
}
