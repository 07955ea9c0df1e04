/**
 * The engine worker: everything heavy runs here, off the UI thread (GGUF parsing, the model store,
 * and the GPU runtime). The UI reaches it only through the API below, over comlink.
 */
import * as Comlink from 'comlink';
import type { EngineWorkerApi } from './api';
import { probeDevice } from './device/probe';
import { modelStoreApi } from './store/api';
import { runtimeApi } from './engine/api';

const api: EngineWorkerApi = {
  probeDevice,
  ...modelStoreApi,
  ...runtimeApi,
};

Comlink.expose(api);
