/**
 * GGUF header parser: metadata and tensor table, never the tensor data.
 *
 * It works on the first bytes of a file and throws NeedMoreBytes when they end too early, so callers
 * can stream the header in (readGgufHeader). Every count and length read from the file is checked
 * against what is left of the file before anything is allocated: a hostile or corrupt header fails
 * fast with a ModelFormatError instead of exhausting memory.
 */
import { ModelFormatError, NeedMoreBytes } from '../errors';
import { ggmlType, ggmlTypeName, SUPPORTED_TYPES, type GgmlType } from './ggml-types';

export type GgufValue = number | boolean | string | GgufValue[];

export interface GgufTensorInfo {
  readonly name: string;
  readonly type: GgmlType;
  /** ggml shape, fastest dimension first */
  readonly ne: readonly number[];
  /** absolute byte offset in the file */
  readonly offset: number;
  readonly byteSize: number;
  /** rows of ne[0] weights (the product of the other dimensions) */
  readonly nRows: number;
  /** bytes of one row in the file */
  readonly rowBytes: number;
}

export interface GgufHeader {
  readonly version: number;
  readonly metadata: ReadonlyMap<string, GgufValue>;
  /** each metadata key's GGUF value type, and an array's element type: what a rewrite must keep */
  readonly metadataTypes: ReadonlyMap<string, { readonly type: number; readonly elem?: number }>;
  readonly tensors: readonly GgufTensorInfo[];
  readonly alignment: number;
  /** where the tensor data section starts: everything before it is the header */
  readonly dataOffset: number;
  readonly fileSize: number;
}

const MAGIC = 0x46554747; // "GGUF" read as a little-endian u32
export const LIMITS = {
  maxKeyBytes: 65_536,
  maxStringBytes: 16 * 1024 * 1024,
  maxArrayLength: 16 * 1024 * 1024,
  maxKvCount: 65_536,
  maxTensorCount: 65_536,
  maxDims: 4,
  maxHeaderBytes: 512 * 1024 * 1024,
};

enum VT {
  U8,
  I8,
  U16,
  I16,
  U32,
  I32,
  F32,
  BOOL,
  STRING,
  ARRAY,
  U64,
  I64,
  F64,
}
const SCALAR_BYTES: Partial<Record<VT, number>> = {
  [VT.U8]: 1,
  [VT.I8]: 1,
  [VT.U16]: 2,
  [VT.I16]: 2,
  [VT.U32]: 4,
  [VT.I32]: 4,
  [VT.F32]: 4,
  [VT.BOOL]: 1,
  [VT.U64]: 8,
  [VT.I64]: 8,
  [VT.F64]: 8,
};

