/**
 * Byte-level BPE tokenizer (GGUF "gpt2" model, "deepseek-llm" pre-tokenizer), written to give the
 * same ids as llama.cpp, which in turn matches the Hugging Face tokenizer DeepSeek ships.
 *
 * encode() never produces a control token: text such as "<｜end▁of▁sentence｜>" typed by a user is
 * tokenized as ordinary characters, so it cannot end a turn or forge a prompt. Control tokens are
 * inserted by id (see prompt-format.ts). User-defined tokens are matched in text first, as
 * llama.cpp does with parse_special = false. Token types are the file's, with control-looking
 * user-defined tokens (DeepSeek's FIM markers in 2024 conversions) made CONTROL (token-types.ts).
 */
import { effectiveTokenTypes, TOKEN_TYPE } from './token-types';
import type { TokenizerData } from './tokenizer-data';

export { TOKEN_TYPE } from './token-types';

export const SUPPORTED_MODEL = 'gpt2';
export const SUPPORTED_PRE_TOKENIZERS: readonly string[] = ['deepseek-llm'];

// ---------------------------------------------------------------------------------------------
// Pre-tokenizer: llama.cpp's LLAMA_VOCAB_PRE_TYPE_DEEPSEEK_LLM regexes.
//
// The character classes are written as escapes because the source spells some of them with
// characters that Unicode normalization rewrites (U+1F7D, U+1FBE, U+1FD3, U+1FDB, U+2126, U+212A
// become U+03CE, U+03B9, U+0390, U+038A, U+03A9, U+004B); a normalized copy would silently turn
// "K-ℭ" into "K-ℭ", a range that swallows ASCII punctuation.
//
// llama.cpp runs these through std::wregex, whose \s only knows ASCII whitespace, after replacing
// every non-ASCII whitespace character with \v. We do the same replacement (on a copy used only
// for matching; it keeps UTF-16 offsets because all such characters are in the BMP) and spell \s
// as the ASCII class, so U+3000 counts as whitespace and not as the punctuation its range covers.
// ---------------------------------------------------------------------------------------------
const WS = '\\t-\\r ';
const LETTERS =
  '\\u{0041}-\\u{005A}\\u{0061}-\\u{007A}\\u{00B5}\\u{00C0}-\\u{00D6}\\u{00D8}-\\u{00F6}\\u{00F8}-\\u{01BA}' +
  '\\u{01BC}-\\u{01BF}\\u{01C4}-\\u{0293}\\u{0295}-\\u{02AF}\\u{0370}-\\u{0373}\\u{0376}\\u{0377}' +
  '\\u{037B}-\\u{037D}\\u{037F}\\u{0386}\\u{0388}-\\u{038A}\\u{038C}\\u{038E}-\\u{03A1}\\u{03A3}-\\u{03F5}' +
  '\\u{03F7}-\\u{0481}\\u{048A}-\\u{052F}\\u{0531}-\\u{0556}\\u{10A0}-\\u{10C5}\\u{13A0}-\\u{13F5}' +
  '\\u{13F8}-\\u{13FD}\\u{1C90}-\\u{1CBA}\\u{1CBD}-\\u{1CBF}\\u{1D00}-\\u{1D2B}\\u{1D6B}-\\u{1D77}' +
  '\\u{1D79}-\\u{1D9A}\\u{1E00}-\\u{1F15}\\u{1F18}-\\u{1F1D}\\u{1F20}-\\u{1F45}\\u{1F48}-\\u{1F4D}' +
  '\\u{1F50}-\\u{1F57}\\u{1F59}\\u{1F5B}\\u{1F5D}\\u{1F5F}-\\u{1F7D}\\u{1F80}-\\u{1FB4}\\u{1FB6}-\\u{1FBC}' +
  '\\u{1FBE}\\u{1FC2}-\\u{1FC4}\\u{1FC6}-\\u{1FCC}\\u{1FD0}-\\u{1FD3}\\u{1FD6}-\\u{1FDB}\\u{1FE0}-\\u{1FEC}' +
  '\\u{1FF2}-\\u{1FF4}\\u{1FF6}-\\u{1FFC}\\u{2102}\\u{2107}\\u{210A}-\\u{2113}\\u{2115}\\u{2119}-\\u{211D}' +
  '\\u{2124}\\u{2126}\\u{2128}\\u{212A}-\\u{212D}\\u{212F}-\\u{2134}\\u{2139}\\u{213C}-\\u{213F}' +
  '\\u{2145}-\\u{2149}\\u{214E}\\u{2183}\\u{2184}\\u{2C00}-\\u{2C7B}\\u{2C7E}-\\u{2CE4}\\u{2CEB}-\\u{2CEE}' +
  '\\u{2CF2}\\u{2CF3}\\u{A640}-\\u{A66D}\\u{A680}-\\u{A69B}\\u{A722}-\\u{A76F}\\u{A771}-\\u{A787}' +
  '\\u{A78B}-\\u{A78E}\\u{AB70}-\\u{ABBF}\\u{FB00}-\\u{FB06}\\u{FB13}-\\u{FB17}\\u{FF21}-\\u{FF3A}' +
  '\\u{FF41}-\\u{FF5A}\\u{10400}-\\u{1044F}\\u{104B0}-\\u{104D3}\\u{104D8}-\\u{104FB}\\u{10C80}-\\u{10CB2}' +
  '\\u{10CC0}-\\u{10CF2}\\u{118A0}-\\u{118DF}\\u{1E900}-\\u{1E943}';
