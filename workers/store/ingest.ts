/**
 * The import: GGUF bytes in, IndexedDB records out, one record at a time.
 *
 * 1. Read and check the header (all bad input is refused here, before anything is written).
 * 2. Plan the records; skip those an earlier attempt already stored (resume).
 * 3. Check the quota against what is left to write.
 * 4. Fetch, transcode, hash and write each record; memory holds a few records, never the file.
 * 5. Mark the manifest ready. Until then the model is never taken for a complete one.
 */
import { readDeepSeek2 } from '../gguf/deepseek2';
import { readGgufHeader } from '../gguf/parse';
import { tokenizerDataFromMetadata } from '../model/tokenizer-from-gguf';
import { deleteModelData, deleteRecords, getManifest, getRecord, putManifest, putRecord, storedKeys } from './db';
import { sha256Hex } from './hash';
import { keyString } from './keys';
import { buildRecord, planRecords } from './plan';
import { openSource, SourceError, type ByteSource } from './sources';
import { ProgressMeter } from './progress';
import { ggmlTypeName } from '../gguf/ggml-types';
import type { ImportSource, ModelManifest, PlannedRecord, RecordKey } from './types';

export class ImportError extends Error {
  constructor(message: string, readonly resumable: boolean) {
    super(message);
    this.name = 'ImportError';
  }
}

const PARALLEL_RECORDS = 4;
const CHECKSUM_FLUSH_MS = 5000;

export async function importModel(src: ImportSource, onProgress: ProgressMeter['listener'], signal: AbortSignal): Promise<ModelManifest> {
  const source = await openSource(src, signal);
  try {
    return await ingest(source, onProgress, signal);
  } finally {
    source.close();
  }
}

async function ingest(source: ByteSource, listener: ProgressMeter['listener'], signal: AbortSignal): Promise<ModelManifest> {
  const { header, headerBytes } = await readGgufHeader((o, l) => source.read(o, l), source.size);
  const hparams = readDeepSeek2(header);
  const tokenizer = tokenizerDataFromMetadata(header.metadata);
  const id = await modelIdOf(headerBytes, source.size);
  const existing = await getManifest(id);
  if (existing?.state === 'ready') return existing;

  const plan = planRecords(id, header, hparams);
  const present = new Set(existing ? (await storedKeys(id)).map(keyString) : []);
  const todo = plan.records.filter((r) => !present.has(keyString(r.key)));
  const fileBytes = (rs: readonly PlannedRecord[]) => rs.reduce((n, r) => n + r.slices.reduce((m, s) => m + s.fileBytes, 0), 0);
  const name = String(header.metadata.get('general.name') ?? (source.info.kind === 'file' ? source.info.name : 'model'));
  const meter = new ProgressMeter(listener, {
    modelId: id, name, bytesTotal: fileBytes(plan.records), bytesResumed: fileBytes(plan.records) - fileBytes(todo), canResume: source.randomAccess,
  });
  if (!source.randomAccess) meter.note = 'This server does not support resuming (no HTTP Range requests): if the download is interrupted it starts over.';
  meter.phase('checking space');
  await checkQuota(todo.reduce((n, r) => n + r.bytes, 0));

  const manifest: ModelManifest = existing ?? {
    id, name, architecture: 'deepseek2', fileType: fileTypeOf(header.tensors.map((t) => t.type.id)),
    fileSize: source.size, source: source.info, state: 'importing', createdAt: Date.now(), updatedAt: Date.now(),
    hparams, tokenizer, dense: plan.dense, experts: plan.experts, records: plan.records, storedBytes: plan.storedBytes, checksums: {},
  };
  if (!existing) await putManifest(manifest);
  const written: RecordKey[] = [];
  let lastFlush = Date.now();
  const store = async (r: PlannedRecord, data: Uint8Array) => {
    if (signal.aborted) throw signal.reason;
    const sha256 = await sha256Hex(data);
    await putRecord(r.key, { sha256, data: data.buffer as ArrayBuffer });
    written.push(r.key);
    manifest.checksums[keyString(r.key)] = sha256;
    meter.add(r.slices.reduce((m, s) => m + s.fileBytes, 0));
    if (Date.now() - lastFlush > CHECKSUM_FLUSH_MS) {
      lastFlush = Date.now();
      manifest.updatedAt = lastFlush;
      await putManifest(manifest);
    }
  };

  meter.phase('downloading');
  try {
    if (source.randomAccess) await writeInParallel(todo, source, store);
    else await writeInFileOrder(todo, source, store);
  } catch (e) {
    const quota = isQuotaError(e);
    if (quota || signal.aborted) {
      // Leave the store as it was: drop what this attempt wrote (the whole model if it is new).
      if (existing) await deleteRecords(written); else await deleteModelData(id);
    } else {
      await putManifest(manifest);
    }
    if (signal.aborted) throw new ImportError('Import cancelled; nothing of it was kept.', false);
    if (quota) throw new ImportError('Storage is full: the browser refused to store more of the model. Free some space (or delete other models) and try again.', false);
    const resumable = source.randomAccess && e instanceof SourceError && e.retryable;
    throw new ImportError(`${(e as Error).message}${resumable ? ' What is stored is kept: import the same URL or file again to resume.' : ''}`, resumable);
  }

  meter.phase('finishing');
  for (const r of plan.records) {
    const k = keyString(r.key);
    // Records stored by an earlier attempt after its last manifest flush carry their own checksum.
    manifest.checksums[k] ??= (await getRecord(r.key))?.sha256 ?? '';
  }
  manifest.state = 'ready';
  manifest.updatedAt = Date.now();
  await putManifest(manifest);
  meter.phase('done');
  return manifest;
}

