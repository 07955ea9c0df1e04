/**
 * The engine worker the test harness pages start: the production handler plus what only tests may
 * do. Built with the harness (vite.test.config.ts → dist-test/), never into the app.
 */
import * as Comlink from 'comlink';
import { EngineHandler } from '../../workers/engine/handler';
import { installErrorTransfer } from '../../workers/errors';

export class TestEngineHandler extends EngineHandler {
  /** Destroy the GPU device as a driver reset would: for testing the lost-device path. */
  async simulateDeviceLoss(): Promise<void> {
    this.engine?.gpu.device.destroy();
  }
}

installErrorTransfer(Comlink);
Comlink.expose(new TestEngineHandler());
