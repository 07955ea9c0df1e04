/**
 * Read and check the tokenizer a GGUF file describes. Everything is validated here, once, so the
 * Tokenizer can trust its TokenizerData; messages name the offending key because they reach the user.
 */
import { ModelFormatError } from '../errors';
import type { GgufValue } from '../gguf/parse';
import { SUPPORTED_MODEL, SUPPORTED_PRE_TOKENIZERS } from './tokenizer';
import type { TokenizerData } from './tokenizer-data';

const K = {
  model: 'tokenizer.ggml.model',
  pre: 'tokenizer.ggml.pre',
  tokens: 'tokenizer.ggml.tokens',
  types: 'tokenizer.ggml.token_type',
  merges: 'tokenizer.ggml.merges',
  bos: 'tokenizer.ggml.bos_token_id',
  eos: 'tokenizer.ggml.eos_token_id',
  addBos: 'tokenizer.ggml.add_bos_token',
  addEos: 'tokenizer.ggml.add_eos_token',
} as const;

/** ggml token types run from 1 (normal) to 6 (byte); 0 is "undefined" and never written by converters. */
const MAX_TOKEN_TYPE = 6;

type Meta = ReadonlyMap<string, GgufValue>;

function required(meta: Meta, key: string): GgufValue {
  const v = meta.get(key);
  if (v === undefined)
    throw new ModelFormatError('missing-metadata', `The model file has no ${key}: it does not describe its tokenizer.`);
  return v;
}

function bad(key: string, why: string): ModelFormatError {
  return new ModelFormatError('bad-metadata', `${key} ${why}`);
}

function str(meta: Meta, key: string): string {
  const v = required(meta, key);
  if (typeof v !== 'string') throw bad(key, `must be a string, not ${describe(v)}.`);
  return v;
}

/** Optional flags default to what DeepSeek's own tokenizer_config says (BOS yes, EOS no). */
function flag(meta: Meta, key: string, fallback: boolean): boolean {
  const v = meta.get(key);
  if (v === undefined) return fallback;
  if (typeof v !== 'boolean') throw bad(key, `must be a boolean, not ${describe(v)}.`);
  return v;
}

function tokenIdAt(meta: Meta, key: string, nTokens: number): number {
  const v = required(meta, key);
  if (typeof v !== 'number' || !Number.isInteger(v)) throw bad(key, `must be an integer token id, not ${describe(v)}.`);
  if (v < 0 || v >= nTokens) throw bad(key, `is ${v}, outside the vocabulary of ${nTokens} tokens.`);
  return v;
}

function strings(meta: Meta, key: string): string[] {
  const v = required(meta, key);
  if (!Array.isArray(v)) throw bad(key, `must be an array of strings, not ${describe(v)}.`);
  for (let i = 0; i < v.length; i++) {
    if (typeof v[i] !== 'string')
      throw bad(key, `must be an array of strings, but element ${i} is ${describe(v[i]!)}.`);
  }
  return v as string[];
}

function describe(v: GgufValue): string {
  return Array.isArray(v) ? 'an array' : `${typeof v} ${JSON.stringify(v)}`;
}

export function tokenizerDataFromMetadata(metadata: ReadonlyMap<string, GgufValue>): TokenizerData {
  const model = str(metadata, K.model);
  if (model !== SUPPORTED_MODEL) {
    throw bad(K.model, `is "${model}", but Lite Coder only supports "${SUPPORTED_MODEL}" (byte-level BPE) tokenizers.`);
  }
  const pre = str(metadata, K.pre);
  if (!SUPPORTED_PRE_TOKENIZERS.includes(pre)) {
    throw bad(
      K.pre,
      `is "${pre}": this pre-tokenizer is not supported (supported: ${SUPPORTED_PRE_TOKENIZERS.map((p) => `"${p}"`).join(', ')}).`,
    );
  }

  const tokens = strings(metadata, K.tokens);
  if (tokens.length === 0) throw bad(K.tokens, 'is empty.');

  const rawTypes = required(metadata, K.types);
  if (!Array.isArray(rawTypes)) throw bad(K.types, `must be an array of integers, not ${describe(rawTypes)}.`);
  if (rawTypes.length !== tokens.length) {
    throw bad(K.types, `has ${rawTypes.length} entries but ${K.tokens} has ${tokens.length}: they must match.`);
  }
  const tokenTypes: number[] = new Array<number>(rawTypes.length);
  for (let i = 0; i < rawTypes.length; i++) {
    const t = rawTypes[i]!;
    if (typeof t !== 'number' || !Number.isInteger(t) || t < 0 || t > MAX_TOKEN_TYPE) {
      throw bad(K.types, `has ${describe(t)} for token ${i}; token types are integers 0 to ${MAX_TOKEN_TYPE}.`);
    }
    tokenTypes[i] = t;
  }

  const merges = strings(metadata, K.merges);
  for (let i = 0; i < merges.length; i++) {
    // llama.cpp splits at the first space after the first character; both halves must be non-empty.
    const at = merges[i]!.indexOf(' ', 1);
    if (at < 0 || at === merges[i]!.length - 1)
      throw bad(K.merges, `entry ${i} (${JSON.stringify(merges[i])}) is not a "left right" pair.`);
  }

  return {
    model,
    pre,
    tokens,
    tokenTypes,
    merges,
    bosId: tokenIdAt(metadata, K.bos, tokens.length),
    eosId: tokenIdAt(metadata, K.eos, tokens.length),
    addBos: flag(metadata, K.addBos, true),
    addEos: flag(metadata, K.addEos, false),
  };
}
