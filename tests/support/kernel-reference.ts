/**
 * Plain TypeScript (f64) references of the model kernels' math, for tests/browser/model-kernels.spec.ts.
 *
 * Each reference returns the whole output buffer as the kernel should leave it (`want`), starting from
 * what the buffer held before (`init`), and for each element the magnitude its error is measured
 * against (`mag`): the sum of the absolute values of the terms that make it, so an f32 kernel may be
 * off by a small multiple of f32's epsilon times `mag`. Elements the kernel must not touch are not
 * marked in `touched` and must come back bit for bit.
 */
import { dequantFileRows, dequantStoredRows } from '../../workers/gguf/dequant';
import type { GgmlType } from '../../workers/gguf/ggml-types';
import type { ViewLayout } from '../../workers/runtime/ops';

export interface Reference {
  want: Float64Array;
  mag: Float64Array;
  /** 1 where the kernel writes */
  touched: Uint8Array;
}

function start(init: ArrayLike<number>): Reference {
  return { want: Float64Array.from(init), mag: new Float64Array(init.length), touched: new Uint8Array(init.length) };
}

function put(r: Reference, i: number, want: number, mag: number): void {
  r.want[i] = want;
  r.mag[i] = mag;
  r.touched[i] = 1;
}

/** embed: X[t][k] = dequant(token_embd)[ids[t]][k] (the table given as GGUF file bytes). */
export function embedRef(
  type: GgmlType,
  K: number,
  fileBytes: Uint8Array,
  nRows: number,
  ids: readonly number[],
  init: ArrayLike<number>,
): Reference {
  const W = dequantFileRows(type, fileBytes, K, nRows);
  const r = start(init);
  ids.forEach((id, t) => {
    if (id < 0 || id >= nRows) throw new RangeError(`token id ${id} outside 0..${nRows - 1}`);
    for (let k = 0; k < K; k++) {
      const v = W[id * K + k]!;
      put(r, t * K + k, v, Math.abs(v));
    }
  });
  return r;
}

export interface RmsnormShape {
  dim: number;
  eps: number;
  /** where the rows are (ops.ts views: rows by token for x; by token or position for y) */
  x: ViewLayout;
  y: ViewLayout;
  lastOnly: boolean;
  T: number;
  pos0: number;
}

/**
 * rmsnorm: y = x / sqrt(mean(x^2) + eps) * g per token row. Row placement: t, or pos0 + t with
 * y.atPosition; with lastOnly, only the last token, into row 0.
 */
export function rmsnormRef(
  x: ArrayLike<number>,
  g: ArrayLike<number>,
  init: ArrayLike<number>,
  o: RmsnormShape,
): Reference {
  const r = start(init);
  const tokens = o.lastOnly ? [o.T - 1] : [...Array(o.T).keys()];
  for (const t of tokens) {
    const xo = o.x.base + t * o.x.row;
    let ss = 0;
    for (let i = 0; i < o.dim; i++) ss += x[xo + i]! ** 2;
    const inv = 1 / Math.sqrt(ss / o.dim + o.eps);
    const row = o.lastOnly ? 0 : o.y.atPosition ? o.pos0 + t : t;
    const yo = o.y.base + row * o.y.row;
    for (let i = 0; i < o.dim; i++) {
      const v = x[xo + i]! * inv * g[i]!;
      put(r, yo + i, v, Math.abs(v));
    }
  }
  return r;
}

export interface RopeShape {
  nRot: number;
  heads: number;
  /** where each head's rope slice is (ops.ts views: x by token; y by token or position) */
  x: ViewLayout;
  y: ViewLayout;
  T: number;
  pos0: number;
}

/**
 * rope on adjacent pairs: (x0, x1) → (x0 c - x1 s, x0 s + x1 c), with (c, s) = cs[t][i] from the
 * [T][n_rot/2][2] table. Row placement: t, or pos0 + t with y.atPosition.
 */
