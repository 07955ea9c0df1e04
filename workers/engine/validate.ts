/**
 * The one place requests are checked, in the worker, before anything runs: web-llm's rules
 * (postInitAndCheckFields and postInitAndCheckGenerationConfigValues in @mlc-ai/web-llm), with its
 * error names and messages, so the app, the in-page API and the widget reject a bad request alike.
 * The runtime below trusts what passes (the sampler still asserts its own invariants).
 */
import type { ChatCompletionMessageParam, ChatCompletionRequest, CompletionCreateParams } from '@mlc-ai/web-llm';
import type { ChatMessage } from '../model/prompt-format';
import {
  ConfigValueError,
  ContentTypeError,
  DependencyError,
  InvalidNumberStringError,
  InvalidResponseFormatError,
  InvalidResponseFormatGrammarError,
  InvalidResponseFormatStructuralTagError,
  InvalidStreamOptionsError,
  MessageOrderError,
  MinValueError,
  NonNegativeError,
  SeedTypeError,
  StreamingCountError,
  SystemMessageOrderError,
  UnsupportedFieldsError,
  UnsupportedModelIdError,
  UnsupportedRoleError,
  ValueRangeError,
} from '../errors';

/** The request fields that shape generation, common to chat and plain completions. */
export type GenerationFields = Pick<
  ChatCompletionRequest,
  | 'max_tokens'
  | 'temperature'
  | 'top_p'
  | 'seed'
  | 'stop'
  | 'repetition_penalty'
  | 'frequency_penalty'
  | 'presence_penalty'
  | 'n'
  | 'logit_bias'
  | 'logprobs'
  | 'top_logprobs'
  | 'ignore_eos'
  | 'stream'
  | 'stream_options'
  | 'extra_body'
>;

const given = <T>(v: T | null | undefined): v is T => v !== undefined && v !== null;

/**
 * A chat request's messages, checked (text content only, a system message only first, the last one
 * from the user), with its generation fields and response format. Throws web-llm's named errors.
 * `modelId` names the loaded model in the error `tools` get.
 */
export function validateChatRequest(req: ChatCompletionRequest, modelId: string): ChatMessage[] {
  if (req.tools) {
    // web-llm's answer for a model outside its function-calling list (none of its models are ours)
    throw new UnsupportedModelIdError(
      `${modelId} is not supported for ChatCompletionRequest.tools. Currently, models that support function calling are: ${FUNCTION_CALLING_MODELS.join(', ')}`,
    );
  }
  validateResponseFormat(req.response_format);
  const messages = chatMessages(req.messages, continuesFinal(req));
  validateGeneration(req);
  return messages;
}

/** Lite Coder runs no model with function calling; web-llm's message lists its own. */
const FUNCTION_CALLING_MODELS: readonly string[] = [];

/** A plain or fill-in-the-middle completion: a single string prompt, and its generation fields. */
export function validateCompletionRequest(req: CompletionCreateParams): void {
  if (typeof req.prompt !== 'string') throw new ContentTypeError('The prompt of a completion must be a single string.');
  if (req.echo && req.suffix != null)
    throw new UnsupportedFieldsError(
      'The following fields in CompletionCreateParams are not yet supported: \necho with suffix',
    );
  validateGeneration(req);
}

/** web-llm's rules for response_format (postInitAndCheckFields, 6.x), and OpenAI's json_schema. */
function validateResponseFormat(f: ChatCompletionRequest['response_format']): void {
  if (!f) return;
  const type = (f as { type?: string }).type;
  if (given(f.schema) && type !== 'json_object')
    throw new InvalidResponseFormatError('JSON schema is only supported with `json_object` response format.');
  const grammarMessage =
    'When ResponseFormat.type is `grammar`, ResponseFormat.grammar needs to be specified.\n' +
    'When ResponseFormat.grammar is specified, ResponseFormat.type needs to be grammar.';
  if (given(f.grammar) !== (type === 'grammar')) throw new InvalidResponseFormatGrammarError(grammarMessage);
  if (given(f.structural_tag) !== (type === 'structural_tag')) {
    throw new InvalidResponseFormatStructuralTagError(
      'When ResponseFormat.type is `structural_tag`, ResponseFormat.structural_tag needs to be specified.\n' +
        'When ResponseFormat.structural_tag is specified, ResponseFormat.type needs to be structural_tag.',
    );
  }
  const openai = (f as { json_schema?: { schema?: unknown } }).json_schema;
  if (type === 'json_schema' && !(openai && typeof openai === 'object' && given(openai.schema))) {
    throw new InvalidResponseFormatError('A `json_schema` response format needs `json_schema.schema`.');
  }
  if (type !== undefined && !['text', 'json_object', 'json_schema', 'grammar', 'structural_tag'].includes(type)) {
    throw new InvalidResponseFormatError(`Unknown response format type ${JSON.stringify(type)}.`);
  }
}

