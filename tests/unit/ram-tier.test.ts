import { describe, expect, it } from 'vitest';
import { defaultRamTierBytes, RamTier } from '../../workers/runtime/ram-tier';

const rec = (bytes: number, fill = 0) => new Uint8Array(bytes).fill(fill).buffer;

describe('RamTier', () => {
  it('keeps records within its bytes, dropping the least recently used first', () => {
    const t = new RamTier(300);
    t.put(1, rec(100, 1));
    t.put(2, rec(100, 2));
    t.put(3, rec(100, 3));
    expect(t.bytes).toBe(300);
    expect(new Uint8Array(t.get(1)!)[0]).toBe(1); // 1 is now the most recently used
    t.put(4, rec(100, 4)); // drops 2, the least recently used
    expect(t.has(2)).toBe(false);
    expect([1, 3, 4].every((k) => t.has(k))).toBe(true);
    expect(t.bytes).toBe(300);
    t.put(5, rec(250)); // needs all but 50 bytes: drops 3, 1 and 4
    expect(t.size).toBe(1);
    expect(t.bytes).toBe(250);
  });

  it('replaces a record put again, and keeps nothing larger than itself', () => {
    const t = new RamTier(200);
    t.put(1, rec(100));
    t.put(1, rec(150));
    expect(t.bytes).toBe(150);
    expect(t.size).toBe(1);
    t.put(2, rec(201));
    expect(t.has(2)).toBe(false);
    expect(t.has(1)).toBe(true); // a record that cannot fit drops nothing
    expect(t.bytes).toBe(150);
  });

  it('of size 0 holds nothing; a size that is not a number of bytes is refused', () => {
    const t = new RamTier(0);
    t.put(1, rec(16));
    expect(t.get(1)).toBeUndefined();
    expect(() => new RamTier(-1)).toThrow(/number of bytes/);
    expect(() => new RamTier(NaN)).toThrow(/number of bytes/);
  });

  it('defaults to a quarter of navigator.deviceMemory, 4 GiB assumed where it is absent', () => {
    expect(defaultRamTierBytes(8)).toBe(2 * 2 ** 30);
    expect(defaultRamTierBytes(undefined)).toBe(2 ** 30);
    expect(defaultRamTierBytes(0.5)).toBe(256 * 2 ** 20);
  });
});