export function ropeRef(x: ArrayLike<number>, cs: ArrayLike<number>, init: ArrayLike<number>, o: RopeShape): Reference {
  const r = start(init);
  const half = o.nRot / 2;
  for (let t = 0; t < o.T; t++) {
    const row = o.y.atPosition ? o.pos0 + t : t;
    for (let h = 0; h < o.heads; h++) {
      for (let i = 0; i < half; i++) {
        const c = cs[(t * half + i) * 2]!;
        const s = cs[(t * half + i) * 2 + 1]!;
        const xo = o.x.base + t * o.x.row + h * o.x.head + 2 * i;
        const x0 = x[xo]!;
        const x1 = x[xo + 1]!;
        const yo = o.y.base + row * o.y.row + h * o.y.head + 2 * i;
        put(r, yo, x0 * c - x1 * s, Math.abs(x0 * c) + Math.abs(x1 * s));
        put(r, yo + 1, x0 * s + x1 * c, Math.abs(x0 * s) + Math.abs(x1 * c));
      }
    }
  }
  return r;
}

export interface AttentionShape {
  R: number;
  nRot: number;
  H: number;
  scale: number;
  T: number;
  pos0: number;
}

/**
 * Absorbed MLA attention. Token t (position p = pos0 + t), head h, over cache rows s = 0..p
 * (cache[s] = c_s (R values) | kpe_s (nRot values)):
 *   score_s = scale * (qAbs[t][h] · c_s + qPe[t][h] · kpe_s),  out[t][h] = sum_s softmax(score)_s c_s.
 * `mag` is sum_s p_s |c_s[d]|. (Rounding a score by δ moves the output by about δ sum_s p_s |c_s[d] - out|;
 * at these sizes δ, about f32's epsilon * sqrt(R + nRot) * scale * sum_i |q_i cache[s][i]|, stays well
 * inside a tolerance of 1e-5 * mag.)
 */
export function attentionRef(
  qAbs: ArrayLike<number>,
  qPe: ArrayLike<number>,
  cache: ArrayLike<number>,
  o: AttentionShape,
): Reference {
  const { R, nRot, H, T } = o;
  const row = R + nRot;
  const r = start(new Float64Array(T * H * R));
  for (let t = 0; t < T; t++) {
    const n = o.pos0 + t + 1;
    for (let h = 0; h < H; h++) {
      const qa = (t * H + h) * R;
      const qp = (t * H + h) * nRot;
      const scores = new Float64Array(n);
      for (let s = 0; s < n; s++) {
        let dot = 0;
        for (let i = 0; i < R; i++) dot += qAbs[qa + i]! * cache[s * row + i]!;
        for (let i = 0; i < nRot; i++) dot += qPe[qp + i]! * cache[s * row + R + i]!;
        scores[s] = o.scale * dot;
      }
      const mx = Math.max(...scores);
      const p = scores.map((v) => Math.exp(v - mx));
      const sum = p.reduce((a, b) => a + b, 0);
      for (let d = 0; d < R; d++) {
        let acc = 0,
          abs = 0;
        for (let s = 0; s < n; s++) {
          const v = (p[s]! / sum) * cache[s * row + d]!;
          acc += v;
          abs += Math.abs(v);
        }
        put(r, qa + d, acc, abs);
      }
    }
  }
  return r;
}

/** silu_mul: A[i] = G[i] / (1 + exp(-G[i])) * U[i] for the first `count` values; the rest untouched. */
export function siluMulRef(
  G: ArrayLike<number>,
  U: ArrayLike<number>,
  init: ArrayLike<number>,
  count: number,
): Reference {
  const r = start(init);
  for (let i = 0; i < count; i++) {
    const g = G[i]!;
    const v = (g / (1 + Math.exp(-g))) * U[i]!;
    put(r, i, v, Math.abs(v));
  }
  return r;
}

export interface RouteShape {
  E: number;
  k: number;
  sigmoid: boolean;
  norm: boolean;
  scale: number;
  T: number;
}

/**
 * The router: per token, p = softmax(logits) (or sigmoid), the k largest p (lowest index on ties) in
 * descending order, their weights p_e (divided by the sum of the k when norm), times scale.
 */
export function routeRef(logits: ArrayLike<number>, o: RouteShape): { ids: number[]; wts: Float64Array } {
  const ids: number[] = [];
  const wts = new Float64Array(o.T * o.k);
  for (let t = 0; t < o.T; t++) {
    const l = Array.from({ length: o.E }, (_, e) => logits[t * o.E + e]!);
    let p: number[];
    if (o.sigmoid) {
      p = l.map((x) => 1 / (1 + Math.exp(-x)));
    } else {
      const mx = Math.max(...l);
      const ex = l.map((x) => Math.exp(x - mx));
      const sum = ex.reduce((a, b) => a + b, 0);
      p = ex.map((x) => x / sum);
    }
    // a stable sort on descending p keeps the lower index first among equals
    const order = [...p.keys()].sort((a, b) => p[b]! - p[a]!).slice(0, o.k);
    const total = order.reduce((a, e) => a + p[e]!, 0);
    order.forEach((e, j) => {
      ids.push(e);
      wts[t * o.k + j] = (o.norm ? p[e]! / total : p[e]!) * o.scale;
    });
  }
  return { ids, wts };
}

