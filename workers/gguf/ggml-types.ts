/**
 * The ggml tensor types Lite Coder stores, and how each block is split for the GPU.
 *
 * Quantized blocks are 18, 20, 22, 34, 50, 66, 74, 82, 84, 98, 110, 210 ... bytes long, which WGSL
 * (u32 reads only) cannot address directly. Every block is therefore split into its scale fields
 * (`scaleBytes`, found at `scaleOffset` in the ggml block: the f16 scales, and for IQ4_XS the u16 of
 * high scale bits beside its d) and its body (everything else). Each body is a multiple of 4 bytes.
 * The stored row layout (see store/layout.ts) puts all bodies of a row first, then all scale fields.
 * IQ1_M has no field of its own for its scale (it is spread over its sub-block scales), so its whole
 * block is body. Block sizes and layouts: ggml's ggml-common.h.
 */
export interface GgmlType {
  readonly id: number;
  readonly name: string;
  /** weights per block */
  readonly blockWeights: number;
  /** bytes per block in the GGUF file */
  readonly blockBytes: number;
  /** where the scale fields sit inside a ggml block (at its start or end), and how many bytes they take (0: none) */
  readonly scaleOffset: number;
  readonly scaleBytes: number;
}

function t(
  id: number,
  name: string,
  blockWeights: number,
  blockBytes: number,
  scaleOffset = 0,
  scaleBytes = 0,
): GgmlType {
  return { id, name, blockWeights, blockBytes, scaleOffset, scaleBytes };
}

export const F32 = t(0, 'F32', 1, 4);
export const F16 = t(1, 'F16', 1, 2);
export const Q4_0 = t(2, 'Q4_0', 32, 18, 0, 2);
export const Q4_1 = t(3, 'Q4_1', 32, 20, 0, 4);
export const Q5_0 = t(6, 'Q5_0', 32, 22, 0, 2);
export const Q8_0 = t(8, 'Q8_0', 32, 34, 0, 2);
export const Q4_K = t(12, 'Q4_K', 256, 144, 0, 4);
export const Q6_K = t(14, 'Q6_K', 256, 210, 208, 2);
export const BF16 = t(30, 'BF16', 1, 2);
export const Q5_1 = t(7, 'Q5_1', 32, 24, 0, 4);
export const Q2_K = t(10, 'Q2_K', 256, 84, 80, 4);
export const Q3_K = t(11, 'Q3_K', 256, 110, 108, 2);
export const Q5_K = t(13, 'Q5_K', 256, 176, 0, 4);
export const IQ2_XXS = t(16, 'IQ2_XXS', 256, 66, 0, 2);
export const IQ2_XS = t(17, 'IQ2_XS', 256, 74, 0, 2);
export const IQ3_XXS = t(18, 'IQ3_XXS', 256, 98, 0, 2);
export const IQ1_S = t(19, 'IQ1_S', 256, 50, 0, 2);
export const IQ4_NL = t(20, 'IQ4_NL', 32, 18, 0, 2);
export const IQ3_S = t(21, 'IQ3_S', 256, 110, 0, 2);
export const IQ2_S = t(22, 'IQ2_S', 256, 82, 0, 2);
export const IQ4_XS = t(23, 'IQ4_XS', 256, 136, 0, 4);
export const IQ1_M = t(29, 'IQ1_M', 256, 56, 0, 0);

export const SUPPORTED_TYPES: readonly GgmlType[] = [
  F32,
  F16,
  BF16,
  Q8_0,
  Q4_0,
  Q4_1,
  Q5_0,
  Q5_1,
  Q2_K,
  Q3_K,
  Q4_K,
  Q5_K,
  Q6_K,
  IQ4_NL,
  IQ4_XS,
  IQ3_S,
  IQ3_XXS,
  IQ2_XXS,
  IQ2_XS,
  IQ2_S,
  IQ1_S,
  IQ1_M,
];

/** Names of the ggml types we do not support, so that an error can say which one a file used. */
const OTHER_TYPE_NAMES: Record<number, string> = {
  9: 'Q8_1',
  15: 'Q8_K',
  24: 'I8',
  25: 'I16',
  26: 'I32',
  27: 'I64',
  28: 'F64',
  34: 'TQ1_0',
  35: 'TQ2_0',
  39: 'MXFP4',
};

const BY_ID = new Map(SUPPORTED_TYPES.map((x) => [x.id, x]));

export function ggmlType(id: number): GgmlType | undefined {
  return BY_ID.get(id);
}

export function ggmlTypeName(id: number): string {
  return BY_ID.get(id)?.name ?? OTHER_TYPE_NAMES[id] ?? `unknown type ${id}`;
}

export function ggmlTypeByName(name: string): GgmlType {
  const found = SUPPORTED_TYPES.find((x) => x.name === name);
  if (!found) throw new Error(`no such supported ggml type: ${name}`);
  return found;
}

export function isQuantized(type: GgmlType): boolean {
  return type.blockWeights > 1;
}
