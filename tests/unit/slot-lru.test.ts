import { describe, expect, test } from 'vitest';
import { SlotLru } from '../../workers/runtime/slot-lru';

describe('expert slot policy', () => {
  test('fills empty slots first, then evicts the least recently used', () => {
    const lru = new SlotLru(3);
    lru.tick();
    expect([lru.place(10, new Set()), lru.place(11, new Set()), lru.place(12, new Set())]).toEqual([0, 1, 2]);
    lru.tick();
    expect(lru.hit(10)).toBe(0); // 10 is fresh now; 11 is the oldest
    lru.tick();
    expect(lru.place(13, new Set())).toBe(1);
    expect(lru.slotOfItem(11)).toBeUndefined();
    expect(lru.hit(11)).toBeUndefined();
  });

  test('never evicts what the current step needs', () => {
    const lru = new SlotLru(2);
    lru.tick();
    lru.place(1, new Set());
    lru.place(2, new Set());
    lru.tick();
    expect(lru.place(3, new Set([1, 3]))).toBe(1); // 1 is older but needed
    expect(() => lru.place(4, new Set([1, 3, 4]))).toThrow(/every slot/);
  });

  test('a long decode keeps the experts used most recently', () => {
    const lru = new SlotLru(4);
    const misses: number[] = [];
    const steps = [
      [1, 2],
      [1, 3],
      [1, 2],
      [4, 5],
      [1, 2],
    ];
    for (const need of steps) {
      lru.tick();
      const keep = new Set(need);
      let m = 0;
      for (const e of need)
        if (lru.hit(e) === undefined) {
          lru.place(e, keep);
          m++;
        }
      misses.push(m);
    }
    expect(misses).toEqual([2, 1, 0, 2, 0]); // 3 is evicted by 4/5, not 1 or 2
  });
});
