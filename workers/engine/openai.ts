/**
 * The OpenAI-shaped requests of web-llm's MLCEngineInterface, on our engine: prompt building, the
 * request's sampling (temperature, top_p, seed, penalties, logit_bias, a response format's grammar),
 * n choices, streaming text deltas with their logprobs, finish reasons and usage. Requests are checked
 * by validate.ts first. Types are web-llm's own.
 */
import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionFinishReason,
  ChatCompletionRequest,
  ChatCompletionTokenLogprob,
  Completion,
  CompletionCreateParams,
  CompletionUsage,
} from '@mlc-ai/web-llm';
import { contextExceeded } from '../errors';
import type { Tokenizer } from '../model/tokenizer';
import type { StepLogprobs } from '../runtime/sampler';
import { randomSeed, resolveSamplingParams } from '../runtime/sampling-params';
import type { Engine, GenerateResult, LogitHook, TokenConstraint } from './engine';
import type { Grammars } from './grammar';
import { promptIds } from './prompts';
import type { ReplyMemory } from './replies';
import { TextStream } from './text-stream';
import { continuesFinal, validateChatRequest, validateCompletionRequest, type GenerationFields } from './validate';

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
  /** the loaded model's grammars (response_format) */
  grammars: Grammars;
  /** the loaded model's logit processor (web-llm's LogitProcessor), if it has one */
  logitHook?: LogitHook;
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
interface Reader<T> {
  emit?: Emit<T>;
  gone: boolean;
}

async function send<T>(r: Reader<T>, chunk: T): Promise<void> {
  if (!r.emit || r.gone) return;
  if ((await r.emit(chunk)) === false) r.gone = true;
}

type Logprobs = { content: ChatCompletionTokenLogprob[] } | null;

/** One choice as generated: its text, ids, finish reason, logprobs and figures. */
interface Choice {
  /** web-llm's grammar figures (usage.extra.grammar_init_s, grammar_per_token_s), with a response format */
  grammar?: { initS: number; perTokenS: number };
  text: string;
  ids: number[];
  finish: ChatCompletionFinishReason;
  logprobs: Logprobs;
  result: GenerateResult;
  startedAt: number;
  firstTokenAt: number;
}

export async function chatCompletion(
  g: Generation,
  req: ChatCompletionRequest,
  emit?: Emit<ChatCompletionChunk>,
): Promise<ChatCompletion | undefined> {
  const continueFinal = continuesFinal(req);
  const ids = promptIds(g.tok, { kind: 'chat', messages: validateChatRequest(req, g.modelId), continueFinal }, (text) =>
    g.replies.idsOf(text),
  );
  const id = `chatcmpl-${crypto.randomUUID()}`;
  const created = Math.floor(Date.now() / 1000);
  const chunk = (
    delta: ChatCompletionChunk.Choice.Delta,
    finish: ChatCompletionFinishReason | null,
    logprobs: Logprobs,
  ): ChatCompletionChunk => ({
    id,
    object: 'chat.completion.chunk',
    created,
    model: g.modelId,
    choices: [{ index: 0, delta, finish_reason: finish, logprobs }],
  });
  let first = true;
  const reader: Reader<ChatCompletionChunk> = { emit, gone: false };
  // The model's first token carries the space after "Assistant:"; the reply starts after it, so the
  // next turn's prompt ("Assistant: " + reply) gives back the ids that were generated.
  const choices = await runChoices(
    g,
    ids,
    req,
    reader,
    (text, logprobs) => {
      const delta: ChatCompletionChunk.Choice.Delta = first ? { role: 'assistant', content: text } : { content: text };
      first = false;
      return chunk(delta, null, logprobs);
      // A continued reply keeps its first token's space: it goes on from the middle of the text.
    },
    { trimLeadingSpace: !continueFinal, constraint: () => g.grammars.constraint(req.response_format) },
  );
  for (const c of choices) g.replies.remember(g.tok, c.text, c.ids);
  const usage = usageOf(choices);
  if (emit) {
    await send(reader, chunk({}, choices[0]!.finish, null));
    if (req.stream_options?.include_usage)
      await send(reader, { id, object: 'chat.completion.chunk', created, model: g.modelId, choices: [], usage });
    return undefined;
  }
  return {
    id,
    object: 'chat.completion',
    created,
    model: g.modelId,
    usage,
    choices: choices.map((c, index) => ({
      index,
      finish_reason: c.finish,
      logprobs: c.logprobs,
      message: { role: 'assistant', content: c.text },
    })),
  };
}

