/**
 * The engine worker's API, as the UI sees it through comlink. Callbacks passed here must be wrapped
 * in Comlink.proxy on the UI side.
 */
import type { DeviceReport } from './device/types';
import type { ImportProgress, ImportSource, ModelSummary, VerifyResult } from './store/types';

export interface EngineWorkerApi {
  /** What the device offers and whether DeepSeek-Coder-V2-Lite can run on it. */
  probeDevice(): Promise<DeviceReport>;

  /** Stored models, complete or not, with their size on disk. */
  listModels(): Promise<ModelSummary[]>;
  /**
   * Import a GGUF file into the model store, or resume an unfinished import of the same file.
   * Rejects with a clear message on bad input; nothing is left behind then.
   */
  importModel(source: ImportSource, onProgress: (p: ImportProgress) => void): Promise<ModelSummary>;
  /** Stop the running import; its partial records are deleted. */
  cancelImport(): Promise<void>;
  deleteModel(id: string): Promise<void>;
  verifyModel(id: string, onProgress: (done: number, total: number) => void): Promise<VerifyResult>;
}
