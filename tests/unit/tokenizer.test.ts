import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { ModelFormatError } from '../../workers/errors';
import { parseGgufHeader, type GgufValue } from '../../workers/gguf/parse';
import { chatPromptIds, fimPromptIds, fimTokenIds } from '../../workers/model/prompt-format';
import { effectiveTokenTypes, looksLikeControl, TOKEN_TYPE } from '../../workers/model/token-types';
import { preTokenize, Tokenizer } from '../../workers/model/tokenizer';
import { tokenizerDataFromMetadata } from '../../workers/model/tokenizer-from-gguf';
import { FIM_MARKERS, fullVocabFimFixture } from '../support/gguf-edit';

const fixture = (rel: string): string => fileURLToPath(new URL(`../fixtures/${rel}`, import.meta.url));

function metadataOf(rel: string): ReadonlyMap<string, GgufValue> {
  const b = readFileSync(fixture(rel));
  return parseGgufHeader(new Uint8Array(b.buffer, b.byteOffset, b.byteLength), b.byteLength).metadata;
}

/** test-tokenizer-0's format: each string is followed by "\n__ggml_vocab_test__\n". */
function vocabVectors(): { text: string; ids: number[] }[] {
  const inp = readFileSync(fixture('tokenizer/ggml-vocab-deepseek-llm.gguf.inp'), 'utf8').split(
    '\n__ggml_vocab_test__\n',
  );
  expect(inp.pop()).toBe('');
  const out = readFileSync(fixture('tokenizer/ggml-vocab-deepseek-llm.gguf.out'), 'utf8').split('\n');
  expect(out.pop()).toBe('');
  expect(out.length).toBe(inp.length);
  return inp.map((text, i) => ({
    text,
    ids: out[i]!.split(' ')
      .filter((s) => s !== '')
      .map(Number),
  }));
}

const BOS = 100000;
const EOS = 100001;
const ROUND_TRIP = [
  '',
  'def quick_sort(arr):\n\tif len(arr) <= 1:\n\t\treturn arr\n    pivot = arr[len(arr) // 2]  # 中间\n',
  '你好，世界！这是一个测试。',
  '한국어 텍스트와 日本語のテキスト',
  'emoji: 😀👍🏽👨‍👩‍👧‍👦🇫🇷 ✅',
  'Ünïcödé çàfé naïve — “quotes” ‘single’ … ½ ¾ ²³',
  'Ω K ΐ ώ Ἀθῆναι',
  '\u3000ideographic space\u00a0nbsp\u2028line sep\u0085nel\ufeffbom',
  '\ufeffleading bom',
  'ø ö ú ÿ À Á mixed with user-defined tokens',
  '<｜end▁of▁sentence｜><｜begin▁of▁sentence｜>',
  '   trailing spaces   \n\n\n   ',
  'x'.repeat(3000),
  ' '.repeat(5000) + 'end',
  '𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𐐀𐐁 𞤀 ١٢٣ ৭৮',
];