const PUNCT =
  '\\u{0021}-\\u{002F}\\u{003A}-\\u{007E}\\u{FF01}-\\u{FF0F}\\u{FF1A}-\\u{FF5E}\\u{2018}-\\u{201F}\\u{3000}-\\u{3002}';
const CJK = '\\u{4E00}-\\u{9FA5}\\u{0800}-\\u{4E00}\\u{AC00}-\\u{D7FF}';

/**
 * The fourth regex, `[\t-\r ]+$`, is not run as one: a backtracking engine tries it from every
 * space of a run that does not reach the end, which is quadratic in the run (50k spaces and a digit
 * would take seconds). Its one match is the piece's trailing run of those characters.
 */
const TRAILING_SPACE = 'trailing space';

const DEEPSEEK_LLM_SPLITS: readonly (RegExp | typeof TRAILING_SPACE)[] = [
  /[\r\n]/gu,
  new RegExp(`[${WS}]?[${LETTERS}]+`, 'gu'),
  new RegExp(`[${WS}]?[${PUNCT}]+`, 'gu'),
  TRAILING_SPACE,
  new RegExp(`[${CJK}]+`, 'gu'),
  /\p{N}+/gu,
];

/** Where the run of \t-\r and space that ends `piece` starts; piece.length if it does not end in one. */
function trailingSpace(piece: string): number {
  let i = piece.length;
  while (i > 0) {
    const c = piece.charCodeAt(i - 1);
    if (c !== 0x20 && (c < 0x09 || c > 0x0d)) break;
    i--;
  }
  return i;
}

const NON_ASCII_WHITE_SPACE = /(?=[^\0-\x7F])\p{White_Space}/gu;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * Split text into words the way llama.cpp's unicode_regex_split does: each regex runs inside each
 * piece the previous ones left (so `$` means the end of that piece), and the text between matches
 * stays a piece of its own.
 */
