/**
 * The OpenAI-shaped requests of web-llm's MLCEngineInterface, on our engine: request checks, prompt
 * building, streaming text deltas, finish reasons and usage. Types are web-llm's own.
 */
import type {
  ChatCompletion, ChatCompletionChunk, ChatCompletionFinishReason, ChatCompletionMessageParam, ChatCompletionRequest,
  Completion, CompletionCreateParams, CompletionUsage,
} from '@mlc-ai/web-llm';
import type { ChatMessage } from '../model/prompt-format';
import type { Tokenizer } from '../model/tokenizer';
import { resolveSamplingParams } from '../runtime/sampling-params';
import type { Engine, GenerateResult } from './engine';
import { ConfigValueError, ContentTypeError, ContextWindowSizeExceededError, MessageOrderError, SystemMessageOrderError, UnsupportedFieldsError, UnsupportedRoleError } from './errors';
import { promptIds } from './prompts';
import { TextStream } from './text-stream';

/** Usage, with the expert cache's figures beside web-llm's. */
export type Usage = CompletionUsage & { extra: CompletionUsage['extra'] & { expert_hit_rate: number; expert_mb_read_per_token: number } };

type GenerationFields = Pick<ChatCompletionRequest, 'max_tokens' | 'temperature' | 'top_p' | 'seed' | 'stop' | 'repetition_penalty' | 'frequency_penalty' | 'presence_penalty' | 'n' | 'logit_bias' | 'logprobs' | 'ignore_eos' | 'stream' | 'stream_options'>;

export interface Generation {
  engine: Engine;
  tok: Tokenizer;
  modelId: string;
  signal: AbortSignal;
}

/** `emit` is awaited: across comlink, a chunk is delivered before the next one is sent. */
export type Emit<T> = (chunk: T) => void | Promise<void>;

export async function chatCompletion(g: Generation, req: ChatCompletionRequest, emit?: Emit<ChatCompletionChunk>): Promise<ChatCompletion | undefined> {
  if ('tools' in req && req.tools) throw new UnsupportedFieldsError('The request field "tools" is not supported by this model.');
  if (req.response_format && req.response_format.type !== 'text') throw new UnsupportedFieldsError('The request field "response_format" is not supported by this model.');
  const ids = promptIds(g.tok, { kind: 'chat', messages: chatMessages(req.messages) });
  const id = `chatcmpl-${crypto.randomUUID()}`;
  const created = Math.floor(Date.now() / 1000);
  const chunk = (delta: ChatCompletionChunk.Choice.Delta, finish: ChatCompletionFinishReason | null): ChatCompletionChunk =>
    ({ id, object: 'chat.completion.chunk', created, model: g.modelId, choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }] });
  let first = true;
  const out = await run(g, ids, req, emit && (async (text) => {
    const delta: ChatCompletionChunk.Choice.Delta = first ? { role: 'assistant', content: text } : { content: text };
    first = false;
    await emit(chunk(delta, null));
  }));
  if (emit) {
    await emit(chunk({}, out.finish));
    if (req.stream_options?.include_usage) await emit({ id, object: 'chat.completion.chunk', created, model: g.modelId, choices: [], usage: out.usage });
    return undefined;
  }
  return {
    id, object: 'chat.completion', created, model: g.modelId, usage: out.usage,
    choices: [{ index: 0, finish_reason: out.finish, logprobs: null, message: { role: 'assistant', content: out.text } }],
  };
}

/** A plain or fill-in-the-middle (with `suffix`) completion. */
export async function completion(g: Generation, req: CompletionCreateParams, emit?: Emit<Completion>): Promise<Completion | undefined> {
  if (typeof req.prompt !== 'string') throw new ContentTypeError('The prompt of a completion must be a single string.');
  if (req.echo) throw new UnsupportedFieldsError('The request field "echo" is not supported.');
  const ids = req.suffix != null ? promptIds(g.tok, { kind: 'fim', prefix: req.prompt, suffix: req.suffix }) : promptIds(g.tok, { kind: 'raw', text: req.prompt });
  const id = `cmpl-${crypto.randomUUID()}`;
  const created = Math.floor(Date.now() / 1000);
  const piece = (text: string, finish: ChatCompletionFinishReason | null): Completion =>
    ({ id, object: 'text_completion', created, model: g.modelId, choices: [{ index: 0, text, finish_reason: finish, logprobs: null }] });
  const out = await run(g, ids, req, emit && ((text) => emit(piece(text, null))));
  if (emit) {
    await emit(piece('', out.finish));
    if (req.stream_options?.include_usage) await emit({ id, object: 'text_completion', created, model: g.modelId, choices: [], usage: out.usage });
    return undefined;
  }
  return { ...piece(out.text, out.finish), usage: out.usage };
}