export interface MoeMatmulShape {
  type: GgmlType;
  K: number;
  N: number;
  /** words per stored row, and the part's word offset inside an expert's record */
  rowWords: number;
  partWords: number;
  xStride: number;
  xPerPair: boolean;
  k: number;
  T: number;
}

export const NOT_ON_GPU = 0xffffffff;

/**
 * moe_matmul: for pair p = t*k + j with expert e = ids[p]: when table[e] is not 0xffffffff,
 * Y[p][r] = sum_c W_e[r][c] X[x(p)][c], with W_e's rows at word table[e] + partWords + r*rowWords of
 * the pool (stored row layout) and x(p) = p when xPerPair, else t. Pairs of absent experts: untouched.
 */
export function moeMatmulRef(
  pool: Uint8Array,
  table: ArrayLike<number>,
  ids: ArrayLike<number>,
  X: ArrayLike<number>,
  init: ArrayLike<number>,
  o: MoeMatmulShape,
): Reference {
  const r = start(init);
  for (let pair = 0; pair < o.T * o.k; pair++) {
    const slot = table[ids[pair]!]!;
    if (slot === NOT_ON_GPU) continue;
    const at = (slot + o.partWords) * 4;
    const W = dequantStoredRows(o.type, pool.subarray(at, at + o.N * o.rowWords * 4), o.K, o.N, o.rowWords * 4);
    const xo = (o.xPerPair ? pair : Math.floor(pair / o.k)) * o.xStride;
    for (let row = 0; row < o.N; row++) {
      let acc = 0,
        abs = 0;
      for (let c = 0; c < o.K; c++) {
        const v = W[row * o.K + c]! * X[xo + c]!;
        acc += v;
        abs += Math.abs(v);
      }
      put(r, pair * o.N + row, acc, abs);
    }
  }
  return r;
}

/**
 * moe_matmul's fused form: silu(gate · x) * (up · x) per row, the gate part at partWords and the up
 * part at upWords. Its magnitude carries each dot's magnitude through the product to first order:
 * |silu'(g)| * mag(g) * |u| + |silu(g)| * mag(u).
 */
export function moeGluRef(
  pool: Uint8Array,
  table: ArrayLike<number>,
  ids: ArrayLike<number>,
  X: ArrayLike<number>,
  init: ArrayLike<number>,
  o: MoeMatmulShape,
  upWords: number,
): Reference {
  const g = moeMatmulRef(pool, table, ids, X, init, o);
  const u = moeMatmulRef(pool, table, ids, X, init, { ...o, partWords: upWords });
  const r = start(init);
  for (let i = 0; i < g.want.length; i++) {
    if (!g.touched[i]) continue;
    const x = g.want[i]!,
      up = u.want[i]!;
    const s = 1 / (1 + Math.exp(-x));
    const silu = x * s,
      dsilu = s * (1 + x * (1 - s));
    put(r, i, silu * up, Math.abs(dsilu) * g.mag[i]! * Math.abs(up) + Math.abs(silu) * u.mag[i]!);
  }
  return r;
}

/** moe_combine: X[t][i] += sum_j wts[t][j] * Yp[t*k + j][i], for t < T. */
export function combineRef(
  Yp: ArrayLike<number>,
  wts: ArrayLike<number>,
  X: ArrayLike<number>,
  o: { D: number; k: number; T: number },
): Reference {
  const r = start(X);
  for (let t = 0; t < o.T; t++) {
    for (let i = 0; i < o.D; i++) {
      let acc = X[t * o.D + i]!,
        abs = Math.abs(acc);
      for (let j = 0; j < o.k; j++) {
        const v = wts[t * o.k + j]! * Yp[(t * o.k + j) * o.D + i]!;
        acc += v;
        abs += Math.abs(v);
      }
      put(r, t * o.D + i, acc, abs);
    }
  }
  return r;
}

export { DEEPSEEK_CODER_V2_LITE } from '../../workers/gguf/lite-shape';
