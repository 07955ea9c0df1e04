import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { readDeepSeek2 } from '../../workers/gguf/deepseek2';
import { ModelFormatError } from '../../workers/errors';
import { parseGgufHeader, readGgufHeader } from '../../workers/gguf/parse';
import { entriesFromMetadata, writeGguf } from '../../workers/gguf/write';
import { badFiles, blockMismatch, fixtureBytes, FIXTURES } from '../support/bad-gguf';

const MODELS = ['ds2-pub-f32', 'ds2-pub-legacy-f32', 'ds2-pub-q8_0', 'ds2-pub-q4_0', 'ds2-pub256-q4_k_m'];
const manifest = JSON.parse(readFileSync(new URL('models/manifest.json', FIXTURES), 'utf8')) as {
  models: Record<
    string,
    { metadata: Record<string, unknown>; tensors: { name: string; type: string; ne: number[] }[] }
  >;
};

describe('GGUF header', () => {
  test.each(MODELS)('%s: tensor table and metadata match the fixture manifest', (name) => {
    const bytes = fixtureBytes(`models/${name}.gguf`);
    const h = parseGgufHeader(bytes, bytes.byteLength);
    const want = manifest.models[`${name}.gguf`]!;
    expect(h.tensors.map((t) => ({ name: t.name, type: t.type.name, ne: [...t.ne] }))).toEqual(want.tensors);
    for (const [k, v] of Object.entries(want.metadata)) {
      if (typeof v === 'string' && v.startsWith('<array of'))
        expect((h.metadata.get(k) as unknown[]).length).toBe(Number(/\d+/.exec(v)![0]));
      else expect(h.metadata.get(k)).toBe(v);
    }
  });

  test('reads a header in pieces when the first read is too short', async () => {
    const bytes = fixtureBytes('tokenizer/ggml-vocab-deepseek-llm.gguf');
    const reads: number[] = [];
    const { header } = await readGgufHeader(async (o, l) => {
      reads.push(l);
      return bytes.slice(o, o + l);
    }, bytes.byteLength);
    expect(reads.length).toBeGreaterThan(1);
    expect((header.metadata.get('tokenizer.ggml.tokens') as string[]).length).toBe(102400);
  });

  test('the writer round-trips metadata and tensors', () => {
    const bytes = fixtureBytes('models/ds2-pub256-q4_k_m.gguf');
    const h = parseGgufHeader(bytes, bytes.byteLength);
    const again = writeGguf(
      entriesFromMetadata(h.metadata),
      h.tensors.map((t) => ({
        name: t.name,
        typeId: t.type.id,
        ne: t.ne,
        data: bytes.slice(t.offset, t.offset + t.byteSize),
      })),
    );
    const h2 = parseGgufHeader(again, again.byteLength);
    expect([...h2.metadata.keys()]).toEqual([...h.metadata.keys()]);
    expect(h2.metadata.get('tokenizer.ggml.merges')).toEqual(h.metadata.get('tokenizer.ggml.merges'));
    for (const [i, t] of h.tensors.entries()) {
      const t2 = h2.tensors[i]!;
      expect(again.slice(t2.offset, t2.offset + t2.byteSize)).toEqual(bytes.slice(t.offset, t.offset + t.byteSize));
    }
  });
});

describe('deepseek2 hyperparameters', () => {
  test('the current MLA layout', () => {
    const bytes = fixtureBytes('models/ds2-pub-f32.gguf');
    const hp = readDeepSeek2(parseGgufHeader(bytes, bytes.byteLength));
    expect(hp).toMatchObject({
      attentionLayout: 'mla',
      nLayer: 3,
      nEmbd: 32,
      nVocab: 512,
      nHead: 4,
      kvLoraRank: 64,
      qkNope: 32,
      qkRope: 16,
      vHead: 16,
      nLeadingDense: 1,
      ffnDense: 96,
      nExpert: 4,
      nExpertUsed: 2,
      nExpertShared: 2,
      ffnExpert: 32,
      expertWeightsNorm: false,
      expertGating: 'softmax',
    });
    expect(hp.rope).toMatchObject({
      base: 10000,
      scalingType: 'yarn',
      factor: 40,
      originalContext: 4096,
      betaFast: 32,
      betaSlow: 1,
    });
    expect(hp.rope.yarnLogMultiplier).toBeCloseTo(0.0707, 6);
  });

  test('the legacy attn_kv_b layout gives the same model', () => {
    const a = fixtureBytes('models/ds2-pub-f32.gguf');
    const b = fixtureBytes('models/ds2-pub-legacy-f32.gguf');
    const mla = readDeepSeek2(parseGgufHeader(a, a.byteLength));
    const legacy = readDeepSeek2(parseGgufHeader(b, b.byteLength));
    expect(legacy.attentionLayout).toBe('legacy');
    expect({ ...legacy, attentionLayout: 'mla' }).toEqual(mla);
  });

  test('the Q4_K_M-like model with v_head 64 and hidden 256', () => {
    const bytes = fixtureBytes('models/ds2-pub256-q4_k_m.gguf');
    expect(readDeepSeek2(parseGgufHeader(bytes, bytes.byteLength))).toMatchObject({
      nEmbd: 256,
      vHead: 64,
      qkNope: 32,
      ffnDense: 64,
    });
  });
});

describe('bad input is refused with a clear error', () => {
  test.each(badFiles().map((f) => [f.name, f] as const))('%s', (_name, f) => {
    let err: unknown;
    try {
      readDeepSeek2(parseGgufHeader(f.bytes, f.bytes.byteLength));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ModelFormatError);
    expect((err as ModelFormatError).code).toBe(f.code);
    expect((err as Error).message).toMatch(f.says);
  });
});

describe('a row that is not a whole number of blocks is refused while reading the tensor table', () => {
  const good = fixtureBytes('models/ds2-pub-q4_0.gguf');
  const TYPES = [
    'Q5_1',
    'Q2_K',
    'Q3_K',
    'Q5_K',
    'IQ4_NL',
    'IQ4_XS',
    'IQ3_S',
    'IQ3_XXS',
    'IQ2_XXS',
    'IQ2_XS',
    'IQ2_S',
    'IQ1_S',
    'IQ1_M',
  ];
  test.each(TYPES)('%s', (typeName) => {
    const f = blockMismatch(good, typeName);
    expect(() => parseGgufHeader(f.bytes, f.bytes.byteLength)).toThrow(ModelFormatError);
    expect(() => parseGgufHeader(f.bytes, f.bytes.byteLength)).toThrow(f.says);
  });
});