async function run(g: Generation, prompt: number[], req: GenerationFields, onText?: (text: string) => void | Promise<void>): Promise<{ text: string; finish: ChatCompletionFinishReason; usage: Usage }> {
  checkGenerationFields(req);
  const sampling = resolveSamplingParams({
    ...(req.temperature != null ? { temperature: req.temperature } : {}),
    ...(req.top_p != null ? { top_p: req.top_p } : {}),
    ...(req.seed != null ? { seed: req.seed } : {}),
    ...(req.repetition_penalty != null ? { repetition_penalty: req.repetition_penalty } : {}),
  });
  const stops = req.stop == null ? [] : Array.isArray(req.stop) ? req.stop : [req.stop];
  const room = g.engine.contextLength - prompt.length;
  if (room <= 0) throw new ContextWindowSizeExceededError(`The prompt is ${prompt.length} tokens, but the context on this device holds ${g.engine.contextLength}.`);
  const maxTokens = req.max_tokens ?? room;
  if (!Number.isInteger(maxTokens) || maxTokens < 1) throw new ConfigValueError(`max_tokens must be a positive integer, got ${String(req.max_tokens)}`);
  const text = new TextStream(g.tok.createDecoder(), stops);
  const started = performance.now();
  let firstTokenAt = 0;
  const eos = g.tok.eosId;
  const r: GenerateResult = await g.engine.generate({
    promptIds: prompt, maxTokens: Math.min(maxTokens, room), stopIds: req.ignore_eos ? [] : [eos], sampling, signal: g.signal,
    onToken: async (id) => {
      firstTokenAt ||= performance.now();
      if (id === eos && !req.ignore_eos) return false;
      const delta = text.push(id);
      if (delta) await onText?.(delta);
      return text.stopped;
    },
  });
  const tail = text.finish();
  if (tail) await onText?.(tail);
  const finish: ChatCompletionFinishReason = text.stopped || r.finishReason === 'stop' ? 'stop' : r.finishReason;
  const n = r.ids.length;
  const seconds = (ms: number) => ms / 1000;
  return {
    text: text.full,
    finish,
    usage: {
      prompt_tokens: r.promptTokens,
      completion_tokens: n,
      total_tokens: r.promptTokens + n,
      extra: {
        e2e_latency_s: seconds(performance.now() - started),
        prefill_tokens_per_s: (r.promptTokens - r.reusedTokens) / Math.max(1e-9, seconds(r.prefillMs)),
        decode_tokens_per_s: n > 1 ? (n - 1) / Math.max(1e-9, seconds(r.decodeMs)) : 0,
        time_to_first_token_s: seconds((firstTokenAt || performance.now()) - started),
        time_per_output_token_s: n > 1 ? seconds(r.decodeMs) / (n - 1) : 0,
        expert_hit_rate: r.experts.hits + r.experts.misses > 0 ? r.experts.hits / (r.experts.hits + r.experts.misses) : 1,
        expert_mb_read_per_token: n > 0 ? r.experts.bytesRead / 1e6 / n : 0,
      },
    },
  };
}

function checkGenerationFields(req: GenerationFields): void {
  if (req.n != null && req.n !== 1) throw new UnsupportedFieldsError('Only n = 1 is supported.');
  if (req.logprobs) throw new UnsupportedFieldsError('The request field "logprobs" is not supported.');
  if (req.logit_bias) throw new UnsupportedFieldsError('The request field "logit_bias" is not supported.');
  if (req.frequency_penalty) throw new UnsupportedFieldsError('frequency_penalty is not supported; use repetition_penalty.');
  if (req.presence_penalty) throw new UnsupportedFieldsError('presence_penalty is not supported; use repetition_penalty.');
  if (req.stream_options && !req.stream) throw new ConfigValueError('stream_options is only allowed with stream: true.');
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
