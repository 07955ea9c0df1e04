/**
 * The full-size twin's table (scripts/twin.ts) against the real DeepSeek-Coder-V2-Lite-Instruct
 * Q4_K_M file's: 377 tensors, 229 Q4_K, 14 Q5_0, 13 Q8_0, 13 Q6_K and 108 F32, the legacy attention
 * layout, 10.36 GB; its header parses and reads as the importer reads it. The data (10 GB) is not
 * written here: `npm run twin` does that, and the browser test runs a reduced twin end to end.
 */
import { describe, expect, it } from 'vitest';
import { readDeepSeek2 } from '../../workers/gguf/deepseek2';
import { parseGgufHeader } from '../../workers/gguf/parse';
import { header } from '../../scripts/synthetic-model';
import { LITE_LEGACY, LITE_REDUCED, twinMetadata, twinTable, typeCounts, type TwinType } from '../../scripts/twin';

function parsed(type: TwinType, hp = LITE_LEGACY) {
  const { tensors, dataBytes } = twinTable(hp, type);
  const head = header(
    twinMetadata(hp, type),
    tensors.map((t) => ({ name: t.name, typeId: t.type.id, ne: t.ne })),
    tensors.map((t) => t.offset),
  );
  const h = parseGgufHeader(head, head.byteLength + dataBytes);
  return { h, tensors, bytes: head.byteLength + dataBytes };
}

describe('the full-size twin', () => {
  it("has the Q4_K_M file's tensor table: 377 tensors, 229 Q4_K, 14 Q5_0, 13 Q8_0, 13 Q6_K, 108 F32", () => {
    const { tensors, bytes } = parsed('Q4_K_M');
    expect(tensors).toHaveLength(377);
    expect(typeCounts(tensors)).toEqual({ Q4_K: 229, Q5_0: 14, Q8_0: 13, Q6_K: 13, F32: 108 });
    expect(bytes / 1e9).toBeCloseTo(10.36, 1);
    const type = (name: string) => tensors.find((t) => t.name === name)!.type.name;
    expect(type('output.weight')).toBe('Q6_K');
    expect(type('token_embd.weight')).toBe('Q4_K');
    expect(type('blk.0.ffn_down.weight')).toBe('Q8_0'); // Q6_K (more bits), rows of 10944: Q8_0
    expect(type('blk.1.ffn_down_exps.weight')).toBe('Q8_0');
    expect(type('blk.1.ffn_down_shexp.weight')).toBe('Q6_K');
    expect(type('blk.6.ffn_down_exps.weight')).toBe('Q5_0'); // Q4_K, rows of 1408: Q5_0
    expect(type('blk.6.ffn_down_shexp.weight')).toBe('Q4_K');
    expect(type('blk.8.ffn_down_exps.weight')).toBe('Q8_0');
    expect(type('blk.3.attn_kv_b.weight')).toBe('Q4_K');
    expect(tensors.find((t) => t.name === 'blk.5.ffn_gate_exps.weight')!.ne).toEqual([2048, 1408, 64]);
  });

  it('reads as the real file does: legacy layout, 27 layers, the real vocabulary', () => {
    const { h } = parsed('Q4_K_M');
    const hp = readDeepSeek2(h);
    expect(hp).toEqual({
      ...LITE_LEGACY,
      rope: { ...LITE_LEGACY.rope, yarnLogMultiplier: expect.closeTo(0.0707, 6) },
      rmsEps: expect.closeTo(1e-6, 9),
    });
    expect(h.metadata.get('deepseek2.attention.head_count_kv')).toBe(16);
    expect((h.metadata.get('tokenizer.ggml.tokens') as string[]).length).toBe(102400);
    expect((h.metadata.get('tokenizer.ggml.merges') as string[]).length).toBeGreaterThan(99_000);
    expect(h.metadata.get('tokenizer.ggml.bos_token_id')).toBe(100000);
  });

  it('as Q4_0: every matrix Q4_0 but the Q6_K head (8.9 GB)', () => {
    const { tensors, bytes } = parsed('Q4_0');
    expect(typeCounts(tensors)).toEqual({ Q4_0: 268, Q6_K: 1, F32: 108 });
    expect(bytes / 1e9).toBeCloseTo(8.9, 0);
  });

  it("the reduced twin follows the same rules at the test suite's scale", () => {
    const { h, tensors, bytes } = parsed('Q4_K_M', LITE_REDUCED);
    expect(readDeepSeek2(h).nLayer).toBe(3);
    expect(new Set(tensors.map((t) => t.type.name))).toEqual(new Set(['Q4_K', 'Q5_0', 'Q8_0', 'Q6_K', 'F32']));
    expect(bytes).toBeLessThan(12e6);
  });
});
