/**
 * One factory per kernel: each turns tensors, buffers and shapes into a recorded Dispatch. Static
 * shape parameters go into a uniform made once here; what changes per step (token count, position)
 * is in the shared step uniform `S`.
 */
import { bindGroup, type Dispatch, type KernelLibrary, type StepShape } from './kernels';
import type { GpuTensor } from './weights';

const GRID_X = 16384;
const groupsFor = (n: number): [number, number] => [Math.min(n, GRID_X), Math.ceil(n / GRID_X)];

/** Invocations per row: a power of two up to 64, no more than the row's 32-weight units can use. */
export function threadsPerRow(K: number): number {
  const units = Math.ceil(K / 32);
  let t = 1;
  while (t < 64 && t < units) t *= 2;
  return t;
}

/**
 * Invocations per row of the matrix-vector kernels (matvec.wgsl, moe_matmul.wgsl): a power of two up
 * to `most` (KernelLibrary's rowThreads) that leaves each at least 32 weights, so that the loads of
 * its loop outweigh the row sum.
 */
export function matvecThreadsPerRow(K: number, most: number): number {
  let t = 1;
  while (t < most && 2 * t * 32 <= K) t *= 2;
  return t;
}

export interface MatmulShape {
  /** rows per batch (default: all of W's rows) */
  N?: number;
  Z?: number;
  wBase?: number;
  wBatch?: number;
  xBase?: number;
  xStride: number;
  xBatch?: number;
  yBase?: number;
  yStride: number;
  yBatch?: number;
  accumulate?: boolean;
}

export class Ops {
  constructor(
    private readonly device: GPUDevice,
    private readonly kernels: KernelLibrary,
    /** the step uniform {T, pos0, n_ctx} */
    readonly S: GPUBuffer,
  ) {}

  private dispatch(label: string, kernel: string, quant: string | undefined, buffers: GPUBuffer[], params: number[], floats: number[], workgroups: Dispatch['workgroups'], step: GPUBuffer = this.S, weightBytes?: Dispatch['weightBytes']): Dispatch {
    const pipeline = this.kernels.pipeline(kernel, quant);
    const P = this.kernels.uniform(params, `${label} params`, new Set(floats));
    const all = [...buffers.slice(0, 3), P, step, ...buffers.slice(3)];
    return { label, pipeline, bindGroup: bindGroup(this.device, pipeline, all, label), workgroups, ...(weightBytes ? { weightBytes } : {}) };
  }

  /**
   * Y (+)= W·X for every token of the step (`step` = a uniform saying T = 1: for the first token
   * only, whatever the step). Steps of one token run matvec.wgsl, others matmul.wgsl.
   */
  matmul(label: string, W: GpuTensor, X: GPUBuffer, Y: GPUBuffer, s: MatmulShape, step?: GPUBuffer): Dispatch {
    const N = s.N ?? W.nRows;
    const Z = s.Z ?? 1;
    // Each tile of 8 tokens reads the weights again; a step of one token reads them once.
    const bytes = Z * N * W.rowWords * 4;
    const oneToken = this.matvec(label, W, X, Y, s);
    if (step && oneToken) return { label, ...oneToken, weightBytes: () => bytes };
    const tpr = threadsPerRow(W.rowWeights);
    const [gx, gy] = groupsFor(Math.ceil((N * tpr) / 64));
    const p = [W.rowWeights, N, W.rowWords, s.wBase ?? 0, s.wBatch ?? 0, s.xBase ?? 0, s.xStride, s.xBatch ?? 0, s.yBase ?? 0, s.yStride, s.yBatch ?? 0, gx, s.accumulate ? 1 : 0, tpr];
    const d = this.dispatch(label, 'matmul', W.type, [W.buffer, X, Y], p, [], [gx, gy, Z], step, (st) => bytes * (step ? 1 : Math.ceil(st.T / 8)));
    return oneToken ? { ...d, oneToken } : d;
  }

  /** matvec.wgsl for the first token of X; undefined where X's offsets are not whole vec4s. */
  private matvec(label: string, W: GpuTensor, X: GPUBuffer, Y: GPUBuffer, s: MatmulShape): Dispatch['oneToken'] {
    const xBase = s.xBase ?? 0, xBatch = s.xBatch ?? 0;
    if (xBase % 4 !== 0 || xBatch % 4 !== 0) return undefined;
    const N = s.N ?? W.nRows;
    const tpr = matvecThreadsPerRow(W.rowWeights, this.kernels.options.rowThreads);
    // workgroups of 64 (matvec.wgsl's WG), 64 / tpr rows each
    const [gx, gy] = groupsFor(Math.ceil(N / (64 / tpr)));
    const p = [W.rowWeights, N, W.rowWords, s.wBase ?? 0, s.wBatch ?? 0, xBase, xBatch, s.yBase ?? 0, s.yBatch ?? 0, gx, s.accumulate ? 1 : 0, tpr];
    const pipeline = this.kernels.pipeline('matvec', W.type);
    const P = this.kernels.uniform(p, `${label} (one token) params`);
    return { pipeline, bindGroup: bindGroup(this.device, pipeline, [W.buffer, X, Y, P], `${label} (one token)`), workgroups: [gx, gy, s.Z ?? 1] };
  }

