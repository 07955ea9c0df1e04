/**
 * Where an import reads a GGUF file from. Both kinds hand out byte ranges on demand, so the whole file
 * is never in memory: a File through Blob.slice, a URL through HTTP Range requests. A server that
 * ignores Range still works, read front to back from one response (`sequential`), but an
 * interrupted download then starts over.
 */
import { HEADER_FIRST_READ } from '../gguf/parse';
import type { ImportSource, SourceInfo } from './types';

export interface ByteSource {
  readonly size: number;
  readonly info: SourceInfo;
  /** false when ranges must be read in increasing order, once (a server without Range support) */
  readonly randomAccess: boolean;
  read(offset: number, length: number): Promise<Uint8Array>;
  close(): void;
}

export class SourceError extends Error {
  constructor(message: string, readonly retryable: boolean) {
    super(message);
    this.name = 'SourceError';
  }
}

export async function openSource(src: ImportSource, signal: AbortSignal): Promise<ByteSource> {
  return src.kind === 'file' ? fileSource(src.file) : urlSource(src.url, signal);
}

function fileSource(file: File): ByteSource {
  return {
    size: file.size,
    info: { kind: 'file', name: file.name, lastModified: file.lastModified },
    randomAccess: true,
    async read(offset, length) {
      try {
        return new Uint8Array(await file.slice(offset, offset + length).arrayBuffer());
      } catch (e) {
        throw new SourceError(`Could not read "${file.name}": ${(e as Error).message}. Was the file moved or changed?`, false);
      }
    },
    close() {},
  };
}



async function urlSource(url: string, signal: AbortSignal): Promise<ByteSource> {
  const res = await get(url, signal, 0, HEADER_FIRST_READ - 1);
  const etag = res.headers.get('ETag');
  const lastModified = res.headers.get('Last-Modified');
  if (res.status === 206) {
    const total = /\/(\d+)$/.exec(res.headers.get('Content-Range') ?? '');
    if (!total) throw new SourceError(`The server at ${url} answered a range request without saying the file's size (Content-Range).`, false);
    const size = Number(total[1]);
    const first = new Uint8Array(await res.arrayBuffer());
    return {
      size,
      info: { kind: 'url', url, etag, lastModified, rangeSupported: true },
      randomAccess: true,
      async read(offset, length) {
        if (offset + length <= first.byteLength) return first.subarray(offset, offset + length);
        const r = await get(url, signal, offset, offset + length - 1);
        if (r.status !== 206) throw new SourceError(`The server at ${url} stopped honouring range requests (status ${r.status}).`, true);
        const ifRange = r.headers.get('ETag');
        if (etag && ifRange && ifRange !== etag) throw new SourceError('The file on the server changed during the download. Delete the partial import and start again.', false);
        const bytes = new Uint8Array(await readBody(r, signal));
        if (bytes.byteLength !== length) throw new SourceError(`The server sent ${bytes.byteLength} bytes where ${length} were asked for: the connection broke.`, true);
        return bytes;
      },
      close() {},
    };
  }
  const length = Number(res.headers.get('Content-Length') ?? NaN);
  if (!Number.isFinite(length)) {
    throw new SourceError(`The server at ${url} supports neither Range requests nor says the file's size (Content-Length), so the model cannot be streamed from it.`, false);
  }
  return sequentialSource(url, res, length, { kind: 'url', url, etag, lastModified, rangeSupported: false });
}

async function get(url: string, signal: AbortSignal, first: number, last: number): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(url, { headers: { Range: `bytes=${first}-${last}` }, signal, cache: 'no-store' });
  } catch (e) {
    if (signal.aborted) throw e;
    throw new SourceError(`Network error while downloading from ${url}: ${(e as Error).message}.`, true);
  }
  if (res.status === 416) throw new SourceError(`The server says the file is shorter than expected (416 at byte ${first}): it changed or is truncated.`, false);
  if (!res.ok) throw new SourceError(`Downloading ${url} failed: HTTP ${res.status} ${res.statusText}.`, res.status >= 500);
  return res;
}

async function readBody(res: Response, signal: AbortSignal): Promise<ArrayBuffer> {
  try {
    return await res.arrayBuffer();
  } catch (e) {
    if (signal.aborted) throw e;
    throw new SourceError(`The connection broke during the download: ${(e as Error).message}.`, true);
  }
}

/**
 * Serves reads from one streamed response. A read may not start before the previous read's start;
 * only the bytes from there on are kept, so the header can be re-read once parsed.
 */
function sequentialSource(url: string, res: Response, size: number, info: SourceInfo): ByteSource {
  const reader = res.body!.getReader();
  let buffered: Uint8Array = new Uint8Array(0);
  let bufferedAt = 0; // file offset of buffered[0]
  return {
    size,
    info,
    randomAccess: false,
    async read(offset, length) {
      if (offset < bufferedAt) throw new Error(`sequential source: read at ${offset} is before the previous read (${bufferedAt})`);
      const end = offset + length;
      const parts: Uint8Array[] = [buffered];
      let have = bufferedAt + buffered.byteLength;
      while (have < end) {
        let r: ReadableStreamReadResult<Uint8Array>;
        try {
          r = await reader.read();
        } catch (e) {
          throw new SourceError(`The connection to ${url} broke during the download: ${(e as Error).message}.`, true);
        }
        if (r.done) throw new SourceError(`The download from ${url} ended at byte ${have}, before the ${size} bytes it announced.`, true);
        parts.push(r.value);
        have += r.value.byteLength;
      }
      const all = concat(parts);
      buffered = all.subarray(offset - bufferedAt);
      bufferedAt = offset;
      return buffered.slice(0, length);
    },
    close() {
      void reader.cancel().catch(() => {});
    },
  };
}

function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.byteLength; }
  return out;
}
