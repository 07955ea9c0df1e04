/**
 * The OpenAI-shaped requests of web-llm's MLCEngineInterface, on our engine: prompt building,
 * streaming text deltas, finish reasons and usage (requests are checked by validate.ts first). Types
 * are web-llm's own.
 */
import type {
  ChatCompletion, ChatCompletionChunk, ChatCompletionFinishReason, ChatCompletionRequest, Completion, CompletionCreateParams, CompletionUsage,
} from '@mlc-ai/web-llm';
import { contextExceeded } from '../errors';
import type { Tokenizer } from '../model/tokenizer';
import { resolveSamplingParams } from '../runtime/sampling-params';
import type { Engine, GenerateResult } from './engine';
import { promptIds } from './prompts';
import type { ReplyMemory } from './replies';
import { TextStream } from './text-stream';
import { validateChatRequest, validateCompletionRequest, type GenerationFields } from './validate';

/** Usage, with the expert cache's figures beside web-llm's. */
export type Usage = CompletionUsage & {
  extra: CompletionUsage['extra'] & {
    /** prompt tokens whose KV came from the cache (prompt_tokens counts the others, as web-llm does) */
    prompt_tokens_reused: number;
    expert_hit_rate: number;
    expert_mb_read_per_token: number;
  };
};

export interface Generation {
  engine: Engine;
  tok: Tokenizer;
  modelId: string;
  signal: AbortSignal;
  /** the loaded model's recent replies, as generated */
  replies: ReplyMemory;
  /** sees the prefill's progress (engine.ts, GenerateRequest.onPrefill) */
  onPrefill?: (done: number, total: number) => void | Promise<void>;
}

/**
 * Delivers a streamed chunk; it is awaited, so across comlink a chunk is delivered before the next one
 * is sent. Returning false says the reader has gone (it broke out of its loop): the request then stops
 * after the token in progress, with finish reason "abort", and sends nothing more.
 */
export type Emit<T> = (chunk: T) => boolean | void | Promise<boolean | void>;

/** The stream's reader: `gone` once it has said it reads no more. */
interface Reader<T> { emit?: Emit<T>; gone: boolean }

async function send<T>(r: Reader<T>, chunk: T): Promise<void> {
  if (!r.emit || r.gone) return;
  if ((await r.emit(chunk)) === false) r.gone = true;
}

export async function chatCompletion(g: Generation, req: ChatCompletionRequest, emit?: Emit<ChatCompletionChunk>): Promise<ChatCompletion | undefined> {
  const ids = promptIds(g.tok, { kind: 'chat', messages: validateChatRequest(req) }, (text) => g.replies.idsOf(text));
  const id = `chatcmpl-${crypto.randomUUID()}`;
  const created = Math.floor(Date.now() / 1000);
  const chunk = (delta: ChatCompletionChunk.Choice.Delta, finish: ChatCompletionFinishReason | null): ChatCompletionChunk =>
    ({ id, object: 'chat.completion.chunk', created, model: g.modelId, choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }] });
  let first = true;
  const reader: Reader<ChatCompletionChunk> = { emit, gone: false };
  // The model's first token carries the space after "Assistant:"; the reply starts after it, so the
  // next turn's prompt ("Assistant: " + reply) gives back the ids that were generated.
  const out = await run(g, ids, req, reader, (text) => {
    const delta: ChatCompletionChunk.Choice.Delta = first ? { role: 'assistant', content: text } : { content: text };
    first = false;
    return chunk(delta, null);
  }, { trimLeadingSpace: true });
  g.replies.remember(g.tok, out.text, out.ids);
  if (emit) {
    await send(reader, chunk({}, out.finish));
    if (req.stream_options?.include_usage) await send(reader, { id, object: 'chat.completion.chunk', created, model: g.modelId, choices: [], usage: out.usage });
    return undefined;
  }
  return {
    id, object: 'chat.completion', created, model: g.modelId, usage: out.usage,
    choices: [{ index: 0, finish_reason: out.finish, logprobs: null, message: { role: 'assistant', content: out.text } }],
  };
}