describe('Tokenizer on the DeepSeek LLM vocabulary (102,400 tokens)', () => {
  let tok: Tokenizer;
  beforeAll(() => {
    const t0 = performance.now();
    tok = new Tokenizer(tokenizerDataFromMetadata(metadataOf('tokenizer/ggml-vocab-deepseek-llm.gguf')));
    console.log(`tokenizer built in ${(performance.now() - t0).toFixed(1)} ms`);
  });

  it('exposes the vocabulary facts', () => {
    expect(tok.vocabSize).toBe(102400);
    expect(tok.bosId).toBe(BOS);
    expect(tok.eosId).toBe(EOS);
    expect(tok.addBos).toBe(true);
    expect(tok.addEos).toBe(false);
    expect(tok.tokenId('<｜begin▁of▁sentence｜>')).toBe(BOS);
    expect(tok.tokenId('<｜end▁of▁sentence｜>')).toBe(EOS);
    expect(tok.tokenId('<｜fim▁begin｜>')).toBeUndefined();
    expect(tok.isControl(BOS)).toBe(true);
    expect(tok.isControl(17464)).toBe(false);
  });

  it('matches every llama.cpp test vector exactly', () => {
    const vectors = vocabVectors();
    expect(vectors.length).toBe(46);
    for (const { text, ids } of vectors) expect(tok.encode(text), JSON.stringify(text)).toEqual(ids);
  });

  it('tokenizes the whole .inp file fast', () => {
    const vectors = vocabVectors();
    const fresh = new Tokenizer(tokenizerDataFromMetadata(metadataOf('tokenizer/ggml-vocab-deepseek-llm.gguf')));
    const t0 = performance.now();
    for (const { text } of vectors) fresh.encode(text);
    const cold = performance.now() - t0;
    const t1 = performance.now();
    for (const { text } of vectors) fresh.encode(text);
    const warm = performance.now() - t1;
    const big = vectors
      .map((v) => v.text)
      .join('\n')
      .repeat(200);
    const t2 = performance.now();
    const n = new Tokenizer(tokenizerDataFromMetadata(metadataOf('tokenizer/ggml-vocab-deepseek-llm.gguf'))).encode(
      big,
    ).length;
    const bigMs = performance.now() - t2;
    console.log(
      `.inp (46 strings): ${cold.toFixed(1)} ms cold, ${warm.toFixed(2)} ms warm; ` +
        `${(big.length / 1024).toFixed(0)} KiB -> ${n} tokens in ${bigMs.toFixed(0)} ms (incl. building)`,
    );
    expect(cold).toBeLessThan(500);
  });

  it('tokenizes the chat prompt of the brief', () => {
    const ids = [BOS, ...tok.encode('User: write a quick sort in python\n\nAssistant:')];
    expect(ids).toEqual([100000, 5726, 25, 3708, 245, 3399, 3734, 279, 9934, 185, 185, 77398, 25]);
  });

  it('treats control-token text as plain text', () => {
    for (const text of ['<｜end▁of▁sentence｜>', 'a<｜begin▁of▁sentence｜>b', 'x <｜end▁of▁sentence｜>\n']) {
      const ids = tok.encode(text);
      expect(ids.some((id) => tok.isControl(id))).toBe(false);
      expect(ids.length).toBeGreaterThan(3);
      expect(tok.decode(ids)).toBe(text);
    }
  });

  it('matches user-defined tokens in text before BPE', () => {
    expect(tok.encode('ø')).toEqual([100002]);
    expect(tok.encode('ü')).toEqual([100014]);
    const ids = tok.encode('aøb');
    expect(ids).toContain(100002);
    expect(tok.decode(ids)).toBe('aøb');
    // The [PADn] slots are user-defined too, so llama.cpp matches them as well.
    expect(tok.encode('[PAD100015]')).toEqual([100015]);
  });

  it('round-trips varied text through encode and decode', () => {
    for (const s of ROUND_TRIP) expect(tok.decode(tok.encode(s)), JSON.stringify(s.slice(0, 40))).toBe(s);
  });

  it('replaces lone surrogates instead of producing invalid UTF-8', () => {
    expect(tok.decode(tok.encode('a\uD800b'))).toBe('a\uFFFDb');
  });

  it('skips control tokens when decoding', () => {
    expect(tok.decode([BOS, ...tok.encode('hi there'), EOS])).toBe('hi there');
    expect(() => tok.decode([102400])).toThrow(RangeError);
  });

  it('never lets the streaming decoder emit a broken character', () => {
    let sawSplit = false;
    for (const s of ROUND_TRIP) {
      const dec = tok.createDecoder();
      let out = '';
      for (const id of [BOS, ...tok.encode(s), EOS]) {
        const piece = dec.push(id);
        expect(piece).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]|\uFFFD/);
        if (piece === '' && !tok.isControl(id)) sawSplit = true;
        out += piece;
      }
      out += dec.flush();
      expect(out).toBe(s);
    }
    expect(sawSplit).toBe(true);
  });

  it('flushes an unfinished character as U+FFFD', () => {
    const ids = tok.encode('😀');
    expect(ids.length).toBeGreaterThan(1);
    const dec = tok.createDecoder();
    expect(dec.push(ids[0]!)).toBe('');
    expect(dec.flush()).toBe('\uFFFD');
  });
});

