/**
 * Compiles the WGSL kernels in kernels/ into pipelines, once per kernel, weight type and set of
 * override constants. Kernel sources splice in shared files at `//!include` lines:
 *   `//!include <path>`     kernels/<path>.wgsl (shared declarations: common/step, common/sample_params,
 *                           common/select_state)
 *   `//!include quant`      the decoder of the weight type, the part before its `//!dot` line
 *                           (kernels/quant/<type>.wgsl: decode32, for any kernel), with quant/common
 *   `//!include quant dot`  all of the decoder (dot_unit too, for kernels that bind X as vec4<f32>); where
 *                           the library's `half` is on and the decoder has a `//!dot16` part, that
 *                           part's dot_unit (f16 products) instead of the f32 one
 *   `//!include rowsum`     the matrix-vector kernels' row sums: kernels/rowsum/subgroups.wgsl where
 *                           the device has subgroups, kernels/rowsum/workgroup.wgsl if not
 *   `//!include kv`         the KV cache's form, kernels/kv/<type>.wgsl for type "F32" or "F16" (given
 *                           where a weight type would be): its word type and pack/unpack functions
 *   `//!table NAME`         (in a decoder) the i-quant codebook NAME as a WGSL const array
 *                           (runtime/quant-tables-wgsl.ts)
 * `enable` and `requires` directives of spliced files are moved to the top, where WGSL wants them.
 *
 * Sizes a kernel depends on (its workgroup size, the latent width of the KV cache, the expert count)
 * are WGSL `override` constants, given here when the pipeline is made: the TypeScript that dispatches
 * a kernel is the one place they are written.
 */
import { softwareRendererName } from '../device/verdict';
import { wgslTable } from './quant-tables-wgsl';
import { packParams, type KernelWithParams, type ParamStruct, type ParamValues, KERNEL_PARAMS } from './params';

const SOURCES = import.meta.glob<string>('../../kernels/**/*.wgsl', { query: '?raw', import: 'default', eager: true });

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
  /**
   * the matrix-vector kernels' f16 path (the `//!dot16` dot_unit of Q4_0, Q5_0, Q8_0, Q4_K and Q6_K):
   * 'f16' where the device has shader-f16 (the default there), 'off' for the f32 path (the default
   * elsewhere); 'f32' runs the f16 path's code with f32 arithmetic, so tests reach its logic on
   * adapters without shader-f16
   */
  half: 'f16' | 'f32' | 'off';
  /**
   * workgroups the device runs at once, as far as the runtime can tell (WebGPU does not say): the
   * CPU's threads on a software adapter, 512 on a GPU. Sets how far a decode step's attention splits
   * the context (ops.ts, maxAttentionSplits).
   */
  parallelism: number;
}

/** The parallelism assumed of a hardware GPU: a few workgroups on each of some dozens of compute units. */
const GPU_PARALLELISM = 512;

/** Override constants of a pipeline: WGSL `override` name → value. */
export type Constants = Readonly<Record<string, number>>;

const INCLUDE = /^\/\/!include (\S+)( dot)?[ \t]*$/gm;

/**
 * The WGSL of `kernel` with its includes spliced in: the decoder of ggml type `quant` (e.g. "Q4_K")
 * where the kernel asks for one. Throws naming the kernel when it needs a type and none is given.
 */
export function kernelSource(
  kernel: string,
  quant?: string,
  opts: Pick<KernelOptions, 'subgroups'> & Partial<Pick<KernelOptions, 'half'>> = { subgroups: false },
): string {
  const splice = (src: string, depth: number): string =>
    src.replace(INCLUDE, (_line, path: string, dot?: string) => {
      if (depth > 4) throw new Error(`kernels/${kernel}.wgsl: includes nest too deep`);
      if (path === 'rowsum') return source(`rowsum/${opts.subgroups ? 'subgroups' : 'workgroup'}`);
      if (path === 'kv') {
        if (quant !== 'F32' && quant !== 'F16')
          throw new Error(`kernel ${kernel} reads the KV cache: give its type (F32 or F16), not ${quant}`);
        return source(`kv/${quant.toLowerCase()}`);
      }
      if (path !== 'quant') return splice(source(path), depth + 1);
      if (!quant) throw new Error(`kernel ${kernel} reads weights: give their type`);
      const decoder = source(`quant/${quant.toLowerCase()}`);
      const cut = decoder.search(/^\/\/!dot$/m);
      if (cut < 0) throw new Error(`kernels/quant/${quant.toLowerCase()}.wgsl has no //!dot part`);
      const cut16 = decoder.search(/^\/\/!dot16$/m);
      const common = source('quant/common');
      if (!dot) return `${decoder.slice(0, cut)}\n${common}`;
      const half = opts.half ?? 'off';
      if (half === 'off' || cut16 < 0) return `${cut16 < 0 ? decoder : decoder.slice(0, cut16)}\n${common}`;
      const H =
        half === 'f16' ? 'enable f16;\nalias H = f16;\nalias H4 = vec4<f16>;' : 'alias H = f32;\nalias H4 = vec4<f32>;';
      return `${decoder.slice(0, cut)}\n${H}\n${decoder.slice(cut16)}\n${common}`;
    });
  const src = splice(source(kernel), 0).replace(/^\/\/!table (\w+)$/gm, (_, name: string) => wgslTable(name));
  const directives = /^(?:enable|requires) [^;\n]*;[ \t]*$/gm;
  const hoisted = [...new Set(src.match(directives) ?? [])];
  return hoisted.length ? `${hoisted.join('\n')}\n${src.replace(directives, '')}` : src;
}

