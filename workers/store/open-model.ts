/**
 * What an import reads: one GGUF file, or all the files of a split model read as one (their tensors at
 * offsets into the files laid end to end). Every file is opened and its header read and checked here,
 * before anything is written, so a missing file, a file of another set or a misnumbered one is refused
 * by name with nothing stored.
 *
 * The files of a split model are found by their names (`<prefix>-<i>-of-<n>.gguf`, see shard-names.ts):
 * from any one file's URL, the others' URLs; from chosen local files, their order. Local files named
 * otherwise are put in the order their own split.no gives.
 */
import { ModelFormatError, SourceError } from '../errors';
import { readGgufHeader, type GgufHeader } from '../gguf/parse';
import { combineShards, readSplitMeta, shardLabel } from '../gguf/split';
import { parseShardName, shardFileName, shardUrls } from './shard-names';
import { concatSources, fileSource, urlSource, type ByteSource } from './sources';
import type { ImportSource, ShardSource, SourceInfo } from './types';

export interface OpenedModel {
  /** the bytes: the file, or the split model's files end to end */
  readonly source: ByteSource;
  /** its header (for a split model: the first file's metadata, every file's tensors) */
  readonly header: GgufHeader;
  /** what the model id is derived from: each file's header bytes and size, in order */
  readonly identity: readonly { readonly headerBytes: Uint8Array; readonly size: number }[];
  /** For a split model, names the file that holds `tensor` ("file 2 of 3 (name)"); '' otherwise. */
  whereIs(tensor: string): string;
}

interface Part {
  readonly source: ByteSource;
  /** the file's name or URL */
  readonly name: string;
  readonly header: GgufHeader;
  readonly headerBytes: Uint8Array;
}

/** Open what `src` names and read its header(s). Throws a ModelFormatError or SourceError naming the problem. */
export async function openModel(src: ImportSource, signal: AbortSignal): Promise<OpenedModel> {
  switch (src.kind) {
    case 'url': {
      const urls = shardUrls(src.url);
      if (!urls) return whole(await readPart(await urlSource(src.url, signal), src.url));
      return split(await readUrlShards(urls, signal));
    }
    case 'file':
      return whole(await readPart(fileSource(src.file), src.file.name));
    case 'files':
      if (src.files.length === 0) throw new Error('No file was chosen.');
      if (src.files.length === 1) return whole(await readPart(fileSource(src.files[0]!), src.files[0]!.name));
      return split(orderFiles(await Promise.all(src.files.map((f) => readPart(fileSource(f), f.name)))));
  }
}

/** Read a file's header; `prefix` (a split file's label) goes before any message about it. */
async function readPart(source: ByteSource, name: string, prefix = ''): Promise<Part> {
  try {
    const { header, headerBytes } = await readGgufHeader((o, l) => source.read(o, l), source.size);
    return { source, name, header, headerBytes };
  } catch (e) {
    source.close();
    if (prefix && e instanceof ModelFormatError)
      throw new ModelFormatError(e.code, `${prefix}: ${e.message}`, e.tensor);
    throw e;
  }
}

/** One file. It must not be one file of a split model: the rest would be missing. */
function whole(part: Part): OpenedModel {
  const meta = readSplitMeta(part.header, `"${part.name}"`);
  if (meta) {
    part.source.close();
    const local = part.source.info.kind === 'file';
    // A URL named as a set's file never gets here (its siblings are opened instead); a file may.
    const shard = local ? parseShardName(part.name) : undefined;
    const names = shard
      ? Array.from({ length: meta.count }, (_, i) => shardFileName(shard.prefix, i + 1, meta.count))
      : [];
    throw new ModelFormatError(
      'bad-split',
      local
        ? `"${part.name}" is file ${meta.no + 1} of ${meta.count} of a split model: ` +
            `choose all ${meta.count} of its files together${names.length ? ` (${names.join(', ')})` : ''}.`
        : `The file at ${part.name} is file ${meta.no + 1} of ${meta.count} of a split model, but its name does not end in ` +
            '"-0000k-of-0000n.gguf" as gguf-split names them, so its other files cannot be found.',
    );
  }
  const identity = [{ headerBytes: part.headerBytes, size: part.source.size }];
  return { source: part.source, header: part.header, identity, whereIs: () => '' };
}

