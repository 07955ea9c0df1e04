/**
 * Compiles the WGSL kernels in kernels/ into pipelines, once each. Kernels that read weights splice in
 * the decoder of the weight type (kernels/quant/<type>.wgsl, with kernels/quant/common.wgsl):
 * `//!include quant` takes the part before the file's `//!dot` line (decode32, for any kernel);
 * `//!include quant dot` takes all of it (dot_unit too, for kernels that bind X as vec4<f32>).
 * A decoder's `//!table NAME` lines become the i-quant codebook NAME (runtime/quant-tables-wgsl.ts).
 * `//!include rowsum` splices in the matrix-vector kernels' row sums: kernels/rowsum/subgroups.wgsl
 * where the device has subgroups, kernels/rowsum/workgroup.wgsl if not. `enable` and `requires`
 * directives of spliced files are moved to the top, where WGSL wants them.
 */
import { wgslTable } from './quant-tables-wgsl';

const SOURCES = import.meta.glob('../../kernels/**/*.wgsl', { query: '?raw', import: 'default', eager: true }) as Record<string, string>;

function source(path: string): string {
  const src = SOURCES[`../../kernels/${path}.wgsl`];
  if (src === undefined) throw new Error(`no kernel source kernels/${path}.wgsl`);
  return src;
}

export interface KernelOptions {
  /** use subgroup operations (the device must have the `subgroups` feature and WGSL's subgroup_id) */
  subgroups: boolean;
  /**
   * invocations the matrix-vector kernels give a row at most (a power of two up to 64): one subgroup
   * of the adapter's smallest size where there are subgroups, so that a row is summed by shuffles
   * alone; 32 (a warp, or half an AMD wave) without
   */
  rowThreads: number;
}

/** The WGSL of `kernel`, with the decoder of ggml type `quant` (e.g. "Q4_K") spliced in where asked. */
export function kernelSource(kernel: string, quant?: string, opts: Pick<KernelOptions, 'subgroups'> = { subgroups: false }): string {
  let src = source(kernel);
  if (src.includes('//!include quant')) {
    if (!quant) throw new Error(`kernel ${kernel} reads weights: give their type`);
    const decoder = source(`quant/${quant.toLowerCase()}`);
    const dot = decoder.indexOf('//!dot');
    if (dot < 0) throw new Error(`kernels/quant/${quant.toLowerCase()}.wgsl has no //!dot part`);
    const common = source('quant/common');
    src = src
      .replace('//!include quant dot', `${decoder}\n${common}`)
      .replace('//!include quant', `${decoder.slice(0, dot)}\n${common}`);
  }
  src = src.replace(/^\/\/!table (\w+)$/gm, (_, name: string) => wgslTable(name));
  src = src.replace('//!include rowsum', source(`rowsum/${opts.subgroups ? 'subgroups' : 'workgroup'}`));
  const directives = /^(?:enable|requires) [^;]*;[ \t]*$/gm;
  const hoisted = src.match(directives) ?? [];
  return hoisted.length ? `${hoisted.join('\n')}\n${src.replace(directives, '')}` : src;
}

/** Whether `device` can run the subgroup forms of the kernels. */
export function hasSubgroups(device: GPUDevice): boolean {
  return device.features.has('subgroups') && navigator.gpu.wgslLanguageFeatures.has('subgroup_id');
}

export class KernelLibrary {
  private readonly pipelines = new Map<string, GPUComputePipeline>();
  readonly options: KernelOptions;

  /** `options` default to what the device offers; tests pass others to reach every path of the kernels. */
  constructor(readonly device: GPUDevice, options?: Partial<KernelOptions>) {
    const subgroups = options?.subgroups ?? hasSubgroups(device);
    const smallest = subgroups ? device.adapterInfo?.subgroupMinSize ?? 32 : 32;
    const rowThreads = options?.rowThreads ?? Math.min(64, 2 ** Math.floor(Math.log2(Math.max(1, smallest))));
    this.options = { subgroups, rowThreads };
  }

  pipeline(kernel: string, quant?: string): GPUComputePipeline {
    const key = quant ? `${kernel}:${quant}` : kernel;
    let p = this.pipelines.get(key);
    if (!p) {
      const module = this.device.createShaderModule({ code: kernelSource(kernel, quant, this.options), label: key });
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
  /** what runs instead on a step of one token (decode), where the kernel has a faster form for it */
  readonly oneToken?: { readonly pipeline: GPUComputePipeline; readonly bindGroup: GPUBindGroup; readonly workgroups: readonly [number, number, number] };
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
    const run = step.T === 1 && d.oneToken ? d.oneToken : d;
    const [x, y, z] = typeof run.workgroups === 'function' ? run.workgroups(step) : run.workgroups;
    if (x * y * z === 0) continue;
    if (counters) {
      counters.dispatches++;
      counters.weightBytes += d.weightBytes?.(step) ?? 0;
    }
    pass.setPipeline(run.pipeline);
    pass.setBindGroup(0, run.bindGroup);
    pass.dispatchWorkgroups(x, y, z);
  }
}
