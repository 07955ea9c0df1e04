/**
 * Before an import resumes: is the source still the file the stored records came from? A model's id
 * is a hash of its header and size, so a different file of the same header and size (re-uploaded
 * weights) would resume into the same model. Two checks catch that: strong ETags, when the server
 * lets the page read them (many CDNs hide them from cross-origin scripts), and, always, one stored
 * record fetched again and hashed (ingest.ts).
 */
import { keyString } from './keys';
import type { PlannedRecord, SourceInfo } from './types';

/** How messages name a source: "The file at <url>" or "\"<name>\"". */
export function sourceName(info: SourceInfo): string {
  return info.kind === 'url' ? `The file at ${info.url}` : `"${info.name}"`;
}

/** Weak ETags (W/"…") may differ for the same bytes (compressed variants): only strong ones count. */
function strong(etag: string | null | undefined): string | undefined {
  return etag && !etag.startsWith('W/') ? etag : undefined;
}

/**
 * The file (by URL) whose strong ETag is not what it was when the stored records were written, or
 * undefined when none is known to have changed (an ETag missing on either side proves nothing).
 */
export function changedEtag(stored: SourceInfo, now: SourceInfo): string | undefined {
  if (stored.kind !== 'url' || now.kind !== 'url') return undefined;
  const before = stored.shards ?? [{ name: stored.url, etag: stored.etag }];
  const after = now.shards ?? [{ name: now.url, etag: now.etag }];
  for (let i = 0; i < Math.min(before.length, after.length); i++) {
    const a = strong(before[i]!.etag);
    const b = strong(after[i]!.etag);
    if (a && b && a !== b) return `The file at ${after[i]!.name}`;
  }
  return undefined;
}

/**
 * The stored record to fetch again: the one that starts first in the file, so that a source read
 * front to back (no Range support) meets it early. Undefined when nothing is stored.
 */
export function recordToRecheck(
  records: readonly PlannedRecord[],
  present: ReadonlySet<string>,
): PlannedRecord | undefined {
  let best: PlannedRecord | undefined;
  let bestAt = Infinity;
  for (const r of records) {
    if (!present.has(keyString(r.key))) continue;
    const at = Math.min(...r.slices.map((s) => s.fileOffset));
    if (at < bestAt) {
      best = r;
      bestAt = at;
    }
  }
  return best;
}
