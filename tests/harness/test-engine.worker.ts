/**
 * The engine worker the test harness pages start: the production handler plus what only tests may
 * do. Built with the harness (vite.test.config.ts → dist-test/), never into the app.
 */
import * as Comlink from 'comlink';
import { EngineHandler } from '../../workers/engine/handler';
import { installErrorTransfer } from '../../workers/errors';

/** Every GPU device this worker asked for and destroyed, so tests can see that none leaks. */
const devices = { created: 0, destroyed: 0 };
const requestDevice = GPUAdapter.prototype.requestDevice;
GPUAdapter.prototype.requestDevice = async function (
  this: GPUAdapter,
  ...args: Parameters<GPUAdapter['requestDevice']>
) {
  const device = await requestDevice.apply(this, args);
  devices.created++;
  const destroy = device.destroy.bind(device);
  let destroyed = false;
  device.destroy = () => {
    if (!destroyed) devices.destroyed++;
    destroyed = true;
    destroy();
  };
  return device;
};

export class TestEngineHandler extends EngineHandler {
  /** Destroy the GPU device as a driver reset would: for testing the lost-device path. */
  async simulateDeviceLoss(): Promise<void> {
    this.engine?.gpu.device.destroy();
  }

  /** GPU devices requested and destroyed by this worker so far. */
  async deviceCounts(): Promise<{ created: number; destroyed: number }> {
    return { ...devices };
  }
}

installErrorTransfer(Comlink);
Comlink.expose(new TestEngineHandler());