class Cursor {
  pos = 0;
  private readonly view: DataView;
  private readonly text = new TextDecoder('utf-8', { fatal: true });
  constructor(
    private readonly bytes: Uint8Array,
    private readonly fileSize: number,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** Make sure n more bytes can be read: the file must have them, and so must the buffer. */
  need(n: number, what: string): void {
    const end = this.pos + n;
    if (end > this.fileSize) {
      throw new ModelFormatError(
        'truncated',
        `The file ends inside its header (reading ${what} at byte ${this.pos}): it is truncated or corrupt.`,
      );
    }
    if (end > LIMITS.maxHeaderBytes) {
      throw new ModelFormatError(
        'bad-metadata',
        `The GGUF header is larger than ${LIMITS.maxHeaderBytes / 2 ** 20} MiB: refusing it as corrupt.`,
      );
    }
    if (end > this.bytes.byteLength) throw new NeedMoreBytes(end);
  }

  u8(): number {
    this.need(1, 'a u8');
    return this.view.getUint8(this.pos++);
  }
  u32(): number {
    this.need(4, 'a u32');
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }
  u64(what: string): number {
    this.need(8, what);
    const v = this.view.getBigUint64(this.pos, true);
    this.pos += 8;
    if (v > BigInt(Number.MAX_SAFE_INTEGER))
      throw new ModelFormatError('bad-metadata', `${what} is ${v}, which overflows: the header is corrupt.`);
    return Number(v);
  }

  string(what: string, limit = LIMITS.maxStringBytes): string {
    const len = this.u64(`the length of ${what}`);
    if (len > limit)
      throw new ModelFormatError(
        'bad-metadata',
        `${what} claims ${len} bytes (limit ${limit}): the header is corrupt.`,
      );
    this.need(len, what);
    const s = this.bytes.subarray(this.pos, this.pos + len);
    this.pos += len;
    try {
      return this.text.decode(s);
    } catch {
      throw new ModelFormatError('bad-metadata', `${what} is not valid UTF-8.`);
    }
  }

  scalar(type: VT, what: string): number | boolean {
    const size = SCALAR_BYTES[type];
    if (size === undefined) throw new ModelFormatError('bad-metadata', `${what} has unknown value type ${type}.`);
    this.need(size, what);
    const p = this.pos;
    this.pos += size;
    const v = this.view;
    switch (type) {
      case VT.U8:
        return v.getUint8(p);
      case VT.I8:
        return v.getInt8(p);
      case VT.U16:
        return v.getUint16(p, true);
      case VT.I16:
        return v.getInt16(p, true);
      case VT.U32:
        return v.getUint32(p, true);
      case VT.I32:
        return v.getInt32(p, true);
      case VT.F32:
        return v.getFloat32(p, true);
      case VT.BOOL:
        return v.getUint8(p) !== 0;
      case VT.F64:
        return v.getFloat64(p, true);
      default: {
        const big = type === VT.U64 ? v.getBigUint64(p, true) : v.getBigInt64(p, true);
        if (big > BigInt(Number.MAX_SAFE_INTEGER) || big < BigInt(Number.MIN_SAFE_INTEGER)) {
          throw new ModelFormatError('bad-metadata', `${what} is ${big}, which overflows.`);
        }
        return Number(big);
      }
    }
  }

  value(type: VT, what: string, depth = 0): GgufValue {
    if (type === VT.STRING) return this.string(what);
    if (type !== VT.ARRAY) return this.scalar(type, what);
    if (depth > 1) throw new ModelFormatError('bad-metadata', `${what} nests arrays too deeply.`);
    const elemType = this.u32() as VT;
    const count = this.u64(`the length of ${what}`);
    const minElem = elemType === VT.STRING ? 8 : elemType === VT.ARRAY ? 12 : SCALAR_BYTES[elemType];
    if (minElem === undefined)
      throw new ModelFormatError('bad-metadata', `${what} is an array of unknown value type ${elemType}.`);
    if (count > LIMITS.maxArrayLength || this.pos + count * minElem > this.fileSize) {
      throw new ModelFormatError(
        'bad-metadata',
        `${what} claims ${count} elements, more than the file can hold: the file is truncated or its header is corrupt.`,
      );
    }
    const out = new Array<GgufValue>(count);
    for (let i = 0; i < count; i++) out[i] = this.value(elemType, what, depth + 1);
    return out;
  }
}

/** Parse a GGUF header from `bytes`, the first bytes of a file of `fileSize` bytes. */
export function parseGgufHeader(bytes: Uint8Array, fileSize: number): GgufHeader {
  if (fileSize < 8 && bytes.byteLength >= fileSize) {
    throw new ModelFormatError('not-gguf', 'This is not a GGUF model file: it is too short to have a GGUF header.');
  }
  const c = new Cursor(bytes, fileSize);
  if (c.u32() !== MAGIC) {
    throw new ModelFormatError(
      'not-gguf',
      'This is not a GGUF model file (it does not start with "GGUF"). Lite Coder imports .gguf files.',
    );
  }
  const version = c.u32();
  if (version !== 2 && version !== 3) {
    throw new ModelFormatError(
      'unsupported-version',
      `This GGUF file is version ${version}; Lite Coder reads versions 2 and 3.`,
    );
  }
  const tensorCount = c.u64('the tensor count');
  const kvCount = c.u64('the metadata count');
  if (tensorCount > LIMITS.maxTensorCount)
    throw new ModelFormatError('bad-metadata', `The header claims ${tensorCount} tensors: it is corrupt.`);
  if (kvCount > LIMITS.maxKvCount)
    throw new ModelFormatError('bad-metadata', `The header claims ${kvCount} metadata entries: it is corrupt.`);

  const metadata = new Map<string, GgufValue>();
  const metadataTypes = new Map<string, { type: number; elem?: number }>();
  for (let i = 0; i < kvCount; i++) {
    const key = c.string(`metadata key #${i}`, LIMITS.maxKeyBytes);
    const type = c.u32() as VT;
    const at = c.pos;
    metadata.set(key, c.value(type, `metadata "${key}"`));
    metadataTypes.set(
      key,
      type === VT.ARRAY
        ? { type, elem: new DataView(bytes.buffer, bytes.byteOffset + at, 4).getUint32(0, true) }
        : { type },
    );
  }

  const alignment = metadata.get('general.alignment') ?? 32;
  if (typeof alignment !== 'number' || alignment <= 0 || alignment % 4 !== 0 || alignment > 65536) {
    throw new ModelFormatError(
      'bad-metadata',
      `general.alignment is ${String(alignment)}; it must be a small positive multiple of 4.`,
    );
  }

  const raw: { name: string; typeId: number; ne: number[]; rel: number }[] = [];
  for (let i = 0; i < tensorCount; i++) {
    const name = c.string(`the name of tensor #${i}`, 4096);
    const nDims = c.u32();
    if (nDims < 1 || nDims > LIMITS.maxDims)
      throw new ModelFormatError('bad-tensor-table', `Tensor "${name}" has ${nDims} dimensions (1 to 4 allowed).`);
    const ne: number[] = [];
    for (let d = 0; d < nDims; d++) ne.push(c.u64(`dimension ${d} of tensor "${name}"`));
    const typeId = c.u32();
    const rel = c.u64(`the offset of tensor "${name}"`);
    raw.push({ name, typeId, ne, rel });
  }
  const dataOffset = Math.ceil(c.pos / alignment) * alignment;
  const tensors = raw.map((r) => tensorInfo(r, dataOffset, alignment, fileSize));
  checkTensorTable(tensors, fileSize);
  return { version, metadata, metadataTypes, tensors, alignment, dataOffset, fileSize };
}

function tensorInfo(
  r: { name: string; typeId: number; ne: number[]; rel: number },
  dataOffset: number,
  alignment: number,
  fileSize: number,
): GgufTensorInfo {
  const type = ggmlType(r.typeId);
  if (!type) {
    throw new ModelFormatError(
      'unsupported-type',
      `Tensor "${r.name}" has type ${ggmlTypeName(r.typeId)}, which Lite Coder does not support (supported: ${SUPPORTED_TYPES.map((x) => x.name).join(', ')}).`,
    );
  }
  let elements = 1;
  for (const n of r.ne) {
    if (n < 1) throw new ModelFormatError('bad-tensor-table', `Tensor "${r.name}" has an empty dimension.`);
    elements *= n;
    if (elements > fileSize * 8)
      throw new ModelFormatError(
        'bad-tensor-table',
        `Tensor "${r.name}" claims shape [${r.ne.join(', ')}], larger than the whole file.`,
      );
  }
  const rowWeights = r.ne[0] ?? 0;
  if (rowWeights % type.blockWeights !== 0) {
    throw new ModelFormatError(
      'bad-tensor-table',
      `Tensor "${r.name}" has rows of ${rowWeights} weights, not a multiple of ${type.name}'s block of ${type.blockWeights}.`,
    );
  }
  if (r.rel % alignment !== 0)
    throw new ModelFormatError(
      'bad-tensor-table',
      `Tensor "${r.name}" starts at offset ${r.rel}, not aligned to ${alignment}.`,
    );
  const rowBytes = (rowWeights / type.blockWeights) * type.blockBytes;
  const nRows = elements / rowWeights;
  return { name: r.name, type, ne: r.ne, offset: dataOffset + r.rel, byteSize: rowBytes * nRows, nRows, rowBytes };
}

function checkTensorTable(tensors: GgufTensorInfo[], fileSize: number): void {
  const names = new Set<string>();
  for (const t of tensors) {
    if (names.has(t.name))
      throw new ModelFormatError('bad-tensor-table', `Tensor "${t.name}" appears twice in the tensor table.`);
    names.add(t.name);
  }
  const sorted = [...tensors].sort((a, b) => a.offset - b.offset);
  for (let i = 0; i < sorted.length; i++) {
    const t = sorted[i]!;
    const end = t.offset + t.byteSize;
    if (end > fileSize) {
      throw new ModelFormatError(
        'truncated',
        `Tensor "${t.name}" ends at byte ${end} but the file has only ${fileSize} bytes: the file is truncated or its tensor table is wrong.`,
      );
    }
    const next = sorted[i + 1];
    if (next && next.offset < end) {
      throw new ModelFormatError(
        'bad-tensor-table',
        `Tensors "${t.name}" and "${next.name}" overlap in the file: the tensor table is inconsistent.`,
      );
    }
  }
}

/** How much of a file the first header read asks for; most headers fit, the rest come in doublings. */
export const HEADER_FIRST_READ = 256 * 1024;

/** Read a header through `read`, fetching more bytes each time the parser runs out. */
export async function readGgufHeader(
  read: (offset: number, length: number) => Promise<Uint8Array>,
  fileSize: number,
): Promise<{ header: GgufHeader; headerBytes: Uint8Array }> {
  let bytes = await read(0, Math.min(fileSize, HEADER_FIRST_READ));
  for (;;) {
    try {
      const header = parseGgufHeader(bytes, fileSize);
      return { header, headerBytes: bytes.subarray(0, Math.min(bytes.byteLength, header.dataOffset)) };
    } catch (e) {
      if (!(e instanceof NeedMoreBytes)) throw e;
      const want = Math.min(fileSize, Math.max(e.atLeast, bytes.byteLength * 2));
      const more = await read(bytes.byteLength, want - bytes.byteLength);
      const grown = new Uint8Array(bytes.byteLength + more.byteLength);
      grown.set(bytes);
      grown.set(more, bytes.byteLength);
      bytes = grown;
    }
  }
}