export function preTokenize(text: string): string[] {
  const matchText = text.replace(NON_ASCII_WHITE_SPACE, '\v');
  let bounds: number[] = [0, text.length];
  for (const re of DEEPSEEK_LLM_SPLITS) {
    const next: number[] = [0];
    for (let p = 1; p < bounds.length; p++) {
      const start = bounds[p - 1]!;
      const end = bounds[p]!;
      const piece = matchText.slice(start, end);
      const add = (index: number, length: number) => {
        if (index > 0 && start + index !== next[next.length - 1]) next.push(start + index);
        next.push(start + index + length);
      };
      if (re === TRAILING_SPACE) {
        const at = trailingSpace(piece);
        if (at < piece.length) add(at, piece.length - at);
      } else {
        re.lastIndex = 0;
        for (let m = re.exec(piece); m !== null; m = re.exec(piece)) add(m.index, m[0].length);
      }
      if (next[next.length - 1] !== end) next.push(end);
    }
    bounds = next;
  }
  const words: string[] = [];
  for (let p = 1; p < bounds.length; p++) words.push(text.slice(bounds[p - 1], bounds[p]));
  return words;
}

// ---------------------------------------------------------------------------------------------
// GPT-2 byte <-> unicode mapping: printable Latin-1 bytes stand for themselves, the rest are moved
// to U+0100.. so every byte has a visible, non-space character in the vocabulary.
// ---------------------------------------------------------------------------------------------
const BYTE_TO_CHAR: readonly string[] = (() => {
  const out: string[] = new Array<string>(256);
  let extra = 0;
  for (let b = 0; b < 256; b++) {
    const printable = (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
    out[b] = String.fromCharCode(printable ? b : 256 + extra++);
  }
  return out;
})();
const CHAR_TO_BYTE: ReadonlyMap<number, number> = new Map(BYTE_TO_CHAR.map((c, b) => [c.charCodeAt(0), b]));

const utf8 = new TextEncoder();

function byteEncode(word: string): string {
  const bytes = utf8.encode(word);
  let s = '';
  for (const b of bytes) s += BYTE_TO_CHAR[b];
  return s;
}

// ---------------------------------------------------------------------------------------------
// BPE merges over one word, lowest rank first and leftmost on ties (llama.cpp's llm_bigram_bpe
// order). A heap keeps long words (a 10k-space run is one word) from going quadratic.
// ---------------------------------------------------------------------------------------------
interface Bigram {
  rank: number;
  left: number;
  right: number;
  /** lengths of both symbols when queued: if either has changed since, the bigram is stale */
  leftLen: number;
  rightLen: number;
}

function bigramBefore(a: Bigram, b: Bigram): boolean {
  return a.rank < b.rank || (a.rank === b.rank && a.left < b.left);
}

class BigramHeap {
  private readonly items: Bigram[] = [];
  get size(): number {
    return this.items.length;
  }
  push(x: Bigram): void {
    const h = this.items;
    h.push(x);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!bigramBefore(h[i]!, h[parent]!)) break;
      [h[i], h[parent]] = [h[parent]!, h[i]!];
      i = parent;
    }
  }
  pop(): Bigram {
    const h = this.items;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let best = i;
        if (l < h.length && bigramBefore(h[l]!, h[best]!)) best = l;
        if (r < h.length && bigramBefore(h[r]!, h[best]!)) best = r;
        if (best === i) break;
        [h[i], h[best]] = [h[best]!, h[i]!];
        i = best;
      }
    }
    return top;
  }
}

/** Merge a byte-encoded word into its final symbols (each char of `word` is one byte). */
function bpeSymbols(word: string, ranks: ReadonlyMap<string, number>): string[] {
  const n = word.length;
  if (n <= 1) return [word];
  const len = new Int32Array(n).fill(1);
  const prev = new Int32Array(n);
  const next = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    prev[i] = i - 1;
    next[i] = i + 1 < n ? i + 1 : -1;
  }
  const heap = new BigramHeap();
  const queue = (left: number, right: number): void => {
    if (left < 0 || right < 0) return;
    const rank = ranks.get(word.slice(left, left + len[left]!) + ' ' + word.slice(right, right + len[right]!));
    if (rank !== undefined) heap.push({ rank, left, right, leftLen: len[left]!, rightLen: len[right]! });
  };
  for (let i = 1; i < n; i++) queue(i - 1, i);
  while (heap.size > 0) {
    const b = heap.pop();
    if (len[b.left] !== b.leftLen || len[b.right] !== b.rightLen) continue;
    len[b.left] = b.leftLen + b.rightLen;
    len[b.right] = 0;
    const after = next[b.right]!;
    next[b.left] = after;
    if (after >= 0) prev[after] = b.left;
    queue(prev[b.left]!, b.left);
    queue(b.left, after);
  }
  const out: string[] = [];
  for (let i = 0; i >= 0; i = next[i]!) out.push(word.slice(i, i + len[i]!));
  return out;
}

