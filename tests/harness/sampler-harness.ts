/**
 * Exposes the GPU sampler on window.samplerHarness for tests/browser/sampler.spec.ts. Built as a page
 * of its own (vite.config.ts); the app never loads it. Counts every GPUBuffer.mapAsync of the page, so
 * the tests can check that a step reads back one buffer.
 */
import { acquireGpu } from '../../workers/runtime/gpu';
import { KernelLibrary } from '../../workers/runtime/kernels';
import { GpuSampler, type SampleResult } from '../../workers/runtime/sampler';
import type { SamplingParams } from '../../workers/runtime/sampling-params';

let mapCalls = 0;
const mapAsync = GPUBuffer.prototype.mapAsync;
GPUBuffer.prototype.mapAsync = function (this: GPUBuffer, ...args: Parameters<GPUBuffer['mapAsync']>) {
  mapCalls++;
  return mapAsync.apply(this, args);
};

let runtime: Promise<{ device: GPUDevice; kernels: KernelLibrary }> | undefined;
function gpu() {
  runtime ??= acquireGpu().then((g) => ({ device: g.device, kernels: new KernelLibrary(g.device) }));
  return runtime;
}

/** `logits` placed `offsetFloats` into a larger storage buffer, to exercise unaligned offsets. */
function upload(device: GPUDevice, logits: Float32Array<ArrayBuffer>, offsetFloats: number): GPUBuffer {
  const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC;
  const b = device.createBuffer({ size: (offsetFloats + logits.length + 7) * 4, usage, label: 'logits' });
  device.queue.writeBuffer(b, offsetFloats * 4, logits);
  return b;
}

export interface Step {
  params: SamplingParams;
  step: number;
  history: number[];
  /** logit_bias entries [id, value] (setBias) */
  bias?: [number, number][];
  /** the tokens a grammar allows (setMask); absent: all */
  allowed?: number[];
  /** top logprobs to report (0-5); absent: no logprobs */
  logprobs?: number;
}

/** The sampler's mask words for the allowed token ids. */
function maskOf(V: number, allowed: readonly number[]): Uint32Array<ArrayBuffer> {
  const words = new Uint32Array(Math.ceil(V / 32));
  for (const id of allowed) words[id >>> 5]! |= 1 << (id & 31);
  return words;
}

export interface RunResult {
  results: SampleResult[];
  /** mapAsync calls made during the steps */
  mapCalls: number;
  /** wall time of each step: encode, submit, read back */
  ms: number[];
}

/** Independent steps over the same logits: each sets its own history. */
async function run(logits: number[], steps: Step[], maxHistory: number, offsetFloats = 0): Promise<RunResult> {
  const { device, kernels } = await gpu();
  const buf = upload(device, new Float32Array(logits), offsetFloats);
  const sampler = new GpuSampler(device, kernels, logits.length, maxHistory);
  const results: SampleResult[] = [];
  const ms: number[] = [];
  const before = mapCalls;
  for (const s of steps) {
    const t0 = performance.now();
    sampler.setHistory(s.history);
    sampler.setBias({ logitBias: new Map(s.bias ?? []) });
    sampler.setMask(s.allowed ? maskOf(logits.length, s.allowed) : null);
    results.push(await sampler.sample(buf, offsetFloats * 4, s.params, s.step, s.logprobs));
    ms.push(performance.now() - t0);
  }
  const calls = mapCalls - before;
  sampler.destroy();
  buf.destroy();
  return { results, mapCalls: calls, ms };
}

/**
 * A generation-shaped loop: each step, in one submit, a stand-in for the forward pass (copying that
 * step's logits into place), then the sampler; one read; the chosen id joins the history.
 */
async function generate(
  logitsPerStep: number[][],
  params: SamplingParams,
  prompt: number[],
  maxHistory: number,
  penalties: { frequency?: number; presence?: number } = {},
): Promise<RunResult> {
  const { device, kernels } = await gpu();
  const V = logitsPerStep[0]!.length;
  const staging = logitsPerStep.map((l) => upload(device, new Float32Array(l), 0));
  const logits = device.createBuffer({
    size: V * 4,
    usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST,
    label: 'logits',
  });
  const sampler = new GpuSampler(device, kernels, V, maxHistory);
  sampler.setHistory(prompt);
  sampler.setBias(penalties);
  const results: SampleResult[] = [];
  const ms: number[] = [];
  const before = mapCalls;
  device.pushErrorScope('validation');
  for (let step = 0; step < staging.length; step++) {
    const t0 = performance.now();
    const encoder = device.createCommandEncoder();
    encoder.copyBufferToBuffer(staging[step]!, 0, logits, 0, V * 4);
    const pass = encoder.beginComputePass();
    sampler.encodeCompute(pass, logits, 0, params, step);
    pass.end();
    sampler.encodeReadback(encoder);
    device.queue.submit([encoder.finish()]);
    const r = await sampler.read();
    sampler.appendHistory(r.id);
    results.push(r);
    ms.push(performance.now() - t0);
  }
  const calls = mapCalls - before;
  const error = await device.popErrorScope();
  if (error) throw new Error(error.message);
  sampler.destroy();
  [...staging, logits].forEach((b) => b.destroy());
  return { results, mapCalls: calls, ms };
}

/** Messages of the errors the sampler throws for these inputs, in order ('' when none). */
async function errors(
  V: number,
  cases: { params: SamplingParams; history: number[]; offsetBytes: number }[],
): Promise<string[]> {
  const { device, kernels } = await gpu();
  const buf = upload(device, new Float32Array(V), 0);
  const sampler = new GpuSampler(device, kernels, V, 8);
  const out: string[] = [];
  for (const c of cases) {
    try {
      sampler.setHistory(c.history);
      await sampler.sample(buf, c.offsetBytes, c.params, 0);
      out.push('');
    } catch (e) {
      out.push(e instanceof Error ? e.message : String(e));
    }
  }
  sampler.destroy();
  buf.destroy();
  return out;
}

const harness = { run, generate, errors };
declare global {
  interface Window {
    samplerHarness: typeof harness;
  }
}
window.samplerHarness = harness;
document.body.dataset.ready = '1';
