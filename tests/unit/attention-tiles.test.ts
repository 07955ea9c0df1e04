/**
 * The attention kernels' shapes from the device's limits (workers/runtime/ops.ts): the prefill tiles
 * fit workgroup memory and keep every invocation busy, and the decode splits follow the context.
 */
import { describe, expect, it } from 'vitest';
import {
  attentionSplits,
  attentionTileBytes,
  attentionTiles,
  maxAttentionSplits,
  MIN_SPLIT_POSITIONS,
} from '../../workers/runtime/ops';

const limits = (bytes: number, invocations = 256) => ({
  maxComputeWorkgroupStorageSize: bytes,
  maxComputeInvocationsPerWorkgroup: invocations,
});

describe('prefill tiles', () => {
  const SHAPES: [R: number, nRot: number][] = [
    [64, 16],
    [100, 16],
    [256, 16],
    [500, 64],
    [512, 64],
  ];
  for (const [R, nRot] of SHAPES) {
    for (const bytes of [16384, 32768]) {
      it(`R=${R}, n_rot ${nRot}, ${bytes} bytes of workgroup memory`, () => {
        const t = attentionTiles(R, nRot, limits(bytes))!;
        expect(t).toBeDefined();
        expect(attentionTileBytes(t, R + nRot)).toBeLessThanOrEqual(bytes);
        expect((t.TQ % 4) + (t.TK % 4)).toBe(0);
        expect((t.TQ / 4) * t.CB).toBeLessThanOrEqual(t.WG); // every output block has its invocation
        if (t.SLICES > 1) expect((t.TQ / 4) * (t.TK / 4) * t.SLICES).toBeLessThanOrEqual(t.WG);
        expect(t.SLICES).toBeLessThanOrEqual((R + nRot) / 4);
      });
    }
  }

  it('the fixtures: 64 queries, 32 positions, two score blocks an invocation; the real model: slices', () => {
    expect(attentionTiles(64, 16, limits(32768))).toEqual({ WG: 64, TQ: 64, TK: 32, CB: 4, SLICES: 1 });
    const real = attentionTiles(512, 64, limits(32768))!;
    expect(real).toEqual({ WG: 128, TQ: 16, TK: 8, CB: 32, SLICES: 16 });
    // no score block idle for want of invocations: 8 blocks x 16 slices
    expect((real.TQ / 4) * (real.TK / 4) * real.SLICES).toBe(real.WG);
  });
});

describe('decode splits', () => {
  it('one split per 256 positions, up to what fills the device', () => {
    expect(MIN_SPLIT_POSITIONS).toBe(256);
    expect(attentionSplits(1, 32)).toBe(1);
    expect(attentionSplits(511, 32)).toBe(1);
    expect(attentionSplits(512, 32)).toBe(2);
    expect(attentionSplits(4096, 32)).toBe(16);
    expect(attentionSplits(131072, 32)).toBe(32);
    // a GPU (512 workgroups at once) over the real model's 16 heads; a 2-thread CPU adapter
    expect(maxAttentionSplits(16, 512)).toBe(32);
    expect(maxAttentionSplits(16, 2)).toBe(1);
  });
});
