/**
 * Where an import reads a GGUF file from. Both kinds hand out byte ranges on demand, so the whole file
 * is never in memory: a File through Blob.slice, a URL through HTTP Range requests. A server that
 * ignores Range still works, read front to back from one response (`sequential`), but an
 * interrupted download then starts over. A split model's files are read as one (concatSources).
 */
import { SourceError } from '../errors';
import { HEADER_FIRST_READ } from '../gguf/parse';
import type { SourceInfo } from './types';

export interface ByteSource {
  readonly size: number;
  readonly info: SourceInfo;
  /** false when ranges must be read in increasing order, once (a server without Range support) */
  readonly randomAccess: boolean;
  read(offset: number, length: number): Promise<Uint8Array>;
  /**
   * Let go of any open connection until the next read (a sequential source then fetches the file
   * again and skips to where it was): a split model's files are not all held open at once.
   */
  idle(): void;
  close(): void;
}

/** A local file, read with Blob.slice. */
export function fileSource(file: File): ByteSource {
  return {
    size: file.size,
    info: { kind: 'file', name: file.name, lastModified: file.lastModified },
    randomAccess: true,
    async read(offset, length) {
      try {
        return new Uint8Array(await file.slice(offset, offset + length).arrayBuffer());
      } catch (e) {
        throw new SourceError(
          `Could not read "${file.name}": ${(e as Error).message}. Was the file moved or changed?`,
          false,
        );
      }
    },
    idle() {},
    close() {},
  };
}

/** A file on a server: Range requests when it supports them, one streamed response when not. */
export async function urlSource(url: string, signal: AbortSignal): Promise<ByteSource> {
  const res = await get(url, signal, 0, HEADER_FIRST_READ - 1);
  // Null when the server's CORS headers do not expose it (Access-Control-Expose-Headers): many CDNs.
  const etag = res.headers.get('ETag');
  const lastModified = res.headers.get('Last-Modified');
  if (res.status === 206) {
    const first = new Uint8Array(await readBody(res, signal));
    const size = await rangedFileSize(url, res, first.byteLength, signal);
    return {
      size,
      info: { kind: 'url', url, etag, lastModified, rangeSupported: true },
      randomAccess: true,
      async read(offset, length) {
        if (offset + length <= first.byteLength) return first.subarray(offset, offset + length);
        const r = await get(url, signal, offset, offset + length - 1);
        if (r.status !== 206)
          throw new SourceError(`The server at ${url} stopped honouring range requests (status ${r.status}).`, true);
        const ifRange = r.headers.get('ETag');
        if (etag && ifRange && ifRange !== etag)
          throw new SourceError(
            'The file on the server changed during the download. Delete the partial import and start again.',
            false,
          );
        const bytes = new Uint8Array(await readBody(r, signal));
        if (bytes.byteLength !== length)
          throw new SourceError(
            `The server sent ${bytes.byteLength} bytes where ${length} were asked for: the connection broke.`,
            true,
          );
        return bytes;
      },
      idle() {},
      close() {},
    };
  }
  const length = Number(res.headers.get('Content-Length') ?? NaN);
  if (!Number.isFinite(length)) {
    throw new SourceError(
      `The server at ${url} supports neither Range requests nor says the file's size (Content-Length), so the model cannot be streamed from it.`,
      false,
    );
  }
  return sequentialSource(url, res, length, { kind: 'url', url, etag, lastModified, rangeSupported: false }, signal);
}

/**
 * The file's size, given the answer to the first range request (bytes 0 to HEADER_FIRST_READ - 1) and
 * how many bytes it carried. Content-Range says it, when a script may read it: a cross-origin server
 * must list it in Access-Control-Expose-Headers, and many hosts and CDNs do not. Then: an answer
 * shorter than asked ends at the end of the file; otherwise an open range (`bytes=0-`) is asked for and
 * its Content-Length (a header scripts may always read) is the size, read before the body is dropped.
 */
async function rangedFileSize(url: string, first: Response, firstBytes: number, signal: AbortSignal): Promise<number> {
  const fromRange = contentRangeTotal(first);
  if (fromRange !== undefined) return fromRange;
  if (firstBytes < HEADER_FIRST_READ) return firstBytes;
  const stop = new AbortController();
  const onAbort = () => stop.abort(signal.reason);
  signal.addEventListener('abort', onAbort);
  try {
    let res: Response;
    try {
      res = await fetch(url, { headers: { Range: 'bytes=0-' }, signal: stop.signal, cache: 'no-store' });
    } catch (e) {
      if (signal.aborted) throw e;
      throw new SourceError(`Network error while asking ${url} for its size: ${(e as Error).message}.`, true);
    }
    const total = contentRangeTotal(res) ?? Number(res.headers.get('Content-Length') ?? NaN);
    if (res.ok && Number.isSafeInteger(total) && total >= firstBytes) return total;
    throw new SourceError(
      `The server at ${url} answers range requests but does not let this page read the file's ` +
        'size: its Content-Range header is hidden from scripts (the server sends no ' +
        '"Access-Control-Expose-Headers: Content-Range") and an open range request gave no Content-Length either. ' +
        'Ask the host to expose Content-Range, or download the file and import it from disk.',
      false,
    );
  } finally {
    signal.removeEventListener('abort', onAbort);
    stop.abort(); // only the headers were wanted: drop the body
  }
}

