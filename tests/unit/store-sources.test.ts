import { describe, expect, it } from 'vitest';
import { changedEtag, recordToRecheck } from '../../workers/store/resume-check';
import { concatSources, fileSource } from '../../workers/store/sources';
import type { PlannedRecord, SourceInfo } from '../../workers/store/types';

describe('concatSources', () => {
  const parts = [
    [0, 1, 2],
    [3, 4],
    [5, 6, 7, 8],
  ].map((b, i) => new File([new Uint8Array(b)], `p${i}`));
  const info: SourceInfo = { kind: 'file', name: 'p0', lastModified: 0 };
  const all = concatSources(parts.map(fileSource), info);

  it('reads the parts as one file laid end to end, across their boundaries', async () => {
    expect(all.size).toBe(9);
    expect(all.randomAccess).toBe(true);
    expect([...(await all.read(0, 9))]).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect([...(await all.read(2, 4))]).toEqual([2, 3, 4, 5]);
    expect([...(await all.read(3, 2))]).toEqual([3, 4]);
    expect([...(await all.read(8, 1))]).toEqual([8]);
    expect([...(await all.read(5, 0))]).toEqual([]);
  });

  it('refuses a read outside the parts', async () => {
    await expect(all.read(7, 3)).rejects.toThrow(RangeError);
  });
});

describe('resume checks', () => {
  const url = (etag: string | null, shards?: (string | null)[]): SourceInfo => ({
    kind: 'url',
    url: 'https://h/m-00001-of-00002.gguf',
    etag,
    lastModified: null,
    rangeSupported: true,
    ...(shards
      ? { shards: shards.map((e, i) => ({ name: `https://h/m-0000${i + 1}-of-00002.gguf`, size: 10, etag: e })) }
      : {}),
  });

  it('names a file whose strong ETag changed, and nothing when an ETag is unknown or weak', () => {
    expect(changedEtag(url('"a"'), url('"b"'))).toBe('The file at https://h/m-00001-of-00002.gguf');
    expect(changedEtag(url('"a"'), url('"a"'))).toBeUndefined();
    expect(changedEtag(url('"a"'), url(null))).toBeUndefined();
    expect(changedEtag(url(null), url('"b"'))).toBeUndefined();
    expect(changedEtag(url('W/"a"'), url('W/"b"'))).toBeUndefined();
    expect(changedEtag({ kind: 'file', name: 'm.gguf', lastModified: 1 }, url('"b"'))).toBeUndefined();
    expect(changedEtag(url('"a"', ['"a"', '"x"']), url('"a"', ['"a"', '"y"']))).toBe(
      'The file at https://h/m-00002-of-00002.gguf',
    );
  });

  it('re-checks the stored record that starts first in the file', () => {
    const rec = (chunk: number, ...offsets: number[]): PlannedRecord => ({
      key: ['m', 'd', 't', chunk],
      bytes: 1,
      slices: offsets.map((fileOffset) => ({
        fileOffset,
        fileBytes: 1,
        rows: 1,
        tensor: {} as PlannedRecord['slices'][0]['tensor'],
      })),
    });
    const records = [rec(0, 100), rec(1, 50, 900), rec(2, 10)];
    expect(recordToRecheck(records, new Set(['m/d/t/0', 'm/d/t/1']))?.key).toEqual(['m', 'd', 't', 1]);
    expect(recordToRecheck(records, new Set(['m/d/t/0', 'm/d/t/1', 'm/d/t/2']))?.key).toEqual(['m', 'd', 't', 2]);
    expect(recordToRecheck(records, new Set())).toBeUndefined();
  });
});
