/**
 * One factory per kernel: each turns tensors, views of activation buffers and shapes into a recorded
 * Dispatch. Static shape parameters go into the kernel's `Params` uniform (params.ts), made once here;
 * what changes per step (token count, position) is in the shared step uniform `S`.
 *
 * An Ops records one of the two forms of the graph: `prefill` (steps of several tokens: matmul.wgsl
 * decodes each weight once for a tile of tokens) or `decode` (steps of one token: matvec.wgsl streams
 * the weights). DeepSeek2 records the graph once in each form and runs the one that fits the step.
 */
import { bindGroup, type Constants, type Dispatch, type KernelLibrary, type StepShape } from './kernels';
import type { KernelWithParams, ParamValues, KERNEL_PARAMS } from './params';
import type { KvCache } from './kv';
import type { GpuTensor } from './weights';

export type { KvCache, KvType } from './kv';

/**
 * Where values sit in an f32 activation buffer, as ggml_view_3d describes a tensor inside another:
 * value i of head h of token t is at `base + t*row + h*head + i` (units: f32 elements). `t` counts
 * the step's tokens, or, with `atPosition`, positions in the sequence (t + pos0): the KV cache.
 */
export interface ViewLayout {
  readonly base: number;
  readonly row: number;
  readonly head: number;
  readonly atPosition: boolean;
}

/** A ViewLayout on a buffer. */
export interface View extends ViewLayout {
  readonly buffer: GPUBuffer;
}

/** A view of `buffer`: rows of `row` floats from `base`, heads `head` floats apart. */
export function view(buffer: GPUBuffer, o: { row: number; base?: number; head?: number; atPosition?: boolean }): View {
  return { buffer, base: o.base ?? 0, row: o.row, head: o.head ?? 0, atPosition: o.atPosition ?? false };
}

/** Invocations per workgroup of each kernel (their WGSL `override WG`). */
export const WORKGROUP = {
  embed: 64,
  rmsnorm: 64,
  rope: 32,
  matmul: 64,
  matvec: 64,
  moe_matmul: 64,
  silu_mul: 256,
  moe_route: 64,
  moe_combine: 64,
  kv_store: 64,
} as const;

const GRID_X = 16384;
const groupsFor = (n: number): [number, number] => [Math.min(n, GRID_X), Math.ceil(n / GRID_X)];