/** The total in `Content-Range: bytes a-b/total`, if the header is there and readable. */
function contentRangeTotal(res: Response): number | undefined {
  const header = res.headers.get('Content-Range') ?? '';
  const slash = header.lastIndexOf('/');
  if (slash < 0) return undefined;
  const total = header.slice(slash + 1).trim();
  return /^\d+$/.test(total) ? Number(total) : undefined;
}

async function get(url: string, signal: AbortSignal, first: number, last: number): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(url, { headers: { Range: `bytes=${first}-${last}` }, signal, cache: 'no-store' });
  } catch (e) {
    if (signal.aborted) throw e;
    throw new SourceError(`Network error while downloading from ${url}: ${(e as Error).message}.`, true);
  }
  if (res.status === 416)
    throw new SourceError(
      `The server says the file is shorter than expected (416 at byte ${first}): it changed or is truncated.`,
      false,
    );
  if (!res.ok) {
    throw new SourceError(
      `Downloading ${url} failed: HTTP ${res.status} ${res.statusText}.`,
      res.status >= 500,
      res.status,
    );
  }
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
 * only the bytes from there on are kept, so the header can be re-read once parsed. After idle(), the
 * next read that needs more bytes fetches the file again and skips what it already has.
 */
function sequentialSource(url: string, res: Response, size: number, info: SourceInfo, signal: AbortSignal): ByteSource {
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined = res.body!.getReader();
  let streamAt = 0; // file offset of the next byte the reader gives
  let buffered: Uint8Array = new Uint8Array(0);
  let bufferedAt = 0; // file offset of buffered[0]
  const reopen = async (): Promise<ReadableStreamDefaultReader<Uint8Array>> => {
    const again = await get(url, signal, 0, size - 1);
    streamAt = 0;
    return again.body!.getReader();
  };
  return {
    size,
    info,
    randomAccess: false,
    async read(offset, length) {
      if (offset < bufferedAt)
        throw new Error(`sequential source: read at ${offset} is before the previous read (${bufferedAt})`);
      const end = offset + length;
      const parts: Uint8Array[] = [buffered];
      let have = bufferedAt + buffered.byteLength;
      while (have < end) {
        reader ??= await reopen();
        let r: ReadableStreamReadResult<Uint8Array>;
        try {
          r = await reader.read();
        } catch (e) {
          throw new SourceError(`The connection to ${url} broke during the download: ${(e as Error).message}.`, true);
        }
        if (r.done) {
          throw new SourceError(
            `The download from ${url} ended at byte ${streamAt}, before the ${size} bytes it announced.`,
            true,
          );
        }
        const chunkAt = streamAt;
        streamAt += r.value.byteLength;
        if (streamAt <= have) continue; // a fetch made again passes over what is kept
        const piece = r.value.subarray(have - chunkAt);
        parts.push(piece);
        have += piece.byteLength;
      }
      const all = concat(parts);
      buffered = all.subarray(offset - bufferedAt);
      bufferedAt = offset;
      return buffered.slice(0, length);
    },
    idle() {
      void reader?.cancel().catch(() => {});
      reader = undefined;
    },
    close() {
      void reader?.cancel().catch(() => {});
    },
  };
}

/**
 * Several sources read as one, laid end to end (a split model's files, in order). A read that spans
 * two of them is served from both. Without random access, moving on to a later part lets go of the
 * earlier ones, so a many-file set never holds more than one response open.
 */
export function concatSources(parts: readonly ByteSource[], info: SourceInfo): ByteSource {
  const starts: number[] = [];
  let size = 0;
  for (const p of parts) {
    starts.push(size);
    size += p.size;
  }
  const randomAccess = parts.every((p) => p.randomAccess);
  return {
    size,
    info,
    randomAccess,
    async read(offset, length) {
      if (offset < 0 || offset + length > size) {
        throw new RangeError(`read of ${length} bytes at ${offset} is outside the ${size} bytes`);
      }
      const pieces: Uint8Array[] = [];
      let at = offset;
      while (at < offset + length || pieces.length === 0) {
        let i = parts.length - 1;
        while (i > 0 && starts[i]! > at) i--;
        if (!randomAccess) for (let j = 0; j < i; j++) parts[j]!.idle();
        const part = parts[i]!;
        const take = Math.min(offset + length - at, part.size - (at - starts[i]!));
        pieces.push(await part.read(at - starts[i]!, take));
        at += take;
        if (take === 0) break;
      }
      return concat(pieces);
    },
    idle() {
      for (const p of parts) p.idle();
    },
    close() {
      for (const p of parts) p.close();
    },
  };
}

function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}
