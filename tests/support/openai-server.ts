/**
 * A real OpenAI-compatible server for the remote-engine tests: llama.cpp (through node-llama-cpp,
 * CPU build) generating from a fixture model, behind /v1/models, /v1/chat/completions and
 * /v1/completions (with `suffix`: fill-in-the-middle), streaming with server-sent events as llama.cpp's
 * own server does. Prompts follow DeepSeek-V2's template (llama.cpp's LLM_CHAT_TEMPLATE_DEEPSEEK_2),
 * tokenized by llama.cpp's tokenizer, so its greedy tokens can be held against the in-browser engine's.
 *
 * The failures the remote engine must name come from how this server behaves, set per test through
 * `faults`: an API key it requires (401), a rate limit (429 with Retry-After), an internal error (500),
 * a stream it cuts after N chunks, an error sent as a stream event, and CORS headers it leaves out.
 * Each request's log entry says, once it is over, how many tokens were generated and whether the
 * client went away before the end (a reader that stopped, an interrupt).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Llama, LlamaContext, LlamaModel, Token } from 'node-llama-cpp';

export interface Faults {
  /** requests need "Authorization: Bearer <apiKey>" */
  apiKey?: string;
  /** every request gets 429 with this Retry-After (seconds) */
  rateLimitS?: number;
  /** every POST gets 500 */
  fail500?: boolean;
  /** a streamed answer is cut (the socket destroyed) after this many chunks */
  breakAfterChunks?: number;
  /** a streamed answer sends this many chunks, then an error event ({"error": ...}) and [DONE], as vLLM does */
  errorAfterChunks?: number;
  /** every answer waits this long first (a busy or distant server) */
  delayMs?: number;
  /** a pause before each streamed chunk (a server slower than the tiny fixture's few ms a token) */
  chunkDelayMs?: number;
  /** no CORS headers at all: a page on another origin cannot read the answers */
  noCors?: boolean;
}

/** One request as the server saw it. */
export interface RequestLog {
  method: string;
  path: string;
  authorization: string | null;
  body: unknown;
  /** set when a generation is over: tokens generated, and whether the client closed the connection first */
  outcome?: { tokens: number; clientClosed: boolean };
}

export interface OpenAiServer {
  url: string;
  /** the model id /v1/models lists */
  model: string;
  faults: Faults;
  /** requests seen, for the tests to check what reached the server */
  requests: RequestLog[];
  close(): Promise<void>;
}

const FIM = {
  begin: '<\uFF5Cfim\u2581begin\uFF5C>',
  hole: '<\uFF5Cfim\u2581hole\uFF5C>',
  end: '<\uFF5Cfim\u2581end\uFF5C>',
};

interface ChatMessage {
  role: string;
  content: string;
}
interface Body {
  model?: string;
  messages?: ChatMessage[];
  prompt?: string;
  suffix?: string;
  stream?: boolean;
  max_tokens?: number;
  temperature?: number;
  top_p?: number;
  seed?: number;
  stop?: string | string[];
  stream_options?: { include_usage?: boolean };
}

let llama: Promise<Llama> | undefined;

