/**
 * A GGUF v3 writer. Tests use it to build bad files and the benchmark uses it to build synthetic
 * models with the real model's shapes; it is not on the import path.
 */
import type { GgufValue } from './parse';

export type ScalarKind = 'u8' | 'i8' | 'u16' | 'i16' | 'u32' | 'i32' | 'f32' | 'bool' | 'u64' | 'i64' | 'f64';
export type MetaEntry =
  | { kind: ScalarKind; value: number | boolean }
  | { kind: 'string'; value: string }
  | { kind: 'array'; of: ScalarKind | 'string'; value: readonly (number | boolean | string)[] };

export interface TensorToWrite {
  name: string;
  /** ggml type id */
  typeId: number;
  ne: readonly number[];
  data: Uint8Array;
  /** place the data at this offset (relative to the data section) instead of the next free one */
  offsetOverride?: number;
}

const KIND_ID: Record<ScalarKind | 'string' | 'array', number> = {
  u8: 0,
  i8: 1,
  u16: 2,
  i16: 3,
  u32: 4,
  i32: 5,
  f32: 6,
  bool: 7,
  string: 8,
  array: 9,
  u64: 10,
  i64: 11,
  f64: 12,
};
const KIND_BYTES: Record<ScalarKind, number> = {
  u8: 1,
  i8: 1,
  u16: 2,
  i16: 2,
  u32: 4,
  i32: 4,
  f32: 4,
  bool: 1,
  u64: 8,
  i64: 8,
  f64: 8,
};

class Out {
  private buf = new Uint8Array(1 << 16);
  private view = new DataView(this.buf.buffer);
  len = 0;
  private grow(n: number) {
    if (this.len + n <= this.buf.byteLength) return;
    const next = new Uint8Array(Math.max(this.buf.byteLength * 2, this.len + n));
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }
  scalar(kind: ScalarKind, v: number | boolean) {
    this.grow(8);
    const n = Number(v);
    const p = this.len;
    switch (kind) {
      case 'u8':
      case 'bool':
        this.view.setUint8(p, n);
        break;
      case 'i8':
        this.view.setInt8(p, n);
        break;
      case 'u16':
        this.view.setUint16(p, n, true);
        break;
      case 'i16':
        this.view.setInt16(p, n, true);
        break;
      case 'u32':
        this.view.setUint32(p, n, true);
        break;
      case 'i32':
        this.view.setInt32(p, n, true);
        break;
      case 'f32':
        this.view.setFloat32(p, n, true);
        break;
      case 'f64':
        this.view.setFloat64(p, n, true);
        break;
      case 'u64':
        this.view.setBigUint64(p, BigInt(n), true);
        break;
      case 'i64':
        this.view.setBigInt64(p, BigInt(n), true);
        break;
    }
    this.len += KIND_BYTES[kind];
  }
  bytes(b: Uint8Array) {
    this.grow(b.byteLength);
    this.buf.set(b, this.len);
    this.len += b.byteLength;
  }
  string(s: string) {
    const b = new TextEncoder().encode(s);
    this.scalar('u64', b.byteLength);
    this.bytes(b);
  }
  pad(alignment: number) {
    const n = (alignment - (this.len % alignment)) % alignment;
    this.bytes(new Uint8Array(n));
  }
  result(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

export function writeGguf(
  metadata: readonly [string, MetaEntry][],
  tensors: readonly TensorToWrite[],
  alignment = 32,
): Uint8Array {
  const o = new Out();
  o.scalar('u32', 0x46554747);
  o.scalar('u32', 3);
  o.scalar('u64', tensors.length);
  o.scalar('u64', metadata.length);
  for (const [key, entry] of metadata) {
    o.string(key);
    o.scalar('u32', KIND_ID[entry.kind]);
    if (entry.kind === 'string') o.string(entry.value);
    else if (entry.kind === 'array') {
      o.scalar('u32', KIND_ID[entry.of]);
      o.scalar('u64', entry.value.length);
      for (const v of entry.value) {
        if (entry.of === 'string') o.string(String(v));
        else o.scalar(entry.of, v as number | boolean);
      }
    } else o.scalar(entry.kind, entry.value);
  }
  let next = 0;
  const offsets = tensors.map((t) => {
    const at = t.offsetOverride ?? next;
    next = Math.max(next, Math.ceil((at + t.data.byteLength) / alignment) * alignment);
    return at;
  });
  tensors.forEach((t, i) => {
    o.string(t.name);
    o.scalar('u32', t.ne.length);
    for (const n of t.ne) o.scalar('u64', n);
    o.scalar('u32', t.typeId);
    o.scalar('u64', offsets[i]!);
  });
  o.pad(alignment);
  const dataStart = o.len;
  const out = new Uint8Array(dataStart + next);
  out.set(o.result());
  tensors.forEach((t, i) => out.set(t.data, dataStart + offsets[i]!));
  return out;
}

/**
 * Metadata of a parsed file as writer entries. Parsed values carry no width, so integers come back
 * as u32 (i32 when negative) and fractions as f32: enough to rewrite a file with a few changes.
 */
export function entriesFromMetadata(
  meta: ReadonlyMap<string, GgufValue>,
  types?: ReadonlyMap<string, { type: number; elem?: number }>,
): [string, MetaEntry][] {
  const kindOf = new Map(Object.entries(KIND_ID).map(([k, id]) => [id, k as ScalarKind | 'string' | 'array']));
  const scalarKind = (v: number | boolean): ScalarKind =>
    typeof v === 'boolean' ? 'bool' : Number.isInteger(v) ? (v < 0 ? 'i32' : 'u32') : 'f32';
  return [...meta].map(([k, v]): [string, MetaEntry] => {
    // the file's own types where the header gives them (llama.cpp checks them: an f32 stays an f32)
    const t = types?.get(k);
    if (typeof v === 'string') return [k, { kind: 'string', value: v }];
    if (!Array.isArray(v))
      return [k, { kind: (t && (kindOf.get(t.type) as ScalarKind | undefined)) || scalarKind(v), value: v }];
    const first = v[0];
    const guessed =
      typeof first === 'string'
        ? 'string'
        : v.some((x) => typeof x === 'number' && !Number.isInteger(x))
          ? 'f32'
          : typeof first === 'boolean'
            ? 'bool'
            : v.some((x) => typeof x === 'number' && x < 0)
              ? 'i32'
              : 'u32';
    const of =
      (t?.elem !== undefined ? (kindOf.get(t.elem) as ScalarKind | 'string' | undefined) : undefined) ?? guessed;
    return [k, { kind: 'array', of, value: v as (number | boolean | string)[] }];
  });
}