/** A plain or fill-in-the-middle (with `suffix`) completion; `echo` puts the prompt before the text. */
export async function completion(
  g: Generation,
  req: CompletionCreateParams,
  emit?: Emit<Completion>,
): Promise<Completion | undefined> {
  validateCompletionRequest(req);
  const prompt = req.prompt;
  const ids =
    req.suffix != null
      ? promptIds(g.tok, { kind: 'fim', prefix: prompt, suffix: req.suffix })
      : promptIds(g.tok, { kind: 'raw', text: prompt });
  const id = `cmpl-${crypto.randomUUID()}`;
  const created = Math.floor(Date.now() / 1000);
  const piece = (
    text: string,
    finish: ChatCompletionFinishReason | null,
    logprobs: Logprobs,
    index = 0,
  ): Completion['choices'][number] => ({ index, text, finish_reason: finish, logprobs });
  const of = (choices: Completion['choices']): Completion => ({
    id,
    object: 'text_completion',
    created,
    model: g.modelId,
    choices,
  });
  const reader: Reader<Completion> = { emit, gone: false };
  let echoed = !req.echo;
  const choices = await runChoices(
    g,
    ids,
    req,
    reader,
    (text, logprobs) => {
      const shown = echoed ? text : prompt + text;
      echoed = true;
      return of([piece(shown, null, logprobs)]);
    },
    { trimLeadingSpace: false, constraint: async () => undefined },
  );
  const usage = usageOf(choices);
  if (emit) {
    await send(reader, of([piece(echoed ? '' : prompt, choices[0]!.finish, null)]));
    if (req.stream_options?.include_usage) await send(reader, { ...of([]), usage });
    return undefined;
  }
  return {
    ...of(choices.map((c, index) => piece(req.echo ? prompt + c.text : c.text, c.finish, c.logprobs, index))),
    usage,
  };
}

/** The request's `n` choices, one after another (the prompt's KV cache serves them all). */
async function runChoices<T>(
  g: Generation,
  prompt: number[],
  req: GenerationFields,
  reader: Reader<T>,
  chunkOf: (text: string, logprobs: Logprobs) => T,
  o: { trimLeadingSpace: boolean; constraint: () => Promise<TokenConstraint | undefined> },
): Promise<Choice[]> {
  const n = req.n ?? 1;
  const seed = req.seed ?? randomSeed();
  const choices: Choice[] = [];
  for (let i = 0; i < n && !g.signal.aborted; i++) {
    // each choice its own draw: seeds seed, seed + 1, ... (the same request gives the same choices)
    choices.push(
      await runOne(g, prompt, req, (seed + i) >>> 0, reader, chunkOf, o.trimLeadingSpace, await o.constraint()),
    );
  }
  return choices;
}