function validateGeneration(req: GenerationFields): void {
  if (req.stream && given(req.n) && req.n > 1) throw new StreamingCountError('When streaming, `n` cannot be > 1.');
  if (given(req.seed) && !Number.isInteger(req.seed))
    throw new SeedTypeError(`\`seed\` should be an integer, but got ${String(req.seed)}`);
  if (given(req.stream_options) && !req.stream)
    throw new InvalidStreamOptionsError('Only specify stream_options when stream=True.');
  // web-llm's generation config values (postInitAndCheckGenerationConfigValues)
  const range = (p: string, lo: number, hi: number, more?: string) =>
    new ValueRangeError(`Make sure ${lo} < ${p} <= ${hi}.${more ? ` ${more}` : ''}`);
  if (given(req.frequency_penalty) && !(req.frequency_penalty >= -2 && req.frequency_penalty <= 2))
    throw range('frequency_penalty', -2, 2);
  if (given(req.presence_penalty) && !(req.presence_penalty >= -2 && req.presence_penalty <= 2))
    throw range('presence_penalty', -2, 2);
  if (given(req.repetition_penalty) && !(req.repetition_penalty > 0))
    throw new MinValueError('Make sure `repetition_penalty` > 0.');
  if (given(req.max_tokens) && !(req.max_tokens > 0)) throw new MinValueError('Make sure `max_tokens` > 0.');
  if (given(req.max_tokens) && !Number.isInteger(req.max_tokens))
    throw new ConfigValueError(`max_tokens must be a positive integer, got ${String(req.max_tokens)}`);
  if (given(req.top_p) && !(req.top_p > 0 && req.top_p <= 1)) throw range('top_p', 0, 1);
  if (given(req.temperature) && !(req.temperature >= 0)) throw new NonNegativeError('Make sure temperature >= 0.');
  if (given(req.logit_bias)) {
    for (const [id, bias] of Object.entries(req.logit_bias)) {
      if (!(bias >= -100 && bias <= 100)) throw range('logit_bias', -100, 100, `Got ${bias} for tokenID ${id}`);
      if (!/^\d+$/.test(id))
        throw new InvalidNumberStringError(`Make sure logit_bias's keys to be number represented in string. Got ${id}`);
    }
  }
  if (given(req.top_logprobs)) {
    if (!req.logprobs) throw new DependencyError('top_logprobs requires logprobs to be true.');
    if (!(req.top_logprobs >= 0 && req.top_logprobs <= 5)) throw range('top_logprobs', 0, 5, `Got ${req.top_logprobs}`);
  }
  if (given(req.n) && !(Number.isInteger(req.n) && req.n >= 1)) throw new MinValueError('Make sure `n` > 0.');
}

/**
 * Whether the request continues its last message, a reply cut short: `extra_body.continue_final_message`
 * (vLLM's field, a Lite Coder extension to web-llm's request). Its last message is then the reply.
 */
export function continuesFinal(req: ChatCompletionRequest): boolean {
  return (req.extra_body as { continue_final_message?: unknown } | undefined)?.continue_final_message === true;
}

/**
 * web-llm's rules: text content only, a system message only first, and the last message from the user
 * (from the assistant when `continueFinal`).
 */
function chatMessages(messages: ChatCompletionMessageParam[], continueFinal: boolean): ChatMessage[] {
  if (messages.length === 0) throw new MessageOrderError('The request has no messages.');
  const out = messages.map((m, i): ChatMessage => {
    if (m.role !== 'system' && m.role !== 'user' && m.role !== 'assistant')
      throw new UnsupportedRoleError(`Messages with the role "${m.role}" are not supported.`);
    if (m.role === 'system' && i !== 0)
      throw new SystemMessageOrderError('A system message may only be the first message.');
    return { role: m.role, content: textOf(m.content ?? '') };
  });
  if (continueFinal) {
    if (out.at(-1)!.role !== 'assistant')
      throw new MessageOrderError('To continue a reply, the last message must be from the assistant.');
  } else if (out.at(-1)!.role !== 'user') throw new MessageOrderError('The last message must be from the user.');
  return out;
}

function textOf(content: ChatCompletionMessageParam['content']): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((p) => {
      if (p.type !== 'text')
        throw new ContentTypeError(`Content of type "${p.type}" is not supported: this is a text model.`);
      return p.text;
    })
    .join('');
}