/** A plain or fill-in-the-middle (with `suffix`) completion. */
export async function completion(g: Generation, req: CompletionCreateParams, emit?: Emit<Completion>): Promise<Completion | undefined> {
  validateCompletionRequest(req);
  const prompt = req.prompt as string;
  const ids = req.suffix != null ? promptIds(g.tok, { kind: 'fim', prefix: prompt, suffix: req.suffix }) : promptIds(g.tok, { kind: 'raw', text: prompt });
  const id = `cmpl-${crypto.randomUUID()}`;
  const created = Math.floor(Date.now() / 1000);
  const piece = (text: string, finish: ChatCompletionFinishReason | null): Completion =>
    ({ id, object: 'text_completion', created, model: g.modelId, choices: [{ index: 0, text, finish_reason: finish, logprobs: null }] });
  const reader: Reader<Completion> = { emit, gone: false };
  const out = await run(g, ids, req, reader, (text) => piece(text, null), { trimLeadingSpace: false });
  if (emit) {
    await send(reader, piece('', out.finish));
    if (req.stream_options?.include_usage) await send(reader, { id, object: 'text_completion', created, model: g.modelId, choices: [], usage: out.usage });
    return undefined;
  }
  return { ...piece(out.text, out.finish), usage: out.usage };
}

async function run<T>(g: Generation, prompt: number[], req: GenerationFields, reader: Reader<T>, chunkOf: (text: string) => T, o: { trimLeadingSpace: boolean }): Promise<{ text: string; ids: number[]; finish: ChatCompletionFinishReason; usage: Usage }> {
  const onText = (text: string) => send(reader, chunkOf(text));
  const sampling = resolveSamplingParams({
    ...(req.temperature != null ? { temperature: req.temperature } : {}),
    ...(req.top_p != null ? { top_p: req.top_p } : {}),
    ...(req.seed != null ? { seed: req.seed } : {}),
    ...(req.repetition_penalty != null ? { repetition_penalty: req.repetition_penalty } : {}),
  });
  const stops = req.stop == null ? [] : Array.isArray(req.stop) ? req.stop : [req.stop];
  const room = g.engine.contextLength - prompt.length;
  if (room <= 0) throw contextExceeded(prompt.length, g.engine.contextLength);
  const maxTokens = req.max_tokens ?? room;
  const text = new TextStream(g.tok.createDecoder(), stops, o.trimLeadingSpace);
  const started = performance.now();
  let firstTokenAt = 0;
  const eos = g.tok.eosId;
  const r: GenerateResult = await g.engine.generate({
    promptIds: prompt, maxTokens: Math.min(maxTokens, room), stopIds: req.ignore_eos ? [] : [eos], sampling, signal: g.signal,
    ...(g.onPrefill ? { onPrefill: g.onPrefill } : {}),
    onToken: async (id) => {
      firstTokenAt ||= performance.now();
      if (id === eos && !req.ignore_eos) return false;
      const delta = text.push(id);
      if (delta) await onText(delta);
      return text.stopped || reader.gone;
    },
  });
  const tail = text.finish();
  if (tail) await onText(tail);
  const finish: ChatCompletionFinishReason = reader.gone ? 'abort' : text.stopped || r.finishReason === 'stop' ? 'stop' : r.finishReason;
  const n = r.ids.length;
  const seconds = (ms: number) => ms / 1000;
  return {
    text: text.full,
    ids: r.ids,
    finish,
    // As web-llm counts them: the prompt tokens this request computed (those the KV cache did not hold).
    usage: {
      prompt_tokens: r.promptTokens - r.reusedTokens,
      completion_tokens: n,
      total_tokens: r.promptTokens - r.reusedTokens + n,
      extra: {
        e2e_latency_s: seconds(performance.now() - started),
        prefill_tokens_per_s: (r.promptTokens - r.reusedTokens) / Math.max(1e-9, seconds(r.prefillMs)),
        decode_tokens_per_s: n > 1 ? (n - 1) / Math.max(1e-9, seconds(r.decodeMs)) : 0,
        time_to_first_token_s: seconds((firstTokenAt || performance.now()) - started),
        time_per_output_token_s: n > 1 ? seconds(r.decodeMs) / (n - 1) : 0,
        prompt_tokens_reused: r.reusedTokens,
        expert_hit_rate: r.experts.hits + r.experts.misses > 0 ? r.experts.hits / (r.experts.hits + r.experts.misses) : 1,
        expert_mb_read_per_token: n > 0 ? r.experts.bytesRead / 1e6 / n : 0,
      },
    },
  };
}