// The real Coder-V2-Lite vocabulary (the full-vocabulary fixture's, with the FIM markers at their ids
// 100002-100004), written with the project's GGUF writer and read back as an import would.
describe.each([
  ['USER_DEFINED, as files converted in 2024 store them', 4],
  ['CONTROL', 3],
] as const)('FIM markers typed %s (full vocabulary)', (_, type) => {
  const [HOLE, BEGIN, END] = FIM_MARKERS;
  const MARKER_IDS = [100002, 100003, 100004];
  let tok: Tokenizer;
  beforeAll(() => {
    const bytes = fullVocabFimFixture(type);
    const meta = parseGgufHeader(bytes, bytes.byteLength).metadata;
    expect((meta.get('tokenizer.ggml.token_type') as number[]).slice(100002, 100005)).toEqual([type, type, type]);
    tok = new Tokenizer(tokenizerDataFromMetadata(meta));
  });

  it('finds the markers and treats them as control tokens, as llama.cpp does', () => {
    expect(fimTokenIds(tok)).toEqual({ hole: 100002, begin: 100003, end: 100004 });
    for (const id of MARKER_IDS) expect(tok.tokenType(id)).toBe(TOKEN_TYPE.control);
    // The other user-defined tokens are still matched in text.
    expect(tok.encode('ÿ')).toEqual([100005]);
    expect(tok.encode('[PAD100015]')).toEqual([100015]);
  });

  it('never makes a marker, or any control token, from text, and the text round-trips', () => {
    const texts = [
      HOLE,
      BEGIN,
      END,
      `${BEGIN}${HOLE}${END}`,
      `x = "${HOLE}"\n`,
      `a${BEGIN}b ${END}\nc${HOLE}`,
      '<｜end▁of▁sentence｜><｜begin▁of▁sentence｜>',
    ];
    for (const text of texts) {
      const ids = tok.encode(text);
      expect(
        ids.filter((id) => MARKER_IDS.includes(id) || tok.isControl(id)),
        JSON.stringify(text),
      ).toEqual([]);
      expect(tok.decode(ids)).toBe(text);
    }
  });

  it('decodes a marker id to nothing, as llama.cpp does', () => {
    for (const id of MARKER_IDS) {
      expect(tok.decode([id])).toBe('');
      expect(tok.createDecoder().push(id)).toBe('');
    }
    expect(tok.decode(fimPromptIds(tok, 'def f(', ')\n'))).toBe('def f()\n');
  });

  it('still puts the markers in the FIM prompt, and only there', () => {
    const prefix = `s = "${HOLE}"\n`;
    const suffix = `${END}\n`;
    const ids = fimPromptIds(tok, prefix, suffix);
    expect(ids).toEqual([100000, 100003, ...tok.encode(prefix), 100002, ...tok.encode(suffix), 100004]);
    expect(ids.filter((id) => tok.isControl(id))).toEqual([100000, 100003, 100002, 100004]);
  });

  it('keeps marker text typed in a chat as plain text', () => {
    const ids = chatPromptIds(tok, [{ role: 'user', content: `${BEGIN}def f():${HOLE}${END}` }]);
    expect(ids.filter((id) => tok.isControl(id) || MARKER_IDS.includes(id))).toEqual([100000]);
    expect(tok.decode(ids)).toBe(`User: ${BEGIN}def f():${HOLE}${END}\n\nAssistant:`);
  });
});

describe('effectiveTokenTypes', () => {
  const N = TOKEN_TYPE.normal;
  const U = TOKEN_TYPE.userDefined;
  const C = TOKEN_TYPE.control;

  it('re-types user-defined tokens that llama.cpp re-types or that look like control tokens', () => {
    const tokens = ['a', '</s>', '<|im_end|>', '<|User|>', '<｜Assistant｜>', '<||>', '<|', '[PAD7]', '</s>', '<|x|>'];
    const types = [N, U, U, U, U, U, U, U, N, C];
    expect(effectiveTokenTypes(tokens, types)).toEqual([N, C, C, C, C, U, U, U, N, C]);
    expect(types).toEqual([N, U, U, U, U, U, U, U, N, C]); // not changed in place
  });

  it('returns the same array when nothing changes', () => {
    const types = [N, U, C];
    expect(effectiveTokenTypes(['a', 'ø', '<｜end▁of▁sentence｜>'], types)).toBe(types);
  });

  it('tells the control-token form by plain string checks', () => {
    expect(looksLikeControl('<｜fim▁hole｜>')).toBe(true);
    expect(looksLikeControl('<|endoftext|>')).toBe(true);
    expect(looksLikeControl('<｜｜>')).toBe(false);
    expect(looksLikeControl('<|x')).toBe(false);
    expect(looksLikeControl('x<|y|>')).toBe(false);
    expect(looksLikeControl('<' + '|'.repeat(100_000))).toBe(false);
  });
});

