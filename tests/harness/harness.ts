/**
 * Exposes the runtime's building blocks on window for Playwright tests and the command-line tools,
 * which drive a real Chromium. Built as a separate page; the app never loads it.
 */
import { engine } from '../../src/engine';
import { ggmlTypeByName } from '../../workers/gguf/ggml-types';
import { acquireGpu, type Gpu } from '../../workers/runtime/gpu';
import { bindGroup, encodeDispatches, KernelLibrary } from '../../workers/runtime/kernels';
import { threadsPerRow } from '../../workers/runtime/ops';
import { storedRowBytes, transcodeRows } from '../../workers/store/layout';
import { Comlink } from '../../src/engine';
import { LiteCoderEngine } from '../../src/api/engine-client';
import { attachStore } from '../../src/embed/storage-access';
import { idbBackend } from '../../workers/store/idb-backend';

let gpu: Promise<{ gpu: Gpu; kernels: KernelLibrary }> | undefined;

function runtime() {
  gpu ??= acquireGpu().then((g) => ({ gpu: g, kernels: new KernelLibrary(g.device) }));
  return gpu;
}

function storage(device: GPUDevice, data: ArrayBufferView | number, label: string): GPUBuffer {
  const size = Math.max(16, Math.ceil((typeof data === 'number' ? data : data.byteLength) / 4) * 4);
  const b = device.createBuffer({ size, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST, label });
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
 * Y[z][t][r] = W[z] · X[z][t] on the GPU through kernels/matmul.wgsl, W given in GGUF file layout
 * (Z matrices of N rows of K weights, one after the other).
 */
async function matmul(type: string, K: number, N: number, T: number, Z: number, fileBytes: Uint8Array, x: Float32Array): Promise<Float32Array> {
  const { gpu: g, kernels } = await runtime();
  const t = ggmlTypeByName(type);
  const stored = transcodeRows(t, K, fileBytes, N * Z);
  const rowWords = storedRowBytes(t, K) / 4;
  const W = storage(g.device, stored, 'W');
  const X = storage(g.device, x, 'X');
  const Y = storage(g.device, Z * T * N * 4, 'Y');
  const tpr = threadsPerRow(K);
  const groups = Math.ceil((N * tpr) / 64);
  const gridX = Math.min(groups, 4096);
  const P = kernels.uniform([K, N, rowWords, 0, N * rowWords, 0, K, T * K, 0, N, T * N, gridX, 0, tpr], 'P');
  const S = kernels.uniform([T, 0, 0, 0], 'S');
  const pipeline = kernels.pipeline('matmul', type);
  const enc = g.device.createCommandEncoder();
  const pass = enc.beginComputePass();
  encodeDispatches(pass, [{ label: 'matmul', pipeline, bindGroup: bindGroup(g.device, pipeline, [W, X, Y, P, S], 'mm'), workgroups: [gridX, Math.ceil(groups / gridX), Z] }], { T, pos0: 0 });
  pass.end();
  g.device.queue.submit([enc.finish()]);
  const out = await readF32(g.device, Y, Z * T * N);
  [W, X, Y, P, S].forEach((b) => b.destroy());
  return out;
}

const harness = { matmul, runtime, storage, readF32, engine, Comlink, LiteCoderEngine, attachStore, idbBackend };
declare global {
  interface Window { liteCoderHarness: typeof harness }
}
window.liteCoderHarness = harness;
document.body.dataset.ready = '1';