/** Whether `device` can run the f16 path of the kernels (KernelOptions.half 'f16'). */
export function hasF16(device: GPUDevice): boolean {
  return device.features.has('shader-f16');
}

/** Whether `device` can run the subgroup forms of the kernels. */
export function hasSubgroups(device: GPUDevice): boolean {
  return device.features.has('subgroups') && navigator.gpu.wgslLanguageFeatures.has('subgroup_id');
}

export class KernelLibrary {
  private readonly modules = new Map<string, GPUShaderModule>();
  private readonly pipelines = new Map<string, GPUComputePipeline>();
  readonly options: KernelOptions;

  /** `options` default to what the device offers; tests pass others to reach every path of the kernels. */
  constructor(
    readonly device: GPUDevice,
    options?: Partial<KernelOptions>,
  ) {
    const subgroups = options?.subgroups ?? hasSubgroups(device);
    const smallest = subgroups ? (device.adapterInfo?.subgroupMinSize ?? 32) : 32;
    const rowThreads = options?.rowThreads ?? Math.min(64, 2 ** Math.floor(Math.log2(Math.max(1, smallest))));
    const half = options?.half ?? (hasF16(device) ? 'f16' : 'off');
    if (half === 'f16' && !hasF16(device)) throw new Error('The f16 kernels need a device with shader-f16.');
    const info = device.adapterInfo;
    const software = info
      ? softwareRendererName({
          vendor: info.vendor,
          architecture: info.architecture,
          description: info.description,
          isFallbackAdapter: (info as GPUAdapterInfo & { isFallbackAdapter?: boolean }).isFallbackAdapter === true,
        }) !== null
      : false;
    const parallelism =
      options?.parallelism ?? (software ? Math.max(1, navigator.hardwareConcurrency || 1) : GPU_PARALLELISM);
    this.options = { subgroups, rowThreads, half, parallelism };
  }

  /** The pipeline of `kernel` (with weight type `quant` where it reads weights) and its constants. */
  pipeline(kernel: string, constants: Constants, quant?: string): GPUComputePipeline {
    const moduleKey = quant ? `${kernel}:${quant}` : kernel;
    const key = `${moduleKey} ${JSON.stringify(Object.entries(constants).sort())}`;
    let p = this.pipelines.get(key);
    if (!p) {
      let module = this.modules.get(moduleKey);
      if (!module) {
        module = this.device.createShaderModule({ code: kernelSource(kernel, quant, this.options), label: moduleKey });
        this.modules.set(moduleKey, module);
      }
      p = this.device.createComputePipeline({
        layout: 'auto',
        compute: { module, entryPoint: 'main', constants },
        label: key,
      });
      this.pipelines.set(key, p);
    }
    return p;
  }

  /** A uniform buffer holding `values` as `struct` lays them out (params.ts). */
  uniform<S extends ParamStruct>(struct: S, values: ParamValues<S>, label: string): GPUBuffer {
    const data = packParams(struct, values);
    const buf = this.device.createBuffer({
      size: data.byteLength,
      usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
      label,
    });
    this.device.queue.writeBuffer(buf, 0, data);
    return buf;
  }

  /** The `Params` uniform of `kernel` (params.ts, KERNEL_PARAMS). */
  params<K extends KernelWithParams>(
    kernel: K,
    values: ParamValues<(typeof KERNEL_PARAMS)[K]>,
    label: string,
  ): GPUBuffer {
    return this.uniform(KERNEL_PARAMS[kernel], values, label);
  }
}

/** One recorded dispatch: built once at load, encoded again every step. */
export interface Dispatch {
  readonly label: string;
  readonly pipeline: GPUComputePipeline;
  readonly bindGroup: GPUBindGroup;
  /** workgroup counts; a function when they depend on the step (token count, position) */
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

/** The step uniform's values (params.ts, STEP): tokens fed this step, and the first one's position. */
export interface StepShape {
  readonly T: number;
  readonly pos0: number;
}

export function bindGroup(
  device: GPUDevice,
  pipeline: GPUComputePipeline,
  buffers: readonly (GPUBuffer | GPUBufferBinding)[],
  label: string,
): GPUBindGroup {
  return device.createBindGroup({
    layout: pipeline.getBindGroupLayout(0),
    entries: buffers.map((b, binding) => ({ binding, resource: b instanceof GPUBuffer ? { buffer: b } : b })),
    label,
  });
}

export function encodeDispatches(
  pass: GPUComputePassEncoder,
  dispatches: readonly Dispatch[],
  step: StepShape,
  counters?: WorkCounters,
): void {
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
