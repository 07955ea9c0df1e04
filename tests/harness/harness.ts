/**
 * Exposes the runtime's building blocks on window for Playwright tests and the command-line tools,
 * which drive a real Chromium, with the test engine worker (test-engine.ts). Built into dist-test/
 * by vite.test.config.ts; the app never loads it.
 */
import { ggmlTypeByName } from '../../workers/gguf/ggml-types';
import { acquireGpu, type Gpu } from '../../workers/runtime/gpu';
import { encodeDispatches, type KernelLibrary } from '../../workers/runtime/kernels';
import { Ops, view } from '../../workers/runtime/ops';
import { STEP } from '../../workers/runtime/params';
import { storedRowBytes, transcodeRows } from '../../workers/store/layout';
import { Comlink } from '../../src/engine';
import { attachStore as attachStoreTo } from '../../src/embed/storage-access';
import type { StoreBackend } from '../../workers/store/idb-backend';
import { engine, HarnessEngine as LiteCoderEngine } from './test-engine';
import { RemoteEngine } from '../../src/api/remote-engine';
import { idbBackend } from '../../workers/store/idb-backend';
import { kernelLibrary, type KernelVariant } from './kernel-variants';

let gpu: Promise<{ gpu: Gpu; kernels: KernelLibrary }> | undefined;

function runtime() {
  gpu ??= acquireGpu().then((g) => ({ gpu: g, kernels: kernelLibrary(g.device) }));
  return gpu;
}

function storage(device: GPUDevice, data: ArrayBufferView | number, label: string): GPUBuffer {
  const size = Math.max(16, Math.ceil((typeof data === 'number' ? data : data.byteLength) / 4) * 4);
  const b = device.createBuffer({
    size,
    usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
    label,
  });
  if (typeof data !== 'number') device.queue.writeBuffer(b, 0, data.buffer, data.byteOffset, data.byteLength);
  return b;
}

async function readF32(device: GPUDevice, src: GPUBuffer, n: number): Promise<Float32Array> {
  const rb = device.createBuffer({ size: n * 4, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const enc = device.createCommandEncoder();
  enc.copyBufferToBuffer(src, 0, rb, 0, n * 4);
  device.queue.submit([enc.finish()]);
  await rb.mapAsync(GPUMapMode.READ);
  const out = new Float32Array(rb.getMappedRange().slice(0));
  rb.destroy();
  return out;
}

/**
 * Y[z][t][r] (+)= W[z] · X[z][t] on the GPU as the model records it (Ops.matmul: matmul.wgsl, or
 * matvec.wgsl in the decode form, when T = 1), W given in GGUF file layout (Z matrices of N rows of K weights, one after
 * the other). `o.y0`: Y's contents before, which the kernel adds to (accumulate). `o.variant`: kernel
 * options instead of the device's own (subgroups: false, the workgroup-memory form; rowThreads).
 */
async function matmul(
  type: string,
  K: number,
  N: number,
  T: number,
  Z: number,
  fileBytes: Uint8Array,
  x: Float32Array,
  o: { y0?: Float32Array; variant?: KernelVariant } = {},
): Promise<Float32Array> {
  const { gpu: g } = await runtime();
  const kernels = kernelLibrary(g.device, o.variant);
  const t = ggmlTypeByName(type);
  const stored = transcodeRows(t, K, fileBytes, N * Z);
  const rowWords = storedRowBytes(t, K) / 4;
  const W = storage(g.device, stored, 'W');
  const X = storage(g.device, x, 'X');
  const Y = storage(g.device, o.y0 ?? Z * T * N * 4, 'Y');
  const S = kernels.uniform(STEP, { T, pos0: 0 }, 'S');
  // A step of one token runs the decode form (matvec.wgsl), as the model does.
  const ops = new Ops(g.device, kernels, S, T === 1 ? 'decode' : 'prefill', T);
  const tensor = { name: 'W', buffer: W, type, rowWeights: K, nRows: N * Z, rowWords };
  const d = ops.matmul('matmul', tensor, view(X, { row: K, head: T * K }), view(Y, { row: N, head: T * N }), {
    heads: Z,
    accumulate: o.y0 !== undefined,
  });
  g.device.pushErrorScope('validation');
  const enc = g.device.createCommandEncoder();
  const pass = enc.beginComputePass();
  encodeDispatches(pass, [d], { T, pos0: 0 });
  pass.end();
  g.device.queue.submit([enc.finish()]);
  const err = await g.device.popErrorScope();
  if (err) throw new Error(`WebGPU validation error: ${err.message}`);
  const out = await readF32(g.device, Y, Z * T * N);
  [W, X, Y, S].forEach((b) => b.destroy());
  return out;
}

const attachStore = (b: StoreBackend) => attachStoreTo(b, engine());

const harness = {
  matmul,
  runtime,
  storage,
  readF32,
  engine,
  Comlink,
  LiteCoderEngine,
  RemoteEngine,
  attachStore,
  idbBackend,
};
declare global {
  interface Window {
    liteCoderHarness: typeof harness;
  }
}
window.liteCoderHarness = harness;
document.body.dataset.ready = '1';
