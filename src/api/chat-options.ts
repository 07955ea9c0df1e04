/**
 * web-llm's ChatOptions (the overrides of a model's mlc-chat-config.json), as this engine reads them:
 * `context_window_size` sizes the KV cache; temperature, top_p and the penalties are the defaults of
 * every request that does not set them (as in web-llm, where they are the model's generation config);
 * Lite Coder's own load options ride along. Fields that describe an MLC model package (conversation
 * template, tokenizer files, vocabulary size...) do not apply to a GGUF file, which carries its own.
 */
import type { ChatOptions } from '@mlc-ai/web-llm';
import type { LoadRequest } from '../../workers/api';
import { unsupportedFields } from './errors';
import { log } from './log';

/** web-llm's ChatOptions, plus Lite Coder's load options (extensions: see LoadRequest). */
export type LiteCoderChatOptions = ChatOptions & Omit<LoadRequest, 'name'>;

/** The request fields a ChatOptions gives defaults for. */
export interface RequestDefaults {
  temperature?: number;
  top_p?: number;
  repetition_penalty?: number;
  frequency_penalty?: number;
  presence_penalty?: number;
}

const SAMPLING = ['temperature', 'top_p', 'repetition_penalty', 'frequency_penalty', 'presence_penalty'] as const;
/** ChatConfig fields of an MLC model package: a GGUF file brings its own. */
const PACKAGE_FIELDS = [
  'tokenizer_files',
  'tokenizer_info',
  'token_table_postproc_method',
  'vocab_size',
  'conv_config',
  'conv_template',
  'bos_token_id',
  'model_type',
  'model_config',
  'max_history_size',
  'attention_sink_size',
] as const;

/**
 * The load options and request defaults of `opts` over a record's `overrides` (opts win). Throws
 * web-llm's UnsupportedFieldsError for a positive sliding_window_size (this engine has no sliding
 * window), and a TypeError naming a context size that is not a positive integer.
 */
export function readChatOptions(
  opts: LiteCoderChatOptions | undefined,
  overrides: ChatOptions | undefined,
): { load: LoadRequest; defaults: RequestDefaults } {
  const o: LiteCoderChatOptions = { ...overrides, ...opts };
  if (o.sliding_window_size !== undefined && o.sliding_window_size > 0) {
    throw unsupportedFields(['sliding_window_size'], 'ChatOptions');
  }
  const ignored = PACKAGE_FIELDS.filter((f) => opts?.[f] !== undefined);
  if (ignored.length > 0) {
    log.warn(`ChatOptions ${ignored.join(', ')}: ignored, a GGUF model brings its own chat template and tokenizer.`);
  }
  const load: LoadRequest = {};
  const windowSize = o.context_window_size;
  const context = windowSize !== undefined && windowSize > 0 ? windowSize : o.contextLength;
  if (context !== undefined) {
    if (!Number.isInteger(context) || context < 1) {
      throw new TypeError(`context_window_size must be a positive integer, got ${String(context)}.`);
    }
    load.contextLength = context;
  }
  if (o.expertBudgetMB !== undefined) load.expertBudgetMB = o.expertBudgetMB;
  if (o.maxBatch !== undefined) load.maxBatch = o.maxBatch;
  if (o.ramTierMB !== undefined) load.ramTierMB = o.ramTierMB;
  if (o.kvType !== undefined) load.kvType = o.kvType;
  const defaults: RequestDefaults = {};
  for (const k of SAMPLING) if (o[k] !== undefined && o[k] !== null) defaults[k] = o[k];
  return { load, defaults };
}

/** `req` with `defaults` filled in where it leaves a field unset (undefined or null), as web-llm does. */
export function withDefaults<R extends object>(req: R, defaults: RequestDefaults): R {
  const out = { ...req } as Record<string, unknown>;
  for (const [k, v] of Object.entries(defaults)) if (out[k] === undefined || out[k] === null) out[k] = v;
  return out as R;
}
