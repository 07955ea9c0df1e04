/**
 * The import: GGUF bytes in, IndexedDB records out, one record at a time.
 *
 * 1. Read and check the header, every file's for a split model (all bad input is refused here,
 *    before anything is written).
 * 2. Plan the records; skip those an earlier attempt already stored (resume), after checking that the
 *    source is still the file they came from (its ETag, and one stored record fetched again).
 * 3. Check the quota against what is left to write.
 * 4. Fetch, transcode, hash and write each record; memory holds a few records, never the file.
 * 5. Mark the manifest ready. Until then the model is never taken for a complete one.
 */
import { readDeepSeek2, type DeepSeek2Hparams } from '../gguf/deepseek2';
import { ImportError, ModelFormatError, SourceError } from '../errors';
import { formatBytes } from '../format';
import { tokenizerDataFromMetadata } from '../model/tokenizer-from-gguf';
import { deleteModelData, deleteRecords, getManifest, getRecord, putManifest, putRecord, storedKeys } from './db';
import { sha256Hex } from './hash';
import { keyString } from './keys';
import { openModel, type OpenedModel } from './open-model';
import { buildRecord, planRecords } from './plan';
import { changedEtag, recordToRecheck, sourceName } from './resume-check';
import type { ByteSource } from './sources';
import { ProgressMeter } from './progress';
import { ggmlTypeName } from '../gguf/ggml-types';
import type { ImportSource, ModelManifest, PlannedRecord, RecordKey } from './types';

const PARALLEL_RECORDS = 4;
const CHECKSUM_FLUSH_MS = 5000;

export async function importModel(
  src: ImportSource,
  onProgress: ProgressMeter['listener'],
  signal: AbortSignal,
): Promise<ModelManifest> {
  const opened = await openModel(src, signal);
  try {
    return await ingest(opened, onProgress, signal);
  } finally {
    opened.source.close();
  }
}

/** The model's hyperparameters; for a split model, a message about a tensor also names its file. */
function hparamsOf(opened: OpenedModel): DeepSeek2Hparams {
  try {
    return readDeepSeek2(opened.header);
  } catch (e) {
    const where = e instanceof ModelFormatError && e.tensor !== undefined ? opened.whereIs(e.tensor) : '';
    if (!where) throw e;
    const err = e as ModelFormatError;
    throw new ModelFormatError(
      err.code,
      `${err.message} It is in ${where}: is that file from another split set?`,
      err.tensor,
    );
  }
}