  embed(W: GpuTensor, ids: GPUBuffer, X: GPUBuffer): Dispatch {
    return this.dispatch('embed', 'embed', W.type, [W.buffer, ids, X], [W.rowWeights, W.rowWords], [], (st: StepShape) => [st.T, 1, 1], this.S, (st) => st.T * W.rowWords * 4);
  }

  rmsnorm(label: string, X: GPUBuffer, g: GpuTensor, Y: GPUBuffer, o: { dim: number; eps: number; xBase?: number; xStride: number; yBase?: number; yStride: number; atPosition?: boolean; lastOnly?: boolean }): Dispatch {
    const p = [o.dim, o.xBase ?? 0, o.xStride, o.yBase ?? 0, o.yStride, o.atPosition ? 1 : 0, o.lastOnly ? 1 : 0, o.eps];
    return this.dispatch(label, 'rmsnorm', undefined, [X, g.buffer, Y], p, [7], o.lastOnly ? [1, 1, 1] : (st: StepShape) => [st.T, 1, 1]);
  }

  rope(label: string, X: GPUBuffer, cs: GPUBuffer, Y: GPUBuffer, o: { nRot: number; heads: number; xBase: number; xStride: number; xHead: number; yBase: number; yStride: number; yHead: number; atPosition: boolean }): Dispatch {
    const p = [o.nRot, o.xBase, o.xStride, o.xHead, o.yBase, o.yStride, o.yHead, o.atPosition ? 1 : 0];
    return this.dispatch(label, 'rope', undefined, [X, cs, Y], p, [], (st: StepShape) => [st.T, o.heads, 1]);
  }

  /** Absorbed MLA attention: the extra (q_abs, q_pe, cache, out) bindings are ordered by the kernel. */
  attention(label: string, qAbs: GPUBuffer, qPe: GPUBuffer, cache: GPUBuffer, out: GPUBuffer, o: { R: number; nRot: number; H: number; scale: number }): Dispatch {
    const pipeline = this.kernels.pipeline('mla_attention');
    const P = this.kernels.uniform([o.R, o.nRot, o.H, o.H * o.nRot, o.nRot, 0, o.scale], `${label} params`, new Set([6]));
    return { label, pipeline, bindGroup: bindGroup(this.device, pipeline, [qAbs, qPe, cache, out, P, this.S], label), workgroups: (st: StepShape) => [st.T, o.H, 1] };
  }

  /** A = silu(G) * U over `n` values per row, `rowsPerToken` rows per token. */
  siluMul(label: string, G: GPUBuffer, U: GPUBuffer, A: GPUBuffer, n: number, rowsPerToken: number, maxTokens: number): Dispatch {
    const [gx] = groupsFor(Math.ceil((maxTokens * rowsPerToken * n) / 256));
    return this.dispatch(label, 'silu_mul', undefined, [G, U, A], [n, rowsPerToken, gx], [],
      (st: StepShape) => { const groups = Math.ceil((st.T * rowsPerToken * n) / 256); return [Math.min(groups, gx), Math.ceil(groups / gx), 1]; });
  }

  route(label: string, logits: GPUBuffer, ids: GPUBuffer, wts: GPUBuffer, o: { E: number; k: number; sigmoid: boolean; norm: boolean; scale: number }): Dispatch {
    return this.dispatch(label, 'moe_route', undefined, [logits, ids, wts], [o.E, o.k, o.sigmoid ? 1 : 0, o.norm ? 1 : 0, o.scale], [4], (st: StepShape) => [st.T, 1, 1]);
  }

  /** One part (gate, up or down) of the routed experts, for every (token, slot) pair. */
  moeMatmul(label: string, type: string, experts: GPUBuffer, table: GPUBuffer, ids: GPUBuffer, X: GPUBuffer, Y: GPUBuffer, o: { K: number; N: number; rowWords: number; partWords: number; xStride: number; xPerPair: boolean; k: number }): Dispatch {
    const tpr = matvecThreadsPerRow(o.K, this.kernels.options.rowThreads);
    const [gx, gy] = groupsFor(Math.ceil(o.N / (64 / tpr)));
    const p = [o.K, o.N, o.rowWords, o.partWords, o.xStride, o.xPerPair ? 1 : 0, o.k, gx, tpr];
    return this.dispatch(label, 'moe_matmul', type, [experts, X, Y, ids, table], p, [], (st: StepShape) => [gx, gy, st.T * o.k], this.S, (st) => st.T * o.k * o.N * o.rowWords * 4);
  }

  combine(label: string, Yp: GPUBuffer, wts: GPUBuffer, X: GPUBuffer, D: number, k: number): Dispatch {
    return this.dispatch(label, 'moe_combine', undefined, [Yp, wts, X], [D, k], [], (st: StepShape) => [Math.ceil(D / 64), st.T, 1]);
  }
}
