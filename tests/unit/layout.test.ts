import { describe, expect, test } from 'vitest';
import { readDeepSeek2 } from '../../workers/gguf/deepseek2';
import { dequantFileRows, dequantStoredRows, f16ToF32 } from '../../workers/gguf/dequant';
import { ggmlTypeByName, Q4_0, Q8_0 } from '../../workers/gguf/ggml-types';
import { parseGgufHeader } from '../../workers/gguf/parse';
import { storedRowBytes, transcodeRows } from '../../workers/store/layout';
import { buildRecord, planRecords } from '../../workers/store/plan';
import { fixtureBytes } from '../support/bad-gguf';

const MODELS = ['ds2-pub-f32', 'ds2-pub-q8_0', 'ds2-pub-q4_0', 'ds2-pub256-q4_k_m'];
const bits = (f: Float32Array) => new Uint32Array(f.buffer, f.byteOffset, f.length);

describe('stored layout', () => {
  test.each(MODELS)('%s: every tensor dequantizes bit-identically from the file and from the stored rows', (name) => {
    const bytes = fixtureBytes(`models/${name}.gguf`);
    const h = parseGgufHeader(bytes, bytes.byteLength);
    const seen = new Set<string>();
    for (const t of h.tensors) {
      const src = bytes.subarray(t.offset, t.offset + t.byteSize);
      const stored = transcodeRows(t.type, t.ne[0]!, src, t.nRows);
      const stride = storedRowBytes(t.type, t.ne[0]!);
      expect(stride % 4).toBe(0);
      expect(stored.byteLength).toBe(stride * t.nRows);
      const a = dequantFileRows(t.type, src, t.ne[0]!, t.nRows);
      const b = dequantStoredRows(t.type, stored, t.ne[0]!, t.nRows, stride);
      expect(bits(b)).toEqual(bits(a));
      expect(a.every(Number.isFinite)).toBe(true);
      seen.add(t.type.name);
    }
    expect(seen.size).toBeGreaterThan(0);
  });

  test('the Q4_K_M-like fixture covers Q4_K, Q5_0, Q6_K, Q8_0 and F32', () => {
    const bytes = fixtureBytes('models/ds2-pub256-q4_k_m.gguf');
    const types = new Set(parseGgufHeader(bytes, bytes.byteLength).tensors.map((t) => t.type.name));
    expect([...types].sort()).toEqual(['F32', 'Q4_K', 'Q5_0', 'Q6_K', 'Q8_0']);
  });

  // An independent, plain reading of the ggml block formats, to catch a shared mistake in dequant.ts.
  test('Q8_0 and Q4_0 match a naive reading of the ggml block format', () => {
    for (const [name, type] of [
      ['ds2-pub-q8_0', Q8_0],
      ['ds2-pub-q4_0', Q4_0],
    ] as const) {
      const bytes = fixtureBytes(`models/${name}.gguf`);
      const t = parseGgufHeader(bytes, bytes.byteLength).tensors.find((x) => x.name === 'blk.1.attn_q.weight')!;
      const src = bytes.subarray(t.offset, t.offset + t.byteSize);
      const got = dequantFileRows(type, src, t.ne[0]!, t.nRows);
      for (let b = 0; b < t.byteSize / type.blockBytes; b++) {
        const blk = src.subarray(b * type.blockBytes);
        const d = f16ToF32(blk[0]! | (blk[1]! << 8));
        for (let j = 0; j < 32; j++) {
          const q =
            type === Q8_0 ? new Int8Array([blk[2 + j]!])[0]! : (j < 16 ? blk[2 + j]! & 15 : blk[2 + j - 16]! >> 4) - 8;
          expect(got[b * 32 + j]).toBe(Math.fround(q * d));
        }
      }
    }
  });

  test('Q6_K keeps its d at the end of the block and Q4_K at the start', () => {
    expect(storedRowBytes(ggmlTypeByName('Q6_K'), 256)).toBe(212); // 208 of body, 2 of scale, 2 of padding
    expect(storedRowBytes(ggmlTypeByName('Q6_K'), 2048)).toBe(8 * 210);
    expect(storedRowBytes(ggmlTypeByName('Q4_K'), 512)).toBe(288);
    expect(storedRowBytes(ggmlTypeByName('Q5_0'), 32)).toBe(24); // 20 bytes of body, 2 of scale, 2 of padding
    expect(storedRowBytes(ggmlTypeByName('F16'), 3)).toBe(8);
  });
});

describe('record plan', () => {
  test.each([...MODELS, 'ds2-pub-legacy-f32'])(
    '%s: records cover every tensor row exactly once, experts one record each',
    (name) => {
      const bytes = fixtureBytes(`models/${name}.gguf`);
      const h = parseGgufHeader(bytes, bytes.byteLength);
      const hp = readDeepSeek2(h);
      const plan = planRecords('m', h, hp);
      const experts = plan.records.filter((r) => r.key[1] === 'x');
      expect(experts.length).toBe((hp.nLayer - hp.nLeadingDense) * hp.nExpert);
      const covered = plan.records.flatMap((r) => r.slices).reduce((n, s) => n + s.fileBytes, 0);
      expect(covered).toBe(h.tensors.reduce((n, t) => n + t.byteSize, 0));
      expect(plan.storedBytes).toBe(plan.records.reduce((n, r) => n + r.bytes, 0));

      // Expert e of layer 2: its record's down part equals rows [e*nEmbd, (e+1)*nEmbd) of ffn_down_exps.
      const layer = plan.experts.find((l) => l.layer === 2)!;
      const down = h.tensors.find((t) => t.name === 'blk.2.ffn_down_exps.weight')!;
      const full = dequantFileRows(
        down.type,
        bytes.subarray(down.offset, down.offset + down.byteSize),
        down.ne[0]!,
        down.nRows,
      );
      for (let e = 0; e < hp.nExpert; e++) {
        const r = experts.find((x) => x.key[2] === 2 && x.key[3] === e)!;
        const rec = buildRecord(
          r,
          r.slices.map((s) => bytes.slice(s.fileOffset, s.fileOffset + s.fileBytes)),
        );
        expect(rec.byteLength).toBe(layer.recordBytes);
        const part = rec.subarray(
          layer.partOffsets.down,
          layer.partOffsets.down + layer.partRows.down * layer.down.rowStride,
        );
        const got = dequantStoredRows(down.type, part, down.ne[0]!, layer.partRows.down, layer.down.rowStride);
        expect(bits(got)).toEqual(bits(full.subarray(e * got.length, (e + 1) * got.length)));
      }
    },
  );
});