/**
 * Open every file of a split model by URL, one after the other (a server without Range support holds
 * a response open per file until its header is read; idle() lets it go before the next is opened).
 */
async function readUrlShards(urls: readonly string[], signal: AbortSignal): Promise<Part[]> {
  const parts: Part[] = [];
  try {
    for (const [i, url] of urls.entries()) {
      const label = shardLabel(i, urls.length, url, true);
      let source: ByteSource;
      try {
        source = await urlSource(url, signal);
      } catch (e) {
        if (e instanceof SourceError && (e.status === 404 || e.status === 410)) {
          throw new SourceError(
            `${label} of this split model is missing: the server has no such file (HTTP ${e.status}).`,
            false,
            e.status,
          );
        }
        if (e instanceof SourceError) {
          throw new SourceError(`${label} could not be read: ${e.message}`, e.retryable, e.status);
        }
        throw e;
      }
      const part = await readPart(source, url, label);
      source.idle();
      parts.push(part);
    }
  } catch (e) {
    for (const p of parts) p.source.close();
    throw e;
  }
  return parts;
}

/**
 * Put chosen local files in their set's order: by the numbers in their names when all are named as
 * one set's files, else by their own split.no. Names all missing files when the names tell them.
 */
function orderFiles(parts: Part[]): Part[] {
  const fail = (message: string): never => {
    for (const p of parts) p.source.close();
    throw new ModelFormatError('bad-split', message);
  };
  const names = parts.map((p) => parseShardName(p.name));
  const first = names[0];
  if (first && names.every((n) => n !== undefined)) {
    const other = parts.find((_, i) => names[i]!.prefix !== first.prefix || names[i]!.count !== first.count);
    if (other) {
      fail(
        `"${other.name}" is not a file of the same split model as "${parts[0]!.name}": ` +
          'choose the files of one split model only.',
      );
    }
    const byIndex = new Map<number, Part>();
    parts.forEach((p, i) => {
      const twin = byIndex.get(names[i]!.index);
      if (twin) fail(`"${p.name}" was chosen twice.`);
      byIndex.set(names[i]!.index, p);
    });
    const missing = Array.from({ length: first.count }, (_, i) => i + 1)
      .filter((i) => !byIndex.has(i))
      .map((i) => shardFileName(first.prefix, i, first.count));
    if (missing.length > 0) {
      fail(
        `The split model "${first.prefix}" has ${first.count} files, but ${missing.join(', ')} ` +
          `${missing.length === 1 ? 'was' : 'were'} not among the chosen files: choose all ${first.count} files together.`,
      );
    }
    return Array.from({ length: first.count }, (_, i) => byIndex.get(i + 1)!);
  }
  // Named otherwise: each file's own split.no says where it goes (combineShards checks the rest).
  const position = (p: Part) => readSplitMeta(p.header, `"${p.name}"`)?.no ?? -1;
  return [...parts].sort((a, b) => position(a) - position(b));
}

/** The split model the parts make, in order: its files checked as one set and read as one. */
function split(parts: readonly Part[]): OpenedModel {
  const n = parts.length;
  let combined: ReturnType<typeof combineShards>;
  try {
    combined = combineShards(parts.map((p) => ({ label: p.name, header: p.header })));
  } catch (e) {
    for (const p of parts) p.source.close();
    throw e;
  }
  const shards: ShardSource[] = parts.map((p) => ({
    name: p.name,
    size: p.source.size,
    etag: p.source.info.kind === 'url' ? p.source.info.etag : null,
  }));
  const first = parts[0]!.source.info;
  const info: SourceInfo =
    first.kind === 'url'
      ? { ...first, rangeSupported: parts.every((p) => p.source.randomAccess), shards }
      : { ...first, shards };
  return {
    source: concatSources(
      parts.map((p) => p.source),
      info,
    ),
    header: combined.header,
    identity: parts.map((p) => ({ headerBytes: p.headerBytes, size: p.source.size })),
    whereIs(tensor) {
      const i = combined.shardOfTensor.get(tensor);
      return i === undefined ? '' : shardLabel(i, n, parts[i]!.name);
    },
  };
}