async function ingest(
  opened: OpenedModel,
  listener: ProgressMeter['listener'],
  signal: AbortSignal,
): Promise<ModelManifest> {
  const { source, header } = opened;
  const hparams = hparamsOf(opened);
  const tokenizer = tokenizerDataFromMetadata(header.metadata);
  const id = await modelIdOf(opened.identity);
  const existing = await getManifest(id);
  if (existing?.state === 'ready') return existing;

  const plan = planRecords(id, header, hparams);
  const present = new Set(existing ? (await storedKeys(id)).map(keyString) : []);
  const todo = plan.records.filter((r) => !present.has(keyString(r.key)));
  // Resuming: the records stored must have come from this very file.
  const changed = existing ? changedEtag(existing.source, source.info) : undefined;
  if (changed) {
    throw new ImportError(
      `${changed} has changed since this model's import began (its ETag differs), so the parts stored ` +
        'cannot be combined with it. Delete the incomplete model, then import again.',
      false,
    );
  }
  const recheck = recordToRecheck(plan.records, present);
  const fileBytes = (rs: readonly PlannedRecord[]) =>
    rs.reduce((n, r) => n + r.slices.reduce((m, s) => m + s.fileBytes, 0), 0);
  const name = String(
    header.metadata.get('general.name') ?? (source.info.kind === 'file' ? source.info.name : 'model'),
  );
  const meter = new ProgressMeter(listener, {
    modelId: id,
    name,
    bytesTotal: fileBytes(plan.records),
    bytesResumed: fileBytes(plan.records) - fileBytes(todo),
    canResume: source.randomAccess,
  });
  if (!source.randomAccess)
    meter.note =
      'This server does not support resuming (no HTTP Range requests): if the download is interrupted it starts over.';
  meter.phase('checking space');
  await checkQuota(todo.reduce((n, r) => n + r.bytes, 0));

  const manifest: ModelManifest = existing ?? {
    id,
    name,
    architecture: 'deepseek2',
    fileType: fileTypeOf(header.tensors.map((t) => t.type.id)),
    fileSize: source.size,
    source: source.info,
    state: 'importing',
    createdAt: Date.now(),
    updatedAt: Date.now(),
    hparams,
    tokenizer,
    dense: plan.dense,
    experts: plan.experts,
    records: plan.records,
    storedBytes: plan.storedBytes,
    checksums: {},
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

  // A record an earlier attempt stored, fetched again: it must hash as it did, or the file has changed.
  const compare: Store = async (r, data) => {
    const before = (await getRecord(r.key))?.sha256;
    if (before !== undefined && before !== (await sha256Hex(data))) {
      throw new SourceError(
        `${sourceName(source.info)} is not the file this model's import began with: ` +
          `record ${keyString(r.key)} stored earlier does not match it any more (the file changed, or another file ` +
          'has the same name and header). ' +
          'Delete the incomplete model, then import again.',
        false,
      );
    }
  };
  const check = recheck ? { record: recheck, sink: compare } : undefined;

  meter.phase('downloading');
  try {
    if (source.randomAccess) await writeInParallel(todo, source, store, check);
    else await writeInFileOrder(todo, source, store, check);
  } catch (e) {
    const quota = isQuotaError(e);
    if (quota || signal.aborted) {
      // Leave the store as it was: drop what this attempt wrote (the whole model if it is new).
      if (existing) await deleteRecords(written);
      else await deleteModelData(id);
    } else {
      await putManifest(manifest);
    }
    if (signal.aborted) throw new ImportError('Import cancelled; nothing of it was kept.', false);
    if (quota)
      throw new ImportError(
        'Storage is full: the browser refused to store more of the model. Free some space (or delete other models) and try again.',
        false,
      );
    const resumable = source.randomAccess && e instanceof SourceError && e.retryable;
    throw new ImportError(
      `${(e as Error).message}${resumable ? ' What is stored is kept: import the same URL or file again to resume.' : ''}`,
      resumable,
    );
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
/** A record to fetch and hand to `sink` instead of storing it (the resume check). */
type Check = { record: PlannedRecord; sink: Store };

const readSlices = (r: PlannedRecord, source: ByteSource) =>
  Promise.all(r.slices.map((s) => source.read(s.fileOffset, s.fileBytes)));

async function writeInParallel(
  todo: readonly PlannedRecord[],
  source: ByteSource,
  store: Store,
  check?: Check,
): Promise<void> {
  if (check) await check.sink(check.record, buildRecord(check.record, await readSlices(check.record, source)));
  let next = 0;
  let failure: { error: unknown } | undefined;
  // Every lane stops at the first failure and all have settled before the caller rolls back, so no
  // record is written after the rollback.
  const lane = async () => {
    while (!failure && next < todo.length) {
      const r = todo[next++]!;
      try {
        const slices = await readSlices(r, source);
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
async function writeInFileOrder(
  todo: readonly PlannedRecord[],
  source: ByteSource,
  store: Store,
  check?: Check,
): Promise<void> {
  const jobs = [...todo.map((r) => ({ r, sink: store })), ...(check ? [{ r: check.record, sink: check.sink }] : [])];
  const pieces = jobs
    .flatMap(({ r, sink }) => r.slices.map((s, i) => ({ r, sink, i, s })))
    .sort((a, b) => a.s.fileOffset - b.s.fileOffset);
  const waiting = new Map<PlannedRecord, Uint8Array[]>();
  for (const { r, sink, i, s } of pieces) {
    const parts = waiting.get(r) ?? [];
    parts[i] = await source.read(s.fileOffset, s.fileBytes);
    if (parts.filter(Boolean).length < r.slices.length) {
      waiting.set(r, parts);
      continue;
    }
    waiting.delete(r);
    await sink(r, buildRecord(r, parts));
  }
}

async function checkQuota(need: number): Promise<void> {
  const est = await navigator.storage.estimate();
  const free = (est.quota ?? Infinity) - (est.usage ?? 0);
  if (need > free) {
    throw new ImportError(
      `Not enough storage: the model needs ${formatBytes(need)} more, but only ${formatBytes(free)} is free (${formatBytes(need - free)} missing). Free some space or delete other models, then try again.`,
      false,
    );
  }
}

function isQuotaError(e: unknown): boolean {
  return e instanceof DOMException && (e.name === 'QuotaExceededError' || /quota/i.test(e.message));
}

/**
 * The same file, from a URL or from disk, always gets the same id: a hash of its header bytes and
 * size (for a split model, of each file's, in order).
 */
async function modelIdOf(files: OpenedModel['identity']): Promise<string> {
  const parts = files.flatMap((f) => [f.headerBytes, new TextEncoder().encode(`:${f.size}`)]);
  const all = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    all.set(p, at);
    at += p.byteLength;
  }
  return (await sha256Hex(all)).slice(0, 16);
}

/** A short description of the quantization, from the tensor types actually present. */
function fileTypeOf(typeIds: number[]): string {
  const counts = new Map<string, number>();
  for (const id of typeIds) counts.set(ggmlTypeName(id), (counts.get(ggmlTypeName(id)) ?? 0) + 1);
  return [...counts]
    .sort((a, b) => b[1] - a[1])
    .map(([n, c]) => `${c}×${n}`)
    .join(' ');
}
