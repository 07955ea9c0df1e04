import { describe, expect, it } from 'vitest';
import { ModelFormatError } from '../../workers/errors';
import { parseGgufHeader } from '../../workers/gguf/parse';
import { combineShards, readSplitMeta, SPLIT_KEYS, type Shard } from '../../workers/gguf/split';
import { parseShardName, shardFileName, shardUrls } from '../../workers/store/shard-names';
import { setMeta, fixtureBytes } from '../support/gguf-edit';
import { concatenated, splitGguf, type SplitFile } from '../support/gguf-split';

const shardsOf = (files: readonly SplitFile[]): Shard[] =>
  files.map((f) => ({ label: f.name, header: parseGgufHeader(f.bytes, f.bytes.byteLength) }));

function refused(files: readonly SplitFile[], says: RegExp): void {
  let err: unknown;
  try {
    combineShards(shardsOf(files));
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(ModelFormatError);
  expect((err as ModelFormatError).code).toBe('bad-split');
  expect((err as ModelFormatError).message).toMatch(says);
}

describe('split file names (llama_split_path)', () => {
  it('reads and writes <prefix>-<i>-of-<n>.gguf', () => {
    const prefix = 'DeepSeek-Coder-V2-Lite-Instruct-Q8_0';
    expect(shardFileName(prefix, 1, 2)).toBe(`${prefix}-00001-of-00002.gguf`);
    expect(parseShardName(`${prefix}-00002-of-00002.gguf`)).toEqual({ prefix, index: 2, count: 2 });
    expect(parseShardName('a-b-00003-of-00010.gguf')).toEqual({ prefix: 'a-b', index: 3, count: 10 });
    for (const name of [
      'm.gguf',
      'm-00001-of-00002.bin',
      'm-1-of-2.gguf',
      '-00001-of-00002.gguf',
      'm-00003-of-00002.gguf',
      'm-00000-of-00002.gguf',
      'm-0000x-of-00002.gguf',
      'm00001-of-00002.gguf',
      `${'-of-'.repeat(50_000)}.gguf`,
    ]) {
      expect(parseShardName(name), name).toBeUndefined();
    }
  });

  it('derives every shard URL from any one, keeping the query', () => {
    expect(shardUrls('https://h.co/r/resolve/main/M-Q8_0-00002-of-00003.gguf?download=true')).toEqual([
      'https://h.co/r/resolve/main/M-Q8_0-00001-of-00003.gguf?download=true',
      'https://h.co/r/resolve/main/M-Q8_0-00002-of-00003.gguf?download=true',
      'https://h.co/r/resolve/main/M-Q8_0-00003-of-00003.gguf?download=true',
    ]);
    expect(shardUrls('https://h.co/M-Q4_K_M.gguf')).toBeUndefined();
    expect(shardUrls('not a url')).toBeUndefined();
  });
});

describe('combineShards', () => {
  const src = fixtureBytes('models/ds2-pub-q4_0.gguf');
  const whole = parseGgufHeader(src, src.byteLength);
  const files = splitGguf(src, 'ds2-pub-q4_0', 3);

  it('reads the split metadata, and none for a whole file', () => {
    expect(files.map((f) => readSplitMeta(parseGgufHeader(f.bytes, f.bytes.byteLength), f.name))).toEqual([
      { no: 0, count: 3, tensors: 44 },
      { no: 1, count: 3, tensors: 44 },
      { no: 2, count: 3, tensors: 44 },
    ]);
    expect(readSplitMeta(whole, 'x')).toBeUndefined();
  });

  it("gives the whole file's metadata and tensors, at offsets into the files laid end to end", () => {
    const { header, starts, shardOfTensor } = combineShards(shardsOf(files));
    const all = concatenated(files);
    expect(header.fileSize).toBe(all.byteLength);
    expect(starts).toEqual([0, files[0]!.bytes.byteLength, files[0]!.bytes.byteLength + files[1]!.bytes.byteLength]);
    expect(header.metadata.get('general.architecture')).toBe('deepseek2');
    expect(header.tensors.map((t) => t.name)).toEqual(whole.tensors.map((t) => t.name));
    for (const t of header.tensors) {
      const w = whole.tensors.find((x) => x.name === t.name)!;
      expect(t.ne).toEqual(w.ne);
      const bytes = (b: Uint8Array, at: number) => Buffer.from(b.subarray(at, at + t.byteSize));
      expect(bytes(all, t.offset).equals(bytes(src, w.offset)), t.name).toBe(true);
    }
    expect(shardOfTensor.get('output.weight')).toBe(0);
    expect(shardOfTensor.get(whole.tensors[43]!.name)).toBe(2);
  });

  it('refuses a missing file, a misnumbered one, one of another set, and a whole model, naming the file', () => {
    refused([files[0]!, files[2]!], /File 1 of 2 \(ds2-pub-q4_0-00001-of-00003\.gguf\) belongs to a set of 3 files/);
    const wrongNo = splitGguf(src, 'ds2-pub-q4_0', 3, (i, meta) => {
      if (i === 2) setMeta(meta, SPLIT_KEYS.no, { kind: 'u16', value: 1 });
    });
    refused(
      wrongNo,
      /File 3 of 3 \(ds2-pub-q4_0-00003-of-00003\.gguf\) says it is file 2 of the set \(split\.no = 1\), not file 3/,
    );
    // Another set of the same count: its own tensor total, or the same tensors twice.
    const f32 = splitGguf(fixtureBytes('models/ds2-pub-f32.gguf'), 'ds2-pub-f32', 3);
    refused(
      [files[0]!, f32[1]!, files[2]!],
      /File 2 of 3 \(ds2-pub-f32-00002-of-00003\.gguf\) holds the tensor "[^"]+", which file \d of 3/,
    );
    const fewer = splitGguf(src, 'other', 3, (_, meta) =>
      setMeta(meta, SPLIT_KEYS.tensors, { kind: 'i32', value: 40 }),
    );
    refused(
      [files[0]!, fewer[1]!, files[2]!],
      /File 2 of 3 \(other-00002-of-00003\.gguf\) announces 40 tensors .* from another split set/,
    );
    const two = splitGguf(src, 'ds2-pub-q4_0', 2);
    refused(
      [files[0]!, files[1]!, { ...two[1]!, name: 'x-00003-of-00003.gguf' }],
      /File 3 of 3 \(x-00003-of-00003\.gguf\) belongs to a set of 2 files/,
    );
    refused([{ name: 'whole.gguf', bytes: src }, files[1]!], /whole\.gguf.* is a whole model/);
  });

  it('refuses split metadata that is not a place in a set', () => {
    const bad = (edit: (meta: Parameters<NonNullable<Parameters<typeof splitGguf>[3]>>[1]) => void) =>
      splitGguf(src, 'b', 2, (i, meta) => {
        if (i === 1) edit(meta);
      });
    refused(
      bad((m) => setMeta(m, SPLIT_KEYS.no, { kind: 'u16', value: 5 })),
      /split\.no is 5, but the set has only 2 files/,
    );
    refused(
      bad((m) =>
        m.splice(
          m.findIndex(([k]) => k === SPLIT_KEYS.tensors),
          1,
        ),
      ),
      /lacks split\.tensors\.count/,
    );
    refused(
      bad((m) => setMeta(m, SPLIT_KEYS.count, { kind: 'string', value: 'two' })),
      /split\.count is "two"/,
    );
  });
});