describe('preTokenize (deepseek-llm)', () => {
  it('splits the way llama.cpp does', () => {
    expect(preTokenize('Hello, world!')).toEqual(['Hello', ',', ' world', '!']);
    expect(preTokenize('    Hello\n    Hello')).toEqual(['   ', ' Hello', '\n', '   ', ' Hello']);
    expect(preTokenize('我想在apple工作1314151天～')).toEqual(['我想在', 'apple', '工作', '1314151', '天', '～']);
    expect(preTokenize('a  \t')).toEqual(['a', '  \t']);
    expect(preTokenize('')).toEqual([]);
    // Later regexes split inside earlier pieces: "Cửa" -> "C", "ử", "a" because ASCII letters are
    // also in the punctuation class's ":-~" range.
    expect(preTokenize('Cửa Việt')).toEqual(['C', 'ử', 'a', ' Vi', 'ệ', 't']);
    // U+3000 is whitespace (it is also in the punctuation class, which must not win).
    expect(preTokenize('\u3000x')).toEqual(['\u3000x']);
    // "`" is not a letter: an NFC-normalized copy of the letter class ("K-ℭ" starting at ASCII K)
    // would make it one and give ['a', ' `b'].
    expect(preTokenize('a `b')).toEqual(['a', ' `', 'b']);
    // The "CJK" class's U+0800-U+4E00 range also covers U+212A and U+1F7D, so regex 5 splits them
    // off the space regex 2 gave them.
    expect(preTokenize('  \u212A')).toEqual([' ', ' ', '\u212A']);
    expect(preTokenize('  \u1F7Dx')).toEqual([' ', ' ', '\u1F7D', 'x']);
  });
});

describe('Tokenizer on the 512-token test model vocabulary', () => {
  const prompts = JSON.parse(readFileSync(fixture('models/prompts.json'), 'utf8')) as Record<
    'turn1' | 'turn2',
    { text: string; add_bos: boolean; tokens: number[] }
  >;
  const tok = new Tokenizer(tokenizerDataFromMetadata(metadataOf('models/ds2-pub-f32.gguf')));

  it('reads the vocabulary', () => {
    expect(tok.vocabSize).toBe(512);
    expect(tok.bosId).toBe(497);
    expect(tok.eosId).toBe(498);
  });

  it('reproduces prompts.json', () => {
    expect(prompts.turn1.add_bos).toBe(true);
    expect([tok.bosId, ...tok.encode(prompts.turn1.text)]).toEqual(prompts.turn1.tokens);
    expect(prompts.turn2.add_bos).toBe(false);
    expect(tok.encode(prompts.turn2.text)).toEqual(prompts.turn2.tokens);
    expect(tok.decode(prompts.turn2.tokens)).toBe(prompts.turn2.text);
  });
});

