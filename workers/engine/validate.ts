/**
 * The one place requests are checked, in the worker, before anything runs: web-llm's rules
 * (postInitAndCheckFields and postInitAndCheckGenerationConfigValues in @mlc-ai/web-llm), with its
 * error names and messages, so the app, the in-page API and the widget reject a bad request alike.
 * The runtime below trusts what passes (the sampler still asserts its own invariants).
 */
import type { ChatCompletionMessageParam, ChatCompletionRequest, CompletionCreateParams } from '@mlc-ai/web-llm';
import type { ChatMessage } from '../model/prompt-format';
import {
  ConfigValueError, ContentTypeError, InvalidStreamOptionsError, MessageOrderError, MinValueError, NonNegativeError, SeedTypeError,
  StreamingCountError, SystemMessageOrderError, UnsupportedFieldsError, UnsupportedRoleError, ValueRangeError,
} from '../errors';

/** The request fields that shape generation, common to chat and plain completions. */
export type GenerationFields = Pick<
  ChatCompletionRequest,
  'max_tokens' | 'temperature' | 'top_p' | 'seed' | 'stop' | 'repetition_penalty' | 'frequency_penalty' | 'presence_penalty' | 'n' | 'logit_bias'
  | 'logprobs' | 'ignore_eos' | 'stream' | 'stream_options' | 'extra_body'
>;

const given = <T>(v: T | null | undefined): v is T => v !== undefined && v !== null;

/**
 * A chat request's messages, checked (text content only, a system message only first, the last one
 * from the user), with its generation fields. Throws web-llm's named errors.
 */
export function validateChatRequest(req: ChatCompletionRequest): ChatMessage[] {
  if ('tools' in req && req.tools) throw new UnsupportedFieldsError('The request field "tools" is not supported by this model.');
  if (req.response_format && req.response_format.type !== 'text') throw new UnsupportedFieldsError('The request field "response_format" is not supported by this model.');
  const messages = chatMessages(req.messages);
  validateGeneration(req);
  return messages;
}

/** A plain or fill-in-the-middle completion: a single string prompt, and its generation fields. */
export function validateCompletionRequest(req: CompletionCreateParams): void {
  if (typeof req.prompt !== 'string') throw new ContentTypeError('The prompt of a completion must be a single string.');
  if (req.echo) throw new UnsupportedFieldsError('The request field "echo" is not supported.');
  validateGeneration(req);
}

function validateGeneration(req: GenerationFields): void {
  if (req.stream && given(req.n) && req.n > 1) throw new StreamingCountError('When streaming, `n` cannot be > 1.');
  if (given(req.seed) && !Number.isInteger(req.seed)) throw new SeedTypeError(`Make sure \`seed\` is an integer, but got ${String(req.seed)}.`);
  if (given(req.stream_options) && !req.stream) throw new InvalidStreamOptionsError('Only specify stream_options when stream=True.');
  // web-llm's generation config values
  const range = (p: string, lo: number, hi: number) => new ValueRangeError(`Make sure ${lo} < ${p} <= ${hi}.`);
  if (given(req.frequency_penalty) && !(req.frequency_penalty >= -2 && req.frequency_penalty <= 2)) throw range('frequency_penalty', -2, 2);
  if (given(req.presence_penalty) && !(req.presence_penalty >= -2 && req.presence_penalty <= 2)) throw range('presence_penalty', -2, 2);
  if (given(req.repetition_penalty) && !(req.repetition_penalty > 0)) throw new MinValueError('Make sure `repetition_penalty` > 0.');
  if (given(req.max_tokens) && !(req.max_tokens > 0)) throw new MinValueError('Make sure `max_tokens` > 0.');
  if (given(req.max_tokens) && !Number.isInteger(req.max_tokens)) throw new ConfigValueError(`max_tokens must be a positive integer, got ${String(req.max_tokens)}`);
  if (given(req.top_p) && !(req.top_p > 0 && req.top_p <= 1)) throw range('top_p', 0, 1);
  if (given(req.temperature) && !(req.temperature >= 0)) throw new NonNegativeError('Make sure temperature >= 0.');
  // What this engine does not do yet.
  if (given(req.n) && req.n !== 1) throw new UnsupportedFieldsError('Only n = 1 is supported.');
  if (req.logprobs) throw new UnsupportedFieldsError('The request field "logprobs" is not supported.');
  if (req.logit_bias) throw new UnsupportedFieldsError('The request field "logit_bias" is not supported.');
  if (req.frequency_penalty) throw new UnsupportedFieldsError('frequency_penalty is not supported; use repetition_penalty.');
  if (req.presence_penalty) throw new UnsupportedFieldsError('presence_penalty is not supported; use repetition_penalty.');
}

/** web-llm's rules: text content only, a system message only first, and the last message from the user. */
function chatMessages(messages: ChatCompletionMessageParam[]): ChatMessage[] {
  if (messages.length === 0) throw new MessageOrderError('The request has no messages.');
  const out = messages.map((m, i): ChatMessage => {
    if (m.role !== 'system' && m.role !== 'user' && m.role !== 'assistant') throw new UnsupportedRoleError(`Messages with the role "${m.role}" are not supported.`);
    if (m.role === 'system' && i !== 0) throw new SystemMessageOrderError('A system message may only be the first message.');
    return { role: m.role, content: textOf(m.content ?? '') };
  });
  if (out.at(-1)!.role !== 'user') throw new MessageOrderError('The last message must be from the user.');
  return out;
}

function textOf(content: ChatCompletionMessageParam['content']): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content.map((p) => {
    if (p.type !== 'text') throw new ContentTypeError(`Content of type "${p.type}" is not supported: this is a text model.`);
    return p.text;
  }).join('');
}
