import { expect, test } from 'vitest';
import { expertBudgetFromDevice } from '../../workers/engine/budget';
import type { ModelManifest } from '../../workers/store/types';

const manifest = {
  dense: [
    { nRows: 1000, rowStride: 1000 },
    { nRows: 10, rowStride: 100 },
  ],
} as unknown as ModelManifest;

test('no measurement, or a probe that reached its target, keeps every expert resident', () => {
  expect(expertBudgetFromDevice(manifest, { kind: 'skipped', reason: 'software-adapter' }, 0)).toBeNull();
  expect(
    expertBudgetFromDevice(manifest, { kind: 'measured', bytes: 12e9, target: 11e9, hitLimit: false }, 0),
  ).toBeNull();
  expect(expertBudgetFromDevice(manifest, { kind: 'failed', error: 'x' }, 0)).toBeNull();
});

test('a GPU that ran out leaves the experts what dense weights, KV cache and margin do not take', () => {
  const bytes = 4e9;
  const kv = 5e8;
  expect(expertBudgetFromDevice(manifest, { kind: 'measured', bytes, target: 11e9, hitLimit: true }, kv)).toBe(
    bytes - 1_001_000 - kv - 256 * 2 ** 20,
  );
  expect(expertBudgetFromDevice(manifest, { kind: 'measured', bytes: 1e6, target: 11e9, hitLimit: true }, kv)).toBe(0);
});