describe('tokenizerDataFromMetadata', () => {
  const good = (): Map<string, GgufValue> =>
    new Map<string, GgufValue>([
      ['tokenizer.ggml.model', 'gpt2'],
      ['tokenizer.ggml.pre', 'deepseek-llm'],
      ['tokenizer.ggml.tokens', ['a', 'b', 'ab', '<s>', '</s>']],
      ['tokenizer.ggml.token_type', [1, 1, 1, 3, 3]],
      ['tokenizer.ggml.merges', ['a b']],
      ['tokenizer.ggml.bos_token_id', 3],
      ['tokenizer.ggml.eos_token_id', 4],
      ['tokenizer.ggml.add_bos_token', true],
      ['tokenizer.ggml.add_eos_token', false],
    ]);
  const fails = (edit: (m: Map<string, GgufValue>) => void, code: string, message: RegExp): void => {
    const m = good();
    edit(m);
    let err: unknown;
    try {
      tokenizerDataFromMetadata(m);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ModelFormatError);
    expect((err as ModelFormatError).code).toBe(code);
    expect((err as ModelFormatError).message).toMatch(message);
  };

  it('accepts a well-formed tokenizer', () => {
    const data = tokenizerDataFromMetadata(good());
    expect(data).toMatchObject({ model: 'gpt2', pre: 'deepseek-llm', bosId: 3, eosId: 4, addBos: true, addEos: false });
    expect(new Tokenizer(data).encode('ab')).toEqual([2]);
  });

  it("defaults the optional add_bos/add_eos flags to DeepSeek's own settings", () => {
    const m = good();
    m.delete('tokenizer.ggml.add_bos_token');
    m.delete('tokenizer.ggml.add_eos_token');
    expect(tokenizerDataFromMetadata(m)).toMatchObject({ addBos: true, addEos: false });
  });

  it('names each missing key', () => {
    for (const key of ['model', 'pre', 'tokens', 'token_type', 'merges', 'bos_token_id', 'eos_token_id']) {
      fails((m) => m.delete(`tokenizer.ggml.${key}`), 'missing-metadata', new RegExp(`tokenizer\\.ggml\\.${key}`));
    }
  });

  it('refuses unsupported tokenizers by name', () => {
    fails((m) => m.set('tokenizer.ggml.model', 'llama'), 'bad-metadata', /tokenizer\.ggml\.model is "llama".*"gpt2"/);
    fails(
      (m) => m.set('tokenizer.ggml.pre', 'deepseek-coder'),
      'bad-metadata',
      /tokenizer\.ggml\.pre is "deepseek-coder".*not supported/,
    );
  });

  it('refuses wrong types, length mismatches and ids out of range', () => {
    fails((m) => m.set('tokenizer.ggml.model', 3), 'bad-metadata', /tokenizer\.ggml\.model must be a string/);
    fails((m) => m.set('tokenizer.ggml.tokens', 'abc'), 'bad-metadata', /tokenizer\.ggml\.tokens must be an array/);
    fails(
      (m) => m.set('tokenizer.ggml.tokens', ['a', 1, 'ab', 'x', 'y']),
      'bad-metadata',
      /tokenizer\.ggml\.tokens .*element 1/,
    );
    fails((m) => m.set('tokenizer.ggml.tokens', []), 'bad-metadata', /tokenizer\.ggml\.tokens is empty/);
    fails(
      (m) => m.set('tokenizer.ggml.token_type', [1, 1, 1, 3]),
      'bad-metadata',
      /tokenizer\.ggml\.token_type has 4 entries.*5/,
    );
    fails(
      (m) => m.set('tokenizer.ggml.token_type', [1, 1, 9, 3, 3]),
      'bad-metadata',
      /tokenizer\.ggml\.token_type .*token 2/,
    );
    fails((m) => m.set('tokenizer.ggml.token_type', [1, 1, 'x', 3, 3]), 'bad-metadata', /tokenizer\.ggml\.token_type/);
    fails((m) => m.set('tokenizer.ggml.merges', ['ab']), 'bad-metadata', /tokenizer\.ggml\.merges entry 0/);
    fails((m) => m.set('tokenizer.ggml.merges', [7]), 'bad-metadata', /tokenizer\.ggml\.merges/);
    fails(
      (m) => m.set('tokenizer.ggml.bos_token_id', 5),
      'bad-metadata',
      /tokenizer\.ggml\.bos_token_id is 5, outside/,
    );
    fails((m) => m.set('tokenizer.ggml.eos_token_id', -1), 'bad-metadata', /tokenizer\.ggml\.eos_token_id is -1/);
    fails(
      (m) => m.set('tokenizer.ggml.eos_token_id', 1.5),
      'bad-metadata',
      /tokenizer\.ggml\.eos_token_id must be an integer/,
    );
    fails(
      (m) => m.set('tokenizer.ggml.add_bos_token', 1),
      'bad-metadata',
      /tokenizer\.ggml\.add_bos_token must be a boolean/,
    );
  });
});