const WORD_CACHE_LIMIT = 50_000;

export interface StreamDecoder {
  /** Feed one generated token; returns the text it completes (possibly ''), never half a character. */
  push(id: number): string;
  /** End of stream: whatever bytes are left, with U+FFFD for an unfinished sequence. */
  flush(): string;
}

export class Tokenizer {
  readonly bosId: number;
  readonly eosId: number;
  readonly vocabSize: number;
  readonly addBos: boolean;
  readonly addEos: boolean;

  private readonly tokens: readonly string[];
  private readonly types: readonly number[];
  private readonly ids = new Map<string, number>();
  private readonly ranks = new Map<string, number>();
  /** user-defined tokens in llama.cpp's matching order: longest (in UTF-8 bytes) first */
  private readonly userDefined: readonly { text: string; id: number }[];
  private readonly wordCache = new Map<string, readonly number[]>();
  private readonly pieceBytes: (Uint8Array | undefined)[];

  constructor(data: TokenizerData) {
    if (data.model !== SUPPORTED_MODEL)
      throw new Error(`unsupported tokenizer model "${data.model}" (only "${SUPPORTED_MODEL}")`);
    if (!SUPPORTED_PRE_TOKENIZERS.includes(data.pre)) throw new Error(`unsupported pre-tokenizer "${data.pre}"`);
    if (data.tokenTypes.length !== data.tokens.length) throw new Error('token types and tokens differ in length');
    this.tokens = data.tokens;
    // The one place where stored types are re-typed: every Tokenizer, old manifests' too, is built here.
    this.types = effectiveTokenTypes(data.tokens, data.tokenTypes);
    this.vocabSize = data.tokens.length;
    this.bosId = data.bosId;
    this.eosId = data.eosId;
    this.addBos = data.addBos;
    this.addEos = data.addEos;
    this.pieceBytes = new Array<Uint8Array | undefined>(this.vocabSize);

    // Later duplicates win, as in llama.cpp's token_to_id.
    data.tokens.forEach((t, id) => {
      if (t !== '') this.ids.set(t, id);
    });
    // The first occurrence of a merge keeps its rank (std::map::emplace).
    data.merges.forEach((m, rank) => {
      if (!this.ranks.has(m)) this.ranks.set(m, rank);
    });
    const userDefined: { text: string; id: number; bytes: number }[] = [];
    this.types.forEach((type, id) => {
      const text = data.tokens[id]!;
      if (type === TOKEN_TYPE.userDefined && text !== '')
        userDefined.push({ text, id, bytes: utf8.encode(text).length });
    });
    userDefined.sort((a, b) => b.bytes - a.bytes || a.id - b.id);
    this.userDefined = userDefined.map(({ text, id }) => ({ text, id }));
  }

  /** The id of the token whose vocabulary text is exactly `text` (e.g. a special token). */
  tokenId(text: string): number | undefined {
    return this.ids.get(text);
  }

  /** The token's type as this tokenizer treats it (control-looking user-defined tokens are CONTROL). */
  tokenType(id: number): number | undefined {
    return this.types[id];
  }

  isControl(id: number): boolean {
    return this.types[id] === TOKEN_TYPE.control;
  }

  /**
   * Every token's vocabulary text in id order, as the file spells it (byte-level BPE: "Ġ" for a
   * space), with control tokens as '' (what a grammar library needs to map text onto tokens).
   */
  vocabularyTexts(): string[] {
    return this.tokens.map((t, id) => (this.isControl(id) ? '' : t));
  }

