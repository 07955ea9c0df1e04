/**
 * Compiles the WGSL kernels in kernels/ into pipelines, once each. A kernel that reads weights has a
 * `//!include quant` line, replaced by kernels/quant/common.wgsl and the decoder of the weight type.
 */
const SOURCES = import.meta.glob('../../kernels/**/*.wgsl', { query: '?raw', import: 'default', eager: true }) as Record<string, string>;

function source(path: string): string {
  const src = SOURCES[`../../kernels/${path}.wgsl`];
  if (src === undefined) throw new Error(`no kernel source kernels/${path}.wgsl`);
  return src;
}

/** The WGSL of `kernel`, with the decoder of ggml type `quant` (e.g. "Q4_K") spliced in where asked. */
export function kernelSource(kernel: string, quant?: string): string {
  const src = source(kernel);
  if (!src.includes('//!include quant')) return src;
  if (!quant) throw new Error(`kernel ${kernel} reads weights: give their type`);
  return src.replace('//!include quant', `${source(`quant/${quant.toLowerCase()}`)}\n${source('quant/common')}`);
}

export class KernelLibrary {
  private readonly pipelines = new Map<string, GPUComputePipeline>();
  constructor(readonly device: GPUDevice) {}

  pipeline(kernel: string, quant?: string): GPUComputePipeline {
    const key = quant ? `${kernel}:${quant}` : kernel;
    let p = this.pipelines.get(key);
    if (!p) {
      const module = this.device.createShaderModule({ code: kernelSource(kernel, quant), label: key });
      p = this.device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' }, label: key });
      this.pipelines.set(key, p);
    }
    return p;
  }

  /** A uniform buffer of u32 (and f32, written as their bits) values, padded to 16 bytes. */
  uniform(values: readonly number[], label: string, floats: ReadonlySet<number> = new Set()): GPUBuffer {
    const n = Math.ceil(values.length / 4) * 4;
    const buf = this.device.createBuffer({ size: n * 4, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST, label });
    const data = new ArrayBuffer(n * 4);
    const u = new Uint32Array(data);
    const f = new Float32Array(data);
    values.forEach((v, i) => { if (floats.has(i)) f[i] = v; else u[i] = v; });
    this.device.queue.writeBuffer(buf, 0, data);
    return buf;
  }
}

/** One recorded dispatch: built once at load, encoded again every step. */
export interface Dispatch {
  readonly label: string;
  readonly pipeline: GPUComputePipeline;
  readonly bindGroup: GPUBindGroup;
  /** workgroup counts; a function when they depend on the step (token count, context length) */
  readonly workgroups: readonly [number, number, number] | ((step: StepShape) => readonly [number, number, number]);
  /** bytes of weights the dispatch reads, for the benchmark's figures */
  readonly weightBytes?: (step: StepShape) => number;
}

/** What the GPU was asked to do, counted as it is encoded. */
export interface WorkCounters {
  dispatches: number;
  submits: number;
  readbacks: number;
  weightBytes: number;
}

export const newCounters = (): WorkCounters => ({ dispatches: 0, submits: 0, readbacks: 0, weightBytes: 0 });

export interface StepShape {
  /** tokens fed this step */
  readonly T: number;
  /** position of the first of them */
  readonly pos0: number;
}

export function bindGroup(device: GPUDevice, pipeline: GPUComputePipeline, buffers: readonly (GPUBuffer | GPUBufferBinding)[], label: string): GPUBindGroup {
  return device.createBindGroup({
    layout: pipeline.getBindGroupLayout(0),
    entries: buffers.map((b, binding) => ({ binding, resource: b instanceof GPUBuffer ? { buffer: b } : b })),
    label,
  });
}

export function encodeDispatches(pass: GPUComputePassEncoder, dispatches: readonly Dispatch[], step: StepShape, counters?: WorkCounters): void {
  for (const d of dispatches) {
    const [x, y, z] = typeof d.workgroups === 'function' ? d.workgroups(step) : d.workgroups;
    if (x * y * z === 0) continue;
    if (counters) {
      counters.dispatches++;
      counters.weightBytes += d.weightBytes?.(step) ?? 0;
    }
    pass.setPipeline(d.pipeline);
    pass.setBindGroup(0, d.bindGroup);
    pass.dispatchWorkgroups(x, y, z);
  }
}
