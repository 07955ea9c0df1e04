/**
 * The uniform structs the kernels read, declared once on the TypeScript side: each kernel's `Params`
 * (its static shape, written once when a dispatch is recorded) and the step uniform `Step` (written
 * every step). Fields are 4-byte scalars in WGSL declaration order, so field i sits at byte 4 * i.
 * tests/unit/kernel-params.test.ts parses every kernel's `struct Params` / `struct Step` and checks
 * it against these, name for name and type for type.
 */

/** A WGSL uniform struct of u32 and f32 scalars: field name → type, in declaration order. */
export type ParamStruct = Readonly<Record<string, 'u32' | 'f32'>>;

/** A value for every field of `S` (u32 fields take integers in [0, 2^32); f32 fields any number). */
export type ParamValues<S extends ParamStruct> = { readonly [K in keyof S]: number };

/** kernels/common/step.wgsl: what changes from step to step. */
export const STEP = { T: 'u32', pos0: 'u32' } as const satisfies ParamStruct;

/** kernels/sample/params.wgsl: one sampling step (all five sample* kernels read it). */
export const SAMPLE_PARAMS = {
  V: 'u32',
  C: 'u32',
  mode: 'u32',
  seed: 'u32',
  step: 'u32',
  base: 'u32',
  records: 'u32',
  inv_temp: 'f32',
  penalty: 'f32',
  inv_penalty: 'f32',
  top_p: 'f32',
  biased: 'u32',
  masked: 'u32',
  top_lp: 'u32',
} as const satisfies ParamStruct;

/** kernels/common/mla_params.wgsl: the attention kernels' shape (mla_attention, mla_attention_split). */
export const MLA_PARAMS = {
  R: 'u32',
  n_rot: 'u32',
  H: 'u32',
  q_base: 'u32',
  q_stride: 'u32',
  q_head: 'u32',
  scale: 'f32',
} as const satisfies ParamStruct;

/** Each kernel's `struct Params`, by kernel file name (kernels/<name>.wgsl). */
export const KERNEL_PARAMS = {
  copy: { n: 'u32', grid_x: 'u32' },
  embed: { K: 'u32', row_words: 'u32' },
  matmul: {
    K: 'u32',
    N: 'u32',
    row_words: 'u32',
    w_batch: 'u32',
    x_base: 'u32',
    x_stride: 'u32',
    x_batch: 'u32',
    y_base: 'u32',
    y_stride: 'u32',
    y_batch: 'u32',
    grid_x: 'u32',
    accumulate: 'u32',
    tpr: 'u32',
  },
  matvec: {
    K: 'u32',
    N: 'u32',
    row_words: 'u32',
    w_batch: 'u32',
    x_base: 'u32',
    x_batch: 'u32',
    y_base: 'u32',
    y_batch: 'u32',
    grid_x: 'u32',
    accumulate: 'u32',
    tpr: 'u32',
  },
  rmsnorm: {
    dim: 'u32',
    x_base: 'u32',
    x_stride: 'u32',
    y_base: 'u32',
    y_stride: 'u32',
    y_at_pos: 'u32',
    last_only: 'u32',
    eps: 'f32',
  },
  rope: {
    n_rot: 'u32',
    x_base: 'u32',
    x_stride: 'u32',
    x_head: 'u32',
    y_base: 'u32',
    y_stride: 'u32',
    y_head: 'u32',
    y_at_pos: 'u32',
  },
  mla_attention: MLA_PARAMS,
  mla_attention_split: MLA_PARAMS,
  mla_attention_combine: { r4: 'u32', smax: 'u32' },
  kv_store: { lat4: 'u32', grid_x: 'u32' },
  silu_mul: { n: 'u32', rows_per_token: 'u32', grid_x: 'u32' },
  moe_route: { E: 'u32', k: 'u32', gating: 'u32', norm: 'u32', scale: 'f32' },
  moe_matmul: {
    K: 'u32',
    N: 'u32',
    row_words: 'u32',
    part_words: 'u32',
    x_stride: 'u32',
    x_per_pair: 'u32',
    k: 'u32',
    grid_x: 'u32',
    tpr: 'u32',
    up_words: 'u32',
  },
  moe_combine: { D: 'u32', k: 'u32' },
  sample_prep: SAMPLE_PARAMS,
  sample_hist: SAMPLE_PARAMS,
  sample_collect: SAMPLE_PARAMS,
  sample_top: SAMPLE_PARAMS,
  sample: SAMPLE_PARAMS,
  sample_logprob: SAMPLE_PARAMS,
} as const satisfies Record<string, ParamStruct>;

export type KernelWithParams = keyof typeof KERNEL_PARAMS;

/**
 * The bytes of `values` laid out as `struct`, padded to a multiple of 16 bytes (a uniform buffer's
 * size). Throws a RangeError naming the field when a u32 value is not an integer in [0, 2^32).
 */
export function packParams<S extends ParamStruct>(struct: S, values: ParamValues<S>): ArrayBuffer {
  const fields = Object.keys(struct);
  const data = new ArrayBuffer(Math.max(16, Math.ceil(fields.length / 4) * 16));
  const u = new Uint32Array(data);
  const f = new Float32Array(data);
  fields.forEach((name, i) => {
    const v = values[name]!;
    if (struct[name] === 'f32') {
      f[i] = v;
    } else {
      if (!Number.isInteger(v) || v < 0 || v > 0xffffffff)
        throw new RangeError(`uniform field ${name} must be a u32, got ${v}`);
      u[i] = v;
    }
  });
  return data;
}
