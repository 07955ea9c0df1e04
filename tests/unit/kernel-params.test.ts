/**
 * The kernel contract: every kernel's `struct Params` and `struct Step`, as the WGSL declares them
 * (includes spliced in, as the pipelines get them), against the writers in workers/runtime/params.ts,
 * field for field; and no WGSL struct declared in two kernel files.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { kernelSource } from '../../workers/runtime/kernels';
import { KERNEL_PARAMS, packParams, STEP, type ParamStruct } from '../../workers/runtime/params';

const DIR = new URL('../../kernels/', import.meta.url);
const KERNELS = readdirSync(DIR)
  .filter((f) => f.endsWith('.wgsl'))
  .map((f) => f.slice(0, -5));

/** The fields of `struct name { ... }` in `src`, as name → type, or undefined when there is none. */
function wgslStruct(src: string, name: string): Record<string, string> | undefined {
  const start = src.indexOf(`struct ${name} {`);
  if (start < 0) return undefined;
  const body = src.slice(src.indexOf('{', start) + 1, src.indexOf('}', start));
  const fields: Record<string, string> = {};
  for (const part of body.split(',')) {
    const [field, type] = part.split(':').map((x) => x.trim());
    if (field) fields[field] = type!;
  }
  return fields;
}

/** A kernel's source as a pipeline gets it: a weight type where it decodes weights, a KV form where it reads the cache. */
function source(kernel: string): string {
  const raw = readFileSync(new URL(`${kernel}.wgsl`, DIR), 'utf8');
  return kernelSource(
    kernel,
    raw.includes('//!include quant') ? 'Q4_0' : raw.includes('//!include kv') ? 'F16' : undefined,
  );
}

describe('kernel parameter structs', () => {
  it('knows every kernel', () => {
    expect(KERNELS.length).toBeGreaterThan(10);
    for (const k of KERNELS)
      expect(KERNEL_PARAMS, `kernels/${k}.wgsl`).toHaveProperty(k === 'sample_scan' ? 'sample' : k);
  });

  for (const kernel of KERNELS) {
    it(`${kernel}: Params and Step match params.ts`, () => {
      const src = source(kernel);
      // in order: a field's offset is 4 * its index
      const fields = (s: object | undefined) => (s ? Object.entries(s) : undefined);
      const want: ParamStruct | undefined =
        kernel === 'sample_scan' ? undefined : KERNEL_PARAMS[kernel as keyof typeof KERNEL_PARAMS];
      expect(fields(wgslStruct(src, 'Params')), 'struct Params').toEqual(fields(want));
      const step = wgslStruct(src, 'Step');
      if (step) expect(fields(step), 'struct Step').toEqual(fields(STEP));
    });
  }

  it('no struct is declared the same in two kernel files (shared ones come from kernels/common/)', () => {
    const seen = new Map<string, string>();
    for (const kernel of KERNELS) {
      const raw = readFileSync(new URL(`${kernel}.wgsl`, DIR), 'utf8');
      for (const m of raw.matchAll(/^struct (\w+) \{/gm)) {
        const declared = JSON.stringify([m[1], wgslStruct(raw, m[1]!)]);
        expect(seen.get(declared), `struct ${m[1]} in ${kernel}.wgsl`).toBeUndefined();
        seen.set(declared, kernel);
      }
    }
  });
});

describe('packParams', () => {
  it('writes u32 and f32 fields at 4 * their index, padded to 16 bytes', () => {
    const data = packParams(KERNEL_PARAMS.moe_route, { E: 64, k: 6, gating: 1, norm: 0, scale: 2.5 });
    expect(data.byteLength).toBe(32);
    expect(Array.from(new Uint32Array(data, 0, 4))).toEqual([64, 6, 1, 0]);
    expect(new Float32Array(data, 16, 1)[0]).toBe(2.5);
    expect(packParams(STEP, { T: 3, pos0: 7 }).byteLength).toBe(16);
  });

  it('refuses a u32 field that is not a u32, by name', () => {
    expect(() => packParams(STEP, { T: -1, pos0: 0 })).toThrow(/field T must be a u32/);
    expect(() => packParams(STEP, { T: 1.5, pos0: 0 })).toThrow(/field T/);
    expect(() => packParams(STEP, { T: 1, pos0: 2 ** 32 })).toThrow(/field pos0/);
  });
});
