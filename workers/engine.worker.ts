/**
 * The engine worker: everything heavy runs here, off the UI thread (GGUF parsing, the model store,
 * and the GPU runtime). The UI reaches it only through its one handler, over comlink.
 */
import * as Comlink from 'comlink';
import { EngineHandler } from './engine/handler';
import { installErrorTransfer } from './errors';

installErrorTransfer(Comlink);
Comlink.expose(new EngineHandler());