async function runOne<T>(
  g: Generation,
  prompt: number[],
  req: GenerationFields,
  seed: number,
  reader: Reader<T>,
  chunkOf: (text: string, logprobs: Logprobs) => T,
  trimLeadingSpace: boolean,
  constraint: TokenConstraint | undefined,
): Promise<Choice> {
  const sampling = resolveSamplingParams({
    ...(req.temperature != null ? { temperature: req.temperature } : {}),
    ...(req.top_p != null ? { top_p: req.top_p } : {}),
    ...(req.repetition_penalty != null ? { repetition_penalty: req.repetition_penalty } : {}),
    seed,
  });
  const stops = req.stop == null ? [] : Array.isArray(req.stop) ? req.stop : [req.stop];
  const room = g.engine.contextLength - prompt.length;
  if (room <= 0) throw contextExceeded(prompt.length, g.engine.contextLength);
  const maxTokens = req.max_tokens ?? room;
  const text = new TextStream(g.tok.createDecoder(), stops, trimLeadingSpace);
  const wantLogprobs = req.logprobs ? (req.top_logprobs ?? 0) : undefined;
  const entries: ChatCompletionTokenLogprob[] = [];
  let sent = 0;
  /** the logprobs of the tokens since the last chunk, for the next one */
  const pending = (): Logprobs => {
    if (wantLogprobs === undefined) return null;
    const out = entries.slice(sent);
    sent = entries.length;
    return { content: out };
  };
  const onText = (delta: string) => send(reader, chunkOf(delta, pending()));
  const startedAt = performance.now();
  let firstTokenAt = 0;
  const eos = g.tok.eosId;
  const logitBias = new Map(Object.entries(req.logit_bias ?? {}).map(([id, v]): [number, number] => [Number(id), v]));
  try {
    const result = await g.engine.generate({
      promptIds: prompt,
      maxTokens: Math.min(maxTokens, room),
      stopIds: req.ignore_eos ? [] : [eos],
      sampling,
      signal: g.signal,
      bias: { logitBias, frequency: req.frequency_penalty ?? 0, presence: req.presence_penalty ?? 0 },
      ...(constraint ? { constraint } : {}),
      ...(wantLogprobs !== undefined ? { logprobs: wantLogprobs } : {}),
      ...(g.logitHook ? { logitHook: g.logitHook } : {}),
      ...(g.onPrefill ? { onPrefill: g.onPrefill } : {}),
      latencyBreakdown: req.extra_body?.enable_latency_breakdown === true,
      onToken: async (id, lp) => {
        firstTokenAt ||= performance.now();
        if (id === eos && !req.ignore_eos) return false;
        if (lp) entries.push(tokenLogprob(g.tok, id, lp));
        const delta = text.push(id);
        if (delta) await onText(delta);
        return text.stopped || reader.gone;
      },
    });
    const tail = text.finish();
    if (tail) await onText(tail);
    const finish: ChatCompletionFinishReason = reader.gone
      ? 'abort'
      : text.stopped || result.finishReason === 'stop'
        ? 'stop'
        : result.finishReason;
    return {
      text: text.full,
      ids: result.ids,
      finish,
      logprobs: wantLogprobs === undefined ? null : { content: entries },
      result,
      startedAt,
      firstTokenAt,
      ...(constraint ? { grammar: { initS: constraint.timing.initS, perTokenS: constraint.timing.perTokenS() } } : {}),
    };
  } finally {
    constraint?.dispose();
  }
}

/** web-llm's logprob entry of a token: its text and bytes, its logprob, and the top alternatives'. */
function tokenLogprob(tok: Tokenizer, id: number, lp: StepLogprobs): ChatCompletionTokenLogprob {
  const utf8 = new TextEncoder();
  const entry = (t: number) => {
    const token = tok.decode([t]);
    return { token, bytes: Array.from(utf8.encode(token)) };
  };
  return { ...entry(id), logprob: lp.logprob, top_logprobs: lp.top.map(([t, logprob]) => ({ ...entry(t), logprob })) };
}

/** Usage over the choices: the first one's prompt (the others reuse its cache), all their tokens. */
function usageOf(choices: readonly Choice[]): Usage {
  const first = choices[0]!;
  const r = first.result;
  const computed = r.promptTokens - r.reusedTokens;
  const generated = choices.reduce((n, c) => n + c.result.ids.length, 0);
  const n = r.ids.length;
  const seconds = (ms: number) => ms / 1000;
  const experts = choices.reduce(
    (e, c) => ({
      hits: e.hits + c.result.experts.hits,
      misses: e.misses + c.result.experts.misses,
      bytes: e.bytes + c.result.experts.bytesRead,
    }),
    { hits: 0, misses: 0, bytes: 0 },
  );
  const end = performance.now();
  // As web-llm counts them: the prompt tokens this request computed (those the KV cache did not hold).
  return {
    prompt_tokens: computed,
    completion_tokens: generated,
    total_tokens: computed + generated,
    extra: {
      e2e_latency_s: seconds(end - first.startedAt),
      prefill_tokens_per_s: computed / Math.max(1e-9, seconds(r.prefillMs)),
      decode_tokens_per_s: n > 1 ? (n - 1) / Math.max(1e-9, seconds(r.decodeMs)) : 0,
      time_to_first_token_s: seconds((first.firstTokenAt || end) - first.startedAt),
      time_per_output_token_s: n > 1 ? seconds(r.decodeMs) / (n - 1) : 0,
      ...(first.grammar ? { grammar_init_s: first.grammar.initS, grammar_per_token_s: first.grammar.perTokenS } : {}),
      prompt_tokens_reused: r.reusedTokens,
      expert_hit_rate: experts.hits + experts.misses > 0 ? experts.hits / (experts.hits + experts.misses) : 1,
      expert_mb_read_per_token: generated > 0 ? experts.bytes / 1e6 / generated : 0,
      ...(r.latencyBreakdown ? { latencyBreakdown: r.latencyBreakdown } : {}),
    },
  };
}