  /** Tokenize user or template text. Adds no BOS; never yields a control token. */
  encode(text: string): number[] {
    const out: number[] = [];
    for (const part of this.splitUserDefined(text.replace(LONE_SURROGATE, '\uFFFD'))) {
      if (typeof part === 'number') out.push(part);
      else for (const word of preTokenize(part)) for (const id of this.encodeWord(word)) out.push(id);
    }
    return out;
  }

  /** Text of the ids, skipping control tokens (and other non-text tokens, as llama.cpp does). */
  decode(ids: readonly number[]): string {
    const parts: Uint8Array[] = [];
    let total = 0;
    for (const id of ids) {
      const b = this.bytesOf(id);
      parts.push(b);
      total += b.length;
    }
    const all = new Uint8Array(total);
    let at = 0;
    for (const b of parts) {
      all.set(b, at);
      at += b.length;
    }
    return new TextDecoder('utf-8', { ignoreBOM: true }).decode(all);
  }

  /** Incremental decoding for generation: a character split over tokens comes out once it is whole. */
  createDecoder(): StreamDecoder {
    const text = new TextDecoder('utf-8', { ignoreBOM: true });
    return {
      push: (id) => text.decode(this.bytesOf(id), { stream: true }),
      flush: () => text.decode(),
    };
  }

  /** Split out user-defined tokens, one token at a time over all raw fragments (llama.cpp's order). */
  private splitUserDefined(text: string): (string | number)[] {
    let parts: (string | number)[] = [text];
    for (const { text: tok, id } of this.userDefined) {
      if (!text.includes(tok)) continue;
      const next: (string | number)[] = [];
      for (const part of parts) {
        if (typeof part === 'number') {
          next.push(part);
          continue;
        }
        let from = 0;
        for (let at = part.indexOf(tok); at >= 0; at = part.indexOf(tok, from)) {
          if (at > from) next.push(part.slice(from, at));
          next.push(id);
          from = at + tok.length;
        }
        if (from < part.length) next.push(part.slice(from));
      }
      parts = next;
    }
    return parts;
  }

  private encodeWord(word: string): readonly number[] {
    const cached = this.wordCache.get(word);
    if (cached) return cached;
    const ids: number[] = [];
    for (const sym of bpeSymbols(byteEncode(word), this.ranks)) {
      const id = this.ids.get(sym);
      if (id !== undefined) {
        ids.push(id);
        continue;
      }
      // A merge result missing from the vocabulary: llama.cpp falls back to single-byte tokens,
      // and only ASCII bytes can be found that way.
      for (const b of utf8.encode(sym)) {
        const byteId = b < 0x80 ? this.ids.get(String.fromCharCode(b)) : undefined;
        if (byteId !== undefined) ids.push(byteId);
      }
    }
    if (this.wordCache.size >= WORD_CACHE_LIMIT) this.wordCache.clear();
    this.wordCache.set(word, ids);
    return ids;
  }

  private bytesOf(id: number): Uint8Array {
    if (!Number.isInteger(id) || id < 0 || id >= this.vocabSize) {
      throw new RangeError(`token id ${id} is outside the vocabulary (0..${this.vocabSize - 1})`);
    }
    let b = this.pieceBytes[id];
    if (b === undefined) {
      b = this.computeBytes(id);
      this.pieceBytes[id] = b;
    }
    return b;
  }

  private computeBytes(id: number): Uint8Array {
    const text = this.tokens[id]!;
    switch (this.types[id]) {
      case TOKEN_TYPE.normal: {
        const bytes: number[] = [];
        for (const ch of text) {
          const b = ch.length === 1 ? CHAR_TO_BYTE.get(ch.charCodeAt(0)) : undefined;
          // Not a byte-level character (never in a real vocabulary): keep its own UTF-8.
          if (b === undefined) bytes.push(...utf8.encode(ch));
          else bytes.push(b);
        }
        return Uint8Array.from(bytes);
      }
      case TOKEN_TYPE.userDefined:
        return utf8.encode(text);
      default:
        return new Uint8Array(0);
    }
  }
}