/** Start the server on 127.0.0.1 with the GGUF at `modelPath` (loaded once per server). */
export async function startOpenAiServer(modelPath: string, name = 'fixture'): Promise<OpenAiServer> {
  const { getLlama, LlamaLogLevel } = await import('node-llama-cpp');
  llama ??= getLlama({ gpu: false, build: 'never', logLevel: LlamaLogLevel.error });
  const model = await (await llama).loadModel({ modelPath });
  // One thread: llama.cpp's threads spin while they wait, which a busy 2-core machine cannot afford.
  const context = await model.createContext({ contextSize: 1024, sequences: 1, threads: 1 });
  const state: OpenAiServer = { url: '', model: name, faults: {}, requests: [], close: async () => {} };
  let busy = Promise.resolve();
  const server = createServer((req, res) => {
    const work = busy
      .then(() => handle(req, res, state, model, context))
      .catch((e: unknown) => {
        if (!res.headersSent) send(res, state, 500, { error: { message: String(e) } });
        else res.destroy();
      });
    busy = work; // one generation at a time, as a one-slot server
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  state.close = async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    await context.dispose();
    await model.dispose();
  };
  return state;
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  s: OpenAiServer,
  model: LlamaModel,
  context: LlamaContext,
): Promise<void> {
  const path = new URL(req.url ?? '/', 'http://x').pathname;
  const raw = await new Promise<string>((r) => {
    let b = '';
    req.on('data', (c) => {
      b += c;
    });
    req.on('end', () => r(b));
  });
  let body: Body = {};
  try {
    body = raw ? (JSON.parse(raw) as Body) : {};
  } catch {
    return send(res, s, 400, { error: { message: 'the body is not JSON' } });
  }
  const log: RequestLog = { method: req.method ?? '', path, authorization: req.headers.authorization ?? null, body };
  s.requests.push(log);
  if (req.method === 'OPTIONS') return send(res, s, 204, null);
  const f = s.faults;
  if (f.delayMs) await new Promise((r) => setTimeout(r, f.delayMs));
  if (f.apiKey && req.headers.authorization !== `Bearer ${f.apiKey}`)
    return send(res, s, 401, { error: { message: 'Invalid API key.' } });
  if (f.rateLimitS !== undefined)
    return send(res, s, 429, { error: { message: 'Rate limit reached.' } }, { 'Retry-After': String(f.rateLimitS) });
  if (req.method === 'GET' && path === '/v1/models')
    return send(res, s, 200, { object: 'list', data: [{ id: s.model, object: 'model', owned_by: 'llama.cpp' }] });
  if (req.method !== 'POST' || (path !== '/v1/chat/completions' && path !== '/v1/completions'))
    return send(res, s, 404, { error: { message: `no route ${req.method} ${path}` } });
  if (f.fail500)
    return send(res, s, 500, { error: { message: 'The server had an error while processing your request.' } });
  if (body.model && body.model !== s.model)
    return send(res, s, 404, { error: { message: `The model \`${body.model}\` does not exist.` } });

  const chat = path === '/v1/chat/completions';
  const tokens = chat
    ? chatTokens(model, body.messages ?? [])
    : completionTokens(model, body.prompt ?? '', body.suffix);
  const id = `${chat ? 'chatcmpl' : 'cmpl'}-${Math.random().toString(36).slice(2)}`;
  const created = Math.floor(Date.now() / 1000);
  const piece = (text: string, finish: string | null) =>
    chat
      ? {
          id,
          object: 'chat.completion.chunk',
          created,
          model: s.model,
          choices: [{ index: 0, delta: text ? { content: text } : {}, finish_reason: finish }],
        }
      : {
          id,
          object: 'text_completion',
          created,
          model: s.model,
          choices: [{ index: 0, text, finish_reason: finish }],
        };
  const stops = body.stop === undefined ? [] : Array.isArray(body.stop) ? body.stop : [body.stop];
  let chunks = 0;
  if (body.stream) {
    res.writeHead(200, { ...cors(s), 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' });
  }
  let clientClosed = false;
  res.on('close', () => {
    if (!res.writableFinished) clientClosed = true;
  });
  let sentError = false;
  const out = await generate(model, context, tokens, body, stops, async (text) => {
    if (!body.stream) return !clientClosed;
    if (f.breakAfterChunks !== undefined && chunks >= f.breakAfterChunks) {
      res.destroy();
      return false;
    }
    if (f.errorAfterChunks !== undefined && chunks >= f.errorAfterChunks) {
      res.write(
        `data: ${JSON.stringify({ error: { message: 'CUDA out of memory', type: 'InternalServerError', code: 500 } })}\n\n`,
      );
      res.end('data: [DONE]\n\n');
      sentError = true;
      return false;
    }
    if (f.chunkDelayMs) await new Promise((r) => setTimeout(r, f.chunkDelayMs));
    if (res.destroyed) return false;
    chunks++;
    res.write(`data: ${JSON.stringify(piece(text, null))}\n\n`);
    return !res.destroyed;
  });
  log.outcome = { tokens: out.count, clientClosed: clientClosed && f.breakAfterChunks === undefined };
  if (res.destroyed || sentError) return;
  const usage = { prompt_tokens: tokens.length, completion_tokens: out.count, total_tokens: tokens.length + out.count };
  if (body.stream) {
    res.write(`data: ${JSON.stringify(piece('', out.finish))}\n\n`);
    if (body.stream_options?.include_usage)
      res.write(`data: ${JSON.stringify({ ...piece('', null), choices: [], usage })}\n\n`);
    res.end('data: [DONE]\n\n');
    return;
  }
  send(
    res,
    s,
    200,
    chat
      ? {
          id,
          object: 'chat.completion',
          created,
          model: s.model,
          usage,
          choices: [{ index: 0, finish_reason: out.finish, message: { role: 'assistant', content: out.text } }],
        }
      : {
          id,
          object: 'text_completion',
          created,
          model: s.model,
          usage,
          choices: [{ index: 0, text: out.text, finish_reason: out.finish }],
        },
  );
}

/** `[BOS]{system}\n\nUser: {u}\n\nAssistant: {a}[EOS]...User: {u}\n\nAssistant:` (LLM_CHAT_TEMPLATE_DEEPSEEK_2). */
function chatTokens(model: LlamaModel, messages: ChatMessage[]): Token[] {
  const out: Token[] = [model.tokens.bos!];
  let text = '';
  for (const m of messages) {
    if (m.role === 'system') text += `${m.content}\n\n`;
    else if (m.role === 'user') text += `User: ${m.content}\n\n`;
    else {
      out.push(...model.tokenize(`${text}Assistant: ${m.content}`, false), model.tokens.eos!);
      text = '';
    }
  }
  out.push(...model.tokenize(`${text}Assistant:`, false));
  return out;
}

/** A raw completion after BOS, or fill-in-the-middle with the model's FIM tokens. */
function completionTokens(model: LlamaModel, prompt: string, suffix: string | undefined): Token[] {
  if (suffix === undefined) return [model.tokens.bos!, ...model.tokenize(prompt, false)];
  const special = (t: string) => model.tokenize(t, true)[0]!;
  return [
    model.tokens.bos!,
    special(FIM.begin),
    ...model.tokenize(prompt, false),
    special(FIM.hole),
    ...model.tokenize(suffix, false),
    special(FIM.end),
  ];
}

/** Generate from `tokens` on a fresh sequence; `onText` gets each piece, false from it stops. */
async function generate(
  model: LlamaModel,
  context: LlamaContext,
  tokens: Token[],
  body: Body,
  stops: string[],
  onText: (t: string) => Promise<boolean>,
): Promise<{ text: string; count: number; finish: string }> {
  const sequence = context.getSequence();
  try {
    const max = body.max_tokens ?? 64;
    const temperature = body.temperature ?? 0;
    let text = '';
    let count = 0;
    let finish = 'length';
    const generated: Token[] = [];
    for await (const t of sequence.evaluate(tokens, {
      temperature,
      ...(temperature > 0 ? { topP: body.top_p ?? 1, seed: body.seed ?? 0 } : {}),
    })) {
      if (t === model.tokens.eos) {
        finish = 'stop';
        break;
      }
      generated.push(t);
      count++;
      let all = model.detokenize(generated);
      // a character whose bytes are not all there yet waits for the next token, as llama.cpp's server does
      const incomplete = all.endsWith('\uFFFD') && count < max;
      if (incomplete) all = all.slice(0, -1);
      let piece = all.slice(text.length);
      const stop = stops
        .map((s) => all.indexOf(s))
        .filter((i) => i >= 0)
        .sort((a, b) => a - b)[0];
      if (stop !== undefined) piece = all.slice(text.length, stop);
      text += piece;
      if (piece && !(await onText(piece))) break;
      if (stop !== undefined) {
        finish = 'stop';
        break;
      }
      if (count >= max) break;
    }
    const rest = model.detokenize(generated).slice(text.length);
    if (finish !== 'stop' && rest && !stops.some((s) => (text + rest).includes(s))) {
      text += rest;
      await onText(rest);
    }
    return { text, count, finish };
  } finally {
    void sequence.dispose();
  }
}

function cors(s: OpenAiServer): Record<string, string> {
  return s.faults.noCors
    ? {}
    : {
        'Access-Control-Allow-Origin': '*',
        'Access-Control-Allow-Headers': 'Authorization, Content-Type',
        'Access-Control-Allow-Methods': 'GET, POST, OPTIONS',
        'Access-Control-Expose-Headers': 'Retry-After',
      };
}

function send(
  res: ServerResponse,
  s: OpenAiServer,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { ...cors(s), 'Content-Type': 'application/json', ...headers });
  res.end(body === null ? '' : JSON.stringify(body));
}
