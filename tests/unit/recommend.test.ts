import { describe, expect, it } from 'vitest';
import { prebuiltAppConfig } from '../../src/api/app-config';
import { quantOf, recommend } from '../../src/ui/models/recommend';
import type { DeviceReport, GpuMemoryReport } from '../../workers/device/types';

const records = prebuiltAppConfig.model_list;
const report = (gpuMemory: GpuMemoryReport, free: number | null): DeviceReport =>
  ({
    webgpu: true,
    adapterError: null,
    adapter: null,
    limits: null,
    features: null,
    gpuMemory,
    storage: { estimated: free !== null, quota: free, usage: free === null ? null : 0, free, persisted: false },
    verdict: { verdict: 'paged', reasons: [] },
  }) as unknown as DeviceReport;
const pick = (r: DeviceReport | null) => {
  const x = recommend(records, r);
  return x && `${quantOf(x.record)} ${x.why}`;
};
const GB = 1e9;

describe('recommend', () => {
  it('takes Q4_K_M when nothing says otherwise', () => {
    expect(pick(null)).toBe('Q4_K_M usual');
    expect(pick(report({ kind: 'skipped', reason: 'software-adapter' }, 100 * GB))).toBe('Q4_K_M usual');
    expect(pick(report({ kind: 'measured', bytes: 12 * GB, target: 12 * GB, hitLimit: false }, 100 * GB))).toBe(
      'Q4_K_M resident',
    );
  });
  it('prefers a smaller file that stays resident over paging, and pages Q4_K_M when none does', () => {
    expect(pick(report({ kind: 'measured', bytes: 10.1 * GB, target: 12 * GB, hitLimit: true }, 100 * GB))).toBe(
      'Q4_0 resident',
    );
    expect(pick(report({ kind: 'measured', bytes: 4 * GB, target: 12 * GB, hitLimit: true }, 100 * GB))).toBe(
      'Q4_K_M paged',
    );
  });
  it('fits the storage left, or recommends nothing', () => {
    expect(pick(report({ kind: 'skipped', reason: 'software-adapter' }, 8.5 * GB))).toBe('Q3_K_L storage');
    expect(pick(report({ kind: 'skipped', reason: 'software-adapter' }, 5 * GB))).toBeNull();
  });
});
