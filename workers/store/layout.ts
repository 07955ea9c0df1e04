/**
 * The stored, GPU-ready layout of a tensor: row after row, each row 4-byte aligned.
 *
 * A quantized row of nb blocks is stored as the nb block bodies (each a multiple of 4 bytes), then the
 * nb scale fields (GgmlType.scaleBytes each: the f16 scales), then zero padding to 4 bytes. Plain float rows (F32, F16, BF16) are the
 * file's bytes plus padding. This is a pure permutation of the file's bytes, so values stay
 * bit-exact, and a WGSL kernel reads any block with u32 loads: body at row + b*bodyBytes, scales at
 * row + nb*bodyBytes + b*scaleBytes.
 */
import { isQuantized, type GgmlType } from '../gguf/ggml-types';

export function align4(n: number): number {
  return (n + 3) & ~3;
}

/** Bytes of one stored row of `rowWeights` weights of `type`. */
export function storedRowBytes(type: GgmlType, rowWeights: number): number {
  const nb = rowWeights / type.blockWeights;
  if (!isQuantized(type)) return align4(nb * type.blockBytes);
  return nb * (type.blockBytes - type.scaleBytes) + align4(nb * type.scaleBytes);
}

/** Transcode `nRows` consecutive file rows into the stored layout. */
export function transcodeRows(type: GgmlType, rowWeights: number, src: Uint8Array, nRows: number): Uint8Array {
  const nb = rowWeights / type.blockWeights;
  const srcRow = nb * type.blockBytes;
  const dstRow = storedRowBytes(type, rowWeights);
  if (src.byteLength !== srcRow * nRows) {
    throw new Error(`transcodeRows: got ${src.byteLength} bytes for ${nRows} rows of ${srcRow}`);
  }
  const out = new Uint8Array(dstRow * nRows);
  if (!isQuantized(type)) {
    if (srcRow === dstRow) out.set(src);
    else for (let r = 0; r < nRows; r++) out.set(src.subarray(r * srcRow, (r + 1) * srcRow), r * dstRow);
    return out;
  }
  const body = type.blockBytes - type.scaleBytes;
  const bodyShift = type.scaleOffset === 0 ? type.scaleBytes : 0;
  for (let r = 0; r < nRows; r++) {
    const s0 = r * srcRow;
    const d0 = r * dstRow;
    const scales = d0 + nb * body;
    for (let b = 0; b < nb; b++) {
      const blk = s0 + b * type.blockBytes;
      out.set(src.subarray(blk + bodyShift, blk + bodyShift + body), d0 + b * body);
      for (let k = 0; k < type.scaleBytes; k++)
        out[scales + b * type.scaleBytes + k] = src[blk + type.scaleOffset + k]!;
    }
  }
  return out;
}