/** Invocations per row of matmul.wgsl: a power of two up to its WG, no more than the row's 32-weight units can use. */
export function threadsPerRow(K: number): number {
  const units = Math.ceil(K / 32);
  let t = 1;
  while (t < WORKGROUP.matmul && t < units) t *= 2;
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

/** Registers of accumulators (vec4s) a decode attention invocation keeps at most (MAX_ACC in the kernel). */
const MAX_ACC = 8;

/** The tile shape of mla_attention.wgsl (prefill): its overrides. */
export interface AttentionTiles {
  /** invocations per workgroup */
  readonly WG: number;
  /** queries (tokens of one head) per workgroup, a multiple of 4: TQ / 4 * CB <= WG */
  readonly TQ: number;
  /** cache positions per tile (the rows held in workgroup memory), a multiple of 4 */
  readonly TK: number;
  /** output column blocks (4 vec4s of o_lat each): ceil(R / 16) */
  readonly CB: number;
  /** ranges each 4 x 4 score block's dot products are cut into (1: none) */
  readonly SLICES: number;
}

/** Bytes of workgroup memory mla_attention.wgsl takes with tiles `t` over cache rows of `latent` values. */
export function attentionTileBytes(t: Pick<AttentionTiles, 'TQ' | 'TK' | 'SLICES'>, latent: number): number {
  const parts = t.SLICES > 1 ? t.SLICES * (t.TQ / 4) * (t.TK / 4) * 64 : 16;
  return t.TK * latent * 4 + t.TQ * t.TK * 4 + 3 * t.TQ * 4 + parts;
}

/**
 * The prefill attention's tiles for a latent of R and a rope slice of nRot (multiples of 4) on a
 * device with `limits`. Each invocation owns a block of 4 queries x 4 vec4 columns of the output, so
 * a workgroup of WG takes TQ = 4 * floor(WG / CB) queries (at most 64): WG the smallest of 64, 128,
 * 256 (within the device's limit) that gives 16 queries, or the largest allowed. Cache positions per
 * tile: as many as give every invocation two 4 x 4 blocks of scores (at most 64), fewer when workgroup
 * memory is short; the score blocks are then cut into slices of the row (as many as fit beside the
 * tile), and of the sizes that fit, the one that keeps the most invocations busy on the scores wins
 * (the larger at a tie). Undefined when not even 4 positions fit.
 */
export function attentionTiles(
  R: number,
  nRot: number,
  limits: Pick<GPUSupportedLimits, 'maxComputeWorkgroupStorageSize' | 'maxComputeInvocationsPerWorkgroup'>,
): AttentionTiles | undefined {
  const CB = Math.ceil(R / 16);
  const LAT4 = (R + nRot) / 4;
  let WG = 64;
  while (WG < 256 && 2 * WG <= limits.maxComputeInvocationsPerWorkgroup && 4 * Math.floor(WG / CB) < 16) WG *= 2;
  const TQ = Math.min(64, 4 * Math.floor(WG / CB));
  if (TQ < 4) return undefined;
  const limit = limits.maxComputeWorkgroupStorageSize;
  let best: AttentionTiles | undefined;
  let bestBusy = 0;
  for (let TK = Math.min(64, 8 * Math.ceil(WG / (TQ / 4))); TK >= 4; TK -= 4) {
    const NB = (TQ / 4) * (TK / 4);
    let SLICES = Math.max(1, Math.min(Math.floor(WG / NB), LAT4));
    while (SLICES > 1 && attentionTileBytes({ TQ, TK, SLICES }, R + nRot) > limit) SLICES--;
    if (attentionTileBytes({ TQ, TK, SLICES }, R + nRot) > limit) continue;
    // the invocations the scores keep busy; at equal counts, the larger tile
    const busy = Math.min(WG, NB * SLICES);
    if (busy > bestBusy) {
      best = { WG, TQ, TK, CB, SLICES };
      bestBusy = busy;
    }
  }
  return best;
}

/** Invocations per workgroup of the decode attention (mla_attention_split.wgsl, _combine.wgsl). */
const SPLIT_WG = 64;

/** Bytes of workgroup memory mla_attention_split.wgsl takes for a cache row of `latent` values. */
export const attentionSplitBytes = (latent: number): number => (latent + 2 * SPLIT_WG) * 4;

/** Positions a decode split gets at least: four chunks of the split kernel's workgroup. */
export const MIN_SPLIT_POSITIONS = 4 * SPLIT_WG;

/**
 * Splits of the context a decode step's attention gets (flash-decoding), at most `most`: one per
 * MIN_SPLIT_POSITIONS positions of a context of `n`, so that a long context fills the device.
 */
export function attentionSplits(n: number, most: number): number {
  return Math.max(1, Math.min(most, Math.floor(n / MIN_SPLIT_POSITIONS)));
}

/**
 * The most splits a decode step's attention takes over H heads: enough workgroups to fill a device
 * that runs `parallelism` at once (KernelOptions), and at least 1.
 */
export function maxAttentionSplits(H: number, parallelism: number): number {
  return Math.max(1, Math.min(256, Math.ceil(parallelism / H)));
}

/** Bytes of workgroup memory moe_route.wgsl needs for `experts` experts. */
export const routeWorkgroupBytes = (experts: number): number => experts * 4;

export type GraphForm = 'prefill' | 'decode';

export class Ops {
  constructor(
    private readonly device: GPUDevice,
    private readonly kernels: KernelLibrary,
    /** the step uniform (params.ts, STEP) */
    readonly S: GPUBuffer,
    readonly form: GraphForm,
    /** most tokens a step of this form feeds (1 when decoding) */
    readonly maxTokens: number,
  ) {}

  private dispatch<K extends KernelWithParams>(
    label: string,
    kernel: K,
    o: {
      params: ParamValues<(typeof KERNEL_PARAMS)[K]>;
      /** the bindings before P and S, then those after them (the kernel header's order) */
      buffers: readonly GPUBuffer[];
      after?: readonly GPUBuffer[];
      quant?: string;
      constants?: Constants;
      workgroups: Dispatch['workgroups'];
      weightBytes?: Dispatch['weightBytes'];
      /** the kernel binds no step uniform (matvec) */
      noStep?: boolean;
    },
  ): Dispatch {
    const wg = (WORKGROUP as Record<string, number>)[kernel];
    const pipeline = this.kernels.pipeline(kernel, { ...(wg ? { WG: wg } : {}), ...o.constants }, o.quant);
    const P = this.kernels.params(kernel, o.params, `${label} params`);
    const all = [...o.buffers, P, ...(o.noStep ? [] : [this.S]), ...(o.after ?? [])];
    return {
      label,
      pipeline,
      bindGroup: bindGroup(this.device, pipeline, all, label),
      workgroups: o.workgroups,
      ...(o.weightBytes ? { weightBytes: o.weightBytes } : {}),
    };
  }

  /**
   * y[t][h] (+)= W[h] · x[t][h] for every token t of the step and head h < heads: W's rows split into
   * `heads` equal matrices (per-head projections such as wk_b and wv_b), or one. In the decode form
   * this is matvec.wgsl wherever x's offsets are whole vec4s (they are in the model), else matmul.wgsl.
   */
  matmul(label: string, W: GpuTensor, x: View, y: View, o: { heads?: number; accumulate?: boolean } = {}): Dispatch {
    if (this.form === 'decode' && x.base % 4 === 0 && x.head % 4 === 0) return this.matvec(label, W, x, y, o);
    noPosition(x, y);
    const heads = o.heads ?? 1;
    const N = W.nRows / heads;
    // Each tile of 8 tokens reads the weights again.
    const bytes = heads * N * W.rowWords * 4;
    const tpr = threadsPerRow(W.rowWeights);
    const [gx, gy] = groupsFor(Math.ceil((N * tpr) / WORKGROUP.matmul));
    return this.dispatch(label, 'matmul', {
      quant: W.type,
      params: {
        K: W.rowWeights,
        N,
        row_words: W.rowWords,
        w_batch: N * W.rowWords,
        x_base: x.base,
        x_stride: x.row,
        x_batch: x.head,
        y_base: y.base,
        y_stride: y.row,
        y_batch: y.head,
        grid_x: gx,
        accumulate: o.accumulate ? 1 : 0,
        tpr,
      },
      buffers: [W.buffer, x.buffer, y.buffer],
      workgroups: [gx, gy, heads],
      weightBytes: (st) => bytes * Math.ceil(st.T / 8),
    });
  }

  /**
   * y[h] (+)= W[h] · x[h] for the first token of x alone (matvec.wgsl), whatever the step: decode
   * projections, and the output head (after the final norm picked the last token). x's base and head
   * stride must be whole vec4s.
   */
  matvec(label: string, W: GpuTensor, x: View, y: View, o: { heads?: number; accumulate?: boolean } = {}): Dispatch {
    noPosition(x, y);
    if (x.base % 4 !== 0 || x.head % 4 !== 0)
      throw new RangeError(
        `${label}: matvec reads x as vec4s, but its view starts at ${x.base} with heads ${x.head} apart`,
      );
    const heads = o.heads ?? 1;
    const N = W.nRows / heads;
    const tpr = matvecThreadsPerRow(W.rowWeights, this.kernels.options.rowThreads);
    const [gx, gy] = groupsFor(Math.ceil(N / (WORKGROUP.matvec / tpr)));
    return this.dispatch(label, 'matvec', {
      quant: W.type,
      params: {
        K: W.rowWeights,
        N,
        row_words: W.rowWords,
        w_batch: N * W.rowWords,
        x_base: x.base,
        x_batch: x.head,
        y_base: y.base,
        y_batch: y.head,
        grid_x: gx,
        accumulate: o.accumulate ? 1 : 0,
        tpr,
      },
      buffers: [W.buffer, x.buffer, y.buffer],
      noStep: true,
      workgroups: [gx, gy, heads],
      weightBytes: () => heads * N * W.rowWords * 4,
    });
  }

  /** x[t] = token_embd[ids[t]], rows of W.rowWeights floats. */
  embed(W: GpuTensor, ids: GPUBuffer, x: GPUBuffer): Dispatch {
    return this.dispatch('embed', 'embed', {
      quant: W.type,
      params: { K: W.rowWeights, row_words: W.rowWords },
      buffers: [W.buffer, ids, x],
      workgroups: (st: StepShape) => [st.T, 1, 1],
      weightBytes: (st) => st.T * W.rowWords * 4,
    });
  }

  /** y[t] = rmsnorm(x[t]) * g over g's length, every token, or (`lastOnly`) the last into y's row 0. */
  rmsnorm(label: string, x: View, g: GpuTensor, y: View, o: { eps: number; lastOnly?: boolean }): Dispatch {
    if (x.atPosition) throw new RangeError(`${label}: rmsnorm reads rows by token`);
    const p = {
      dim: g.rowWeights,
      x_base: x.base,
      x_stride: x.row,
      y_base: y.base,
      y_stride: y.row,
      y_at_pos: y.atPosition ? 1 : 0,
      last_only: o.lastOnly ? 1 : 0,
      eps: o.eps,
    };
    return this.dispatch(label, 'rmsnorm', {
      params: p,
      buffers: [x.buffer, g.buffer, y.buffer],
      workgroups: o.lastOnly ? [1, 1, 1] : (st: StepShape) => [st.T, 1, 1],
    });
  }

  /** y[t][h] = rope(x[t][h]) for `heads` heads of `nRot` values, angles from the cos/sin table `cs`. */
  rope(label: string, x: View, cs: GPUBuffer, y: View, o: { nRot: number; heads: number }): Dispatch {
    if (x.atPosition) throw new RangeError(`${label}: rope reads rows by token`);
    const p = {
      n_rot: o.nRot,
      x_base: x.base,
      x_stride: x.row,
      x_head: x.head,
      y_base: y.base,
      y_stride: y.row,
      y_head: y.head,
      y_at_pos: y.atPosition ? 1 : 0,
    };
    return this.dispatch(label, 'rope', {
      params: p,
      buffers: [x.buffer, cs, y.buffer],
      workgroups: (st: StepShape) => [st.T, o.heads, 1],
    });
  }

  /**
   * Absorbed MLA attention: q_abs and the output o_lat are [T][H][R], the cache [n_ctx][R + nRot] =
   * kv_cmpr | k_pe in its form, and q_pe a view of H heads of nRot values (offsets multiples of 4).
   * Prefill: mla_attention.wgsl, tiles from the device's limits. Decode: flash-decoding, the context
   * split into attentionSplits ranges (mla_attention_split.wgsl), then mla_attention_combine.wgsl
   * merges them; `split` holds their partial states: acc f32 [H][splitsMax][R] and ml f32
   * [1 + H * splitsMax * 2]. Throws a RangeError for shapes the kernels cannot take.
   */
  attention(
    label: string,
    qAbs: GPUBuffer,
    qPe: View,
    cache: KvCache,
    out: GPUBuffer,
    o: { R: number; nRot: number; H: number; scale: number },
    split?: { acc: GPUBuffer; ml: GPUBuffer; splitsMax: number },
  ): Dispatch[] {
    const { R, nRot, H } = o;
    if (R % 4 !== 0 || nRot % 4 !== 0)
      throw new RangeError(`${label}: the attention kernels read vec4s, but R = ${R} and n_rot = ${nRot}`);
    if (qPe.base % 4 !== 0 || qPe.row % 4 !== 0 || qPe.head % 4 !== 0)
      throw new RangeError(`${label}: q_pe's view must be in whole vec4s`);
    const params = { R, n_rot: nRot, H, q_base: qPe.base, q_stride: qPe.row, q_head: qPe.head, scale: o.scale };
    const R4 = R / 4,
      LAT4 = (R + nRot) / 4;
    if (this.form === 'decode') {
      if (!split) throw new RangeError(`${label}: the decode form needs the split buffers`);
      const ACC = Math.ceil(R4 / SPLIT_WG);
      if (ACC > MAX_ACC)
        throw new RangeError(
          `${label}: a latent of ${R} is wider than the decode attention takes (${MAX_ACC * 4 * SPLIT_WG})`,
        );
      const SMAX = split.splitsMax;
      return [
        this.dispatch(`${label} split`, 'mla_attention_split', {
          params,
          quant: cache.type,
          constants: { WG: SPLIT_WG, R4, LAT4, ACC, SMAX },
          buffers: [qAbs, qPe.buffer, cache.buffer, split.acc, split.ml],
          workgroups: (st: StepShape) => [attentionSplits(st.pos0 + st.T, SMAX), H, 1],
        }),
        this.dispatch(`${label} combine`, 'mla_attention_combine', {
          params: { r4: R4, smax: SMAX },
          constants: { WG: SPLIT_WG },
          noStep: true,
          buffers: [split.acc, split.ml, out],
          workgroups: [Math.ceil(R4 / SPLIT_WG), H, 1],
        }),
      ];
    }
    const tiles = attentionTiles(R, nRot, this.device.limits);
    if (!tiles)
      throw new RangeError(`${label}: a latent of ${R + nRot} values needs more workgroup memory than this GPU has`);
    const { WG, TQ, TK, CB, SLICES } = tiles;
    const NB = (TQ / 4) * (TK / 4);
    return [
      this.dispatch(label, 'mla_attention', {
        params,
        quant: cache.type,
        constants: {
          WG,
          TQ,
          TK,
          R4,
          LAT4,
          CB,
          TILE: TK * LAT4,
          SC4: (TQ * TK) / 4,
          NB,
          SLICES,
          PARTS: SLICES > 1 ? SLICES * NB * 4 : 1,
        },
        buffers: [qAbs, qPe.buffer, cache.buffer, out],
        workgroups: (st: StepShape) => [Math.ceil(st.T / TQ), H, 1],
      }),
    ];
  }

  /** The step's new cache rows x ([T][latent] f32) into the cache at positions pos0.. (kv_store.wgsl). */
  kvStore(label: string, x: GPUBuffer, cache: KvCache, latent: number): Dispatch {
    if (latent % 4 !== 0) throw new RangeError(`${label}: cache rows of ${latent} values are not whole vec4s`);
    const WG = WORKGROUP.kv_store;
    const lat4 = latent / 4;
    const [gx] = groupsFor(Math.ceil((this.maxTokens * lat4) / WG));
    return this.dispatch(label, 'kv_store', {
      params: { lat4, grid_x: gx },
      quant: cache.type,
      buffers: [x, cache.buffer],
      workgroups: (st: StepShape) => {
        const groups = Math.ceil((st.T * lat4) / WG);
        return [Math.min(groups, gx), Math.ceil(groups / gx), 1];
      },
    });
  }

  /** A = silu(G) * U over `n` values per row, `rowsPerToken` rows per token. */
  siluMul(label: string, G: GPUBuffer, U: GPUBuffer, A: GPUBuffer, n: number, rowsPerToken: number): Dispatch {
    const WG = WORKGROUP.silu_mul;
    const [gx] = groupsFor(Math.ceil((this.maxTokens * rowsPerToken * n) / WG));
    return this.dispatch(label, 'silu_mul', {
      params: { n, rows_per_token: rowsPerToken, grid_x: gx },
      buffers: [G, U, A],
      workgroups: (st: StepShape) => {
        const groups = Math.ceil((st.T * rowsPerToken * n) / WG);
        return [Math.min(groups, gx), Math.ceil(groups / gx), 1];
      },
    });
  }

  /** The router's top `nUsed` of `E` experts and their weights per token (moe_route.wgsl). */
  route(
    label: string,
    logits: GPUBuffer,
    ids: GPUBuffer,
    wts: GPUBuffer,
    o: { E: number; nUsed: number; sigmoid: boolean; norm: boolean; scale: number },
  ): Dispatch {
    return this.dispatch(label, 'moe_route', {
      params: { E: o.E, k: o.nUsed, gating: o.sigmoid ? 1 : 0, norm: o.norm ? 1 : 0, scale: o.scale },
      constants: { N_EXPERT: o.E },
      buffers: [logits, ids, wts],
      workgroups: (st: StepShape) => [st.T, 1, 1],
    });
  }

  /**
   * One part (gate, up or down) of the routed experts, for every (token, slot) pair: `nUsed` slots a
   * token. With `upWords` (the up part's word offset in a record, of the gate part's type and shape),
   * the fused form: Y = silu(gate · x) * (up · x), the gate part at `partWords`.
   */
  moeMatmul(
    label: string,
    type: string,
    experts: GPUBuffer,
    table: GPUBuffer,
    ids: GPUBuffer,
    X: GPUBuffer,
    Y: GPUBuffer,
    o: {
      K: number;
      N: number;
      rowWords: number;
      partWords: number;
      xStride: number;
      xPerPair: boolean;
      nUsed: number;
      upWords?: number;
    },
  ): Dispatch {
    const tpr = matvecThreadsPerRow(o.K, this.kernels.options.rowThreads);
    const [gx, gy] = groupsFor(Math.ceil(o.N / (WORKGROUP.moe_matmul / tpr)));
    const glu = o.upWords !== undefined;
    return this.dispatch(label, 'moe_matmul', {
      quant: type,
      params: {
        K: o.K,
        N: o.N,
        row_words: o.rowWords,
        part_words: o.partWords,
        x_stride: o.xStride,
        x_per_pair: o.xPerPair ? 1 : 0,
        k: o.nUsed,
        grid_x: gx,
        tpr,
        up_words: o.upWords ?? 0,
      },
      ...(glu ? { constants: { GLU: 1 } } : {}),
      buffers: [experts, X, Y],
      after: [ids, table],
      workgroups: (st: StepShape) => [gx, gy, st.T * o.nUsed],
      weightBytes: (st) => (glu ? 2 : 1) * st.T * o.nUsed * o.N * o.rowWords * 4,
    });
  }

  /** X[t] += sum_j wts[t][j] * Yp[t*nUsed + j], over D values (moe_combine.wgsl). */
  combine(label: string, Yp: GPUBuffer, wts: GPUBuffer, X: GPUBuffer, D: number, nUsed: number): Dispatch {
    return this.dispatch(label, 'moe_combine', {
      params: { D, k: nUsed },
      buffers: [Yp, wts, X],
      workgroups: (st: StepShape) => [Math.ceil(D / WORKGROUP.moe_combine), st.T, 1],
    });
  }
}

function noPosition(x: View, y: View): void {
  if (x.atPosition || y.atPosition) throw new RangeError('matmul and matvec address rows by token, not by position');
}