type Store = (r: PlannedRecord, data: Uint8Array) => Promise<void>;

async function writeInParallel(todo: readonly PlannedRecord[], source: ByteSource, store: Store): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  // Every lane stops at the first failure and all have settled before the caller rolls back, so no
  // record is written after the rollback.
  const lane = async () => {
    while (!failure && next < todo.length) {
      const r = todo[next++]!;
      try {
        const slices = await Promise.all(r.slices.map((s) => source.read(s.fileOffset, s.fileBytes)));
        if (!failure) await store(r, buildRecord(r, slices));
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: PARALLEL_RECORDS }, lane));
  if (failure) throw failure.error;
}

/**
 * Without random access, slices arrive in file order, while an expert record gathers slices from
 * three tensors far apart in the file. Its first slices wait in memory only as long as needed: at
 * most one layer's gate and up parts, which is the price of a server without Range support.
 */
async function writeInFileOrder(todo: readonly PlannedRecord[], source: ByteSource, store: Store): Promise<void> {
  const pieces = todo.flatMap((r) => r.slices.map((s, i) => ({ r, i, s }))).sort((a, b) => a.s.fileOffset - b.s.fileOffset);
  const waiting = new Map<PlannedRecord, Uint8Array[]>();
  for (const { r, i, s } of pieces) {
    const parts = waiting.get(r) ?? [];
    parts[i] = await source.read(s.fileOffset, s.fileBytes);
    if (parts.filter(Boolean).length < r.slices.length) { waiting.set(r, parts); continue; }
    waiting.delete(r);
    await store(r, buildRecord(r, parts));
  }
}

async function checkQuota(need: number): Promise<void> {
  const est = await navigator.storage.estimate();
  const free = (est.quota ?? Infinity) - (est.usage ?? 0);
  if (need > free) {
    throw new ImportError(`Not enough storage: the model needs ${gb(need)} more, but only ${gb(free)} is free (${gb(need - free)} missing). Free some space or delete other models, then try again.`, false);
  }
}

function isQuotaError(e: unknown): boolean {
  return e instanceof DOMException && (e.name === 'QuotaExceededError' || /quota/i.test(e.message));
}

export function gb(bytes: number): string {
  return bytes >= 1e9 ? `${(bytes / 1e9).toFixed(2)} GB` : `${(bytes / 1e6).toFixed(1)} MB`;
}

/** The same file, from a URL or from disk, always gets the same id. */
async function modelIdOf(headerBytes: Uint8Array, size: number): Promise<string> {
  const sizeBytes = new TextEncoder().encode(`:${size}`);
  const all = new Uint8Array(headerBytes.byteLength + sizeBytes.byteLength);
  all.set(headerBytes);
  all.set(sizeBytes, headerBytes.byteLength);
  return (await sha256Hex(all)).slice(0, 16);
}

/** A short description of the quantization, from the tensor types actually present. */
function fileTypeOf(typeIds: number[]): string {
  const counts = new Map<string, number>();
  for (const id of typeIds) counts.set(ggmlTypeName(id), (counts.get(ggmlTypeName(id)) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1]).map(([n, c]) => `${c}×${n}`).join(' ');
}
