/**
 * A remote OpenAI-compatible engine (Ollama, llama.cpp's server, vLLM, SGLang, the DeepSeek API) behind
 * the same web-llm-shaped interface as the in-browser engine, for devices that cannot run the model:
 * chat.completions.create and completions.create (streaming with server-sent events, parsed by
 * eventsource-parser; `suffix` for fill-in-the-middle where the server has it), models.list,
 * interruptGenerate (an AbortController), reload(model).
 *
 * The API key goes only to the endpoint, in the Authorization header. Every failure is a named error
 * with a message that says what to do (remote-errors below); a stream that breaks mid-answer throws
 * after the chunks that did arrive, so the caller keeps the partial answer.
 */
import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionRequestNonStreaming,
  ChatCompletionRequestStreaming,
  Completion,
  CompletionCreateParamsNonStreaming,
  CompletionCreateParamsStreaming,
  InitProgressCallback,
} from '@mlc-ai/web-llm';
import { createParser } from 'eventsource-parser';
import { named } from '../../workers/errors';
import { closable } from './stream';

/** Where the engine is and who may use it. */
export interface RemoteSettings {
  /** the API's base URL, e.g. http://localhost:11434/v1 (a URL without /v1 gets it added) */
  readonly endpoint: string;
  /** sent as "Authorization: Bearer <key>" to the endpoint only; empty: none */
  readonly apiKey?: string;
  /** the model to ask, from models.list(); empty: the server's first */
  readonly model?: string;
}

/** The server cannot be reached at all: down, a wrong address, or no network. */
export const RemoteUnreachableError = named('RemoteUnreachableError');
/** The server answered, but its CORS headers do not let this page read the answer. */
export const RemoteCorsError = named('RemoteCorsError');
/** 401 or 403: the API key is missing, wrong, or not allowed this. */
export const RemoteAuthError = named('RemoteAuthError');
/** 404: the server has no such model (or no such endpoint). */
export const RemoteNotFoundError = named('RemoteNotFoundError');
/** 429: too many requests; details.retryAfterS when the server says when to try again. */
export const RemoteRateLimitError = named<{ retryAfterS: number }>('RemoteRateLimitError');
/** 5xx: the server failed. */
export const RemoteServerError = named<{ status: number }>('RemoteServerError');
/** Any other refusal (400 and the like), with the server's own words. */
export const RemoteRequestError = named<{ status: number }>('RemoteRequestError');
/** The answer stopped before it was complete (the connection broke, or the server sent garbage). */
export const RemoteStreamError = named('RemoteStreamError');

/** chat.completions.create's overloads, as web-llm types them. */
export type ChatCreate = {
  (req: ChatCompletionRequestNonStreaming): Promise<ChatCompletion>;
  (req: ChatCompletionRequestStreaming): Promise<AsyncIterable<ChatCompletionChunk>>;
};
/** completions.create's overloads, as web-llm types them. */
export type CompletionCreate = {
  (req: CompletionCreateParamsNonStreaming): Promise<Completion>;
  (req: CompletionCreateParamsStreaming): Promise<AsyncIterable<Completion>>;
};

/** The base URL the API's paths go after: the endpoint as given, with /v1 when it has no path. */
export function apiBase(endpoint: string): string {
  let url: URL;
  try {
    url = new URL(endpoint.trim());
  } catch {
    throw new RemoteRequestError(
      `"${endpoint}" is not a URL: give the server's address, such as http://localhost:11434/v1.`,
      { status: 0 },
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new RemoteRequestError(`"${endpoint}" is not an http(s) address.`, { status: 0 });
  // trailing slashes off by a scan (a pattern like /\/+$/ is quadratic on a long run of slashes)
  let end = url.pathname.length;
  while (end > 0 && url.pathname[end - 1] === '/') end--;
  const path = url.pathname.slice(0, end);
  return `${url.origin}${path === '' ? '/v1' : path}`;
}

export class RemoteEngine {
  private running: AbortController | undefined;
  private progress: InitProgressCallback | undefined;
  private readonly base: string;
  private model: string;

  constructor(readonly settings: RemoteSettings) {
    this.base = apiBase(settings.endpoint);
    this.model = settings.model ?? '';
  }

  readonly chat = {
    completions: {
      create: ((req: ChatCompletionRequestNonStreaming | ChatCompletionRequestStreaming) =>
        this.request<ChatCompletion, ChatCompletionChunk>('/chat/completions', req, !!req.stream)) as ChatCreate,
    },
  };

  readonly completions = {
    create: ((req: CompletionCreateParamsNonStreaming | CompletionCreateParamsStreaming) =>
      this.request<Completion, Completion>('/completions', req, !!req.stream)) as CompletionCreate,
  };

  readonly models = {
    /** The server's models (GET /models): their ids are what reload() takes. */
    list: async (): Promise<{ id: string; name: string }[]> => {
      const res = await this.fetch('/models', { method: 'GET' });
      const body = (await res.json().catch(() => null)) as { data?: { id?: unknown }[] } | null;
      if (!body || !Array.isArray(body.data))
        throw new RemoteRequestError(
          `${this.base}/models did not answer with a model list: is this an OpenAI-compatible API?`,
          { status: res.status },
        );
      return body.data
        .filter((m): m is { id: string } => typeof m.id === 'string')
        .map((m) => ({ id: m.id, name: m.id }));
    },
  };

  setInitProgressCallback(cb: InitProgressCallback): void {
    this.progress = cb;
  }

  getInitProgressCallback(): InitProgressCallback | undefined {
    return this.progress;
  }

  /** Use `model` (one of models.list()); an empty id takes the server's first. Throws RemoteNotFoundError when there is no such model. */
  async reload(model: string): Promise<void> {
    const started = performance.now();
    const models = await this.models.list();
    const chosen = model ? models.find((m) => m.id === model) : models[0];
    if (!chosen)
      throw new RemoteNotFoundError(
        model
          ? `The server has no model "${model}"; it has ${models.map((m) => m.id).join(', ') || 'none'}.`
          : 'The server lists no models.',
      );
    this.model = chosen.id;
    this.progress?.({
      progress: 1,
      timeElapsed: (performance.now() - started) / 1000,
      text: `Using ${chosen.id} on ${new URL(this.base).host}`,
    });
  }

  /** The model requests go to. */
  get modelId(): string {
    return this.model;
  }

  async unload(): Promise<void> {
    this.interruptGenerate();
  }

  /** A remote server keeps no conversation of ours: nothing to forget. */
  async resetChat(): Promise<void> {}

  interruptGenerate(): void {
    this.running?.abort();
  }

  /** POST `path` with the request (our model filled in); the whole answer, or its chunks as they stream. */
  private async request<Whole, Chunk>(
    path: string,
    req: object,
    stream: boolean,
  ): Promise<Whole | AsyncIterable<Chunk>> {
    // No model chosen yet: the request's own, or the server's first (as reload('') picks).
    if (!this.model) {
      const given = (req as { model?: unknown }).model;
      if (typeof given === 'string' && given) this.model = given;
      else await this.reload('');
    }
    const abort = new AbortController();
    this.running = abort;
    // Continuing a reply (extra_body.continue_final_message): vLLM's fields at the top level; llama.cpp's
    // server continues a final assistant message by itself.
    const cont =
      (req as { extra_body?: { continue_final_message?: unknown } }).extra_body?.continue_final_message === true
        ? { continue_final_message: true, add_generation_prompt: false }
        : {};
    const body = JSON.stringify({ ...req, ...cont, model: this.model });
    const done = () => {
      if (this.running === abort) this.running = undefined;
    };
    // Stopped by interruptGenerate before or while the answer arrived: an answer that ends there,
    // as web-llm's does (finish_reason "abort"), not an error.
    const stopped = (): Whole | AsyncIterable<Chunk> => {
      done();
      const last = this.stoppedAnswer(path, stream);
      return stream
        ? closable(
            (async function* () {
              yield last as Chunk;
            })(),
            () => {},
          )
        : (last as Whole);
    };
    let res: Response;
    try {
      res = await this.fetch(path, {
        method: 'POST',
        body,
        signal: abort.signal,
        headers: { 'Content-Type': 'application/json' },
      });
    } catch (e) {
      if (abort.signal.aborted) return stopped();
      done();
      throw e;
    }
    if (!stream) {
      let whole: Whole;
      try {
        whole = (await res.json()) as Whole;
      } catch {
        if (abort.signal.aborted) return stopped();
        done();
        throw new RemoteStreamError(`${this.base}${path} sent an answer that is not JSON.`);
      }
      done();
      return whole;
    }
    // A reader that stops early (break, or return() before reading) ends the request on the server too.
    return closable(this.chunks<Chunk>(res, abort, path), () => {
      done();
      abort.abort();
    });
  }

  /** The last chunk (or the whole answer) of a request interruptGenerate stopped: finish_reason "abort". */
  private stoppedAnswer(path: string, stream: boolean): unknown {
    const created = Math.floor(Date.now() / 1000);
    const base = { id: `stopped-${created}`, created, model: this.model };
    if (path !== '/chat/completions')
      return {
        ...base,
        object: 'text_completion',
        choices: [{ index: 0, text: '', finish_reason: 'abort', logprobs: null }],
      };
    return stream
      ? {
          ...base,
          object: 'chat.completion.chunk',
          choices: [{ index: 0, delta: {}, finish_reason: 'abort', logprobs: null }],
        }
      : {
          ...base,
          object: 'chat.completion',
          choices: [{ index: 0, message: { role: 'assistant', content: '' }, finish_reason: 'abort', logprobs: null }],
        };
  }

  /**
   * The server-sent events of a streamed answer, each `data:` a chunk, until `[DONE]`. An error the
   * server sends as an event (`data: {"error": ...}`, as vLLM and others do mid-answer) throws
   * RemoteStreamError with its message; the chunks before it have been yielded.
   */
  private async *chunks<Chunk>(res: Response, abort: AbortController, path: string): AsyncGenerator<Chunk, void> {
    const ready: Chunk[] = [];
    let done = false;
    let bad: Error | undefined;
    const host = new URL(this.base).host;
    const parser = createParser({
      onEvent: (e) => {
        if (e.data === '[DONE]') {
          done = true;
          return;
        }
        let v: unknown;
        try {
          v = JSON.parse(e.data);
        } catch {
          bad ??= new RemoteStreamError(`${this.base}${path} sent a chunk that is not JSON: ${e.data.slice(0, 80)}`);
          return;
        }
        const said = streamedError(v);
        if (said !== null)
          bad ??= new RemoteStreamError(`${host} reported an error during the answer: ${said}. What arrived is kept.`);
        else if (!bad) ready.push(v as Chunk);
      },
    });
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    try {
      for (;;) {
        let r: ReadableStreamReadResult<string>;
        try {
          r = await reader.read();
        } catch (e) {
          // interrupted: the answer ends here, as the device engine's does
          if (abort.signal.aborted) {
            yield this.stoppedAnswer(path, true) as Chunk;
            return;
          }
          throw new RemoteStreamError(
            `The answer from ${host} broke off: ${(e as Error).message}. What arrived is kept.`,
          );
        }
        if (r.value) parser.feed(r.value);
        while (ready.length) yield ready.shift()!;
        if (bad) throw bad;
        if (done) return;
        if (r.done)
          throw new RemoteStreamError(`The answer from ${host} ended before it was complete. What arrived is kept.`);
      }
    } finally {
      if (this.running === abort) this.running = undefined;
      abort.abort(); // ended early (break): the request ends on the server too
      reader.releaseLock();
    }
  }

  /** fetch with the key, every failure turned into a named error. */
  private async fetch(path: string, init: RequestInit): Promise<Response> {
    const url = `${this.base}${path}`;
    const headers = new Headers(init.headers);
    if (this.settings.apiKey) headers.set('Authorization', `Bearer ${this.settings.apiKey}`);
    let res: Response;
    try {
      res = await fetch(url, { ...init, headers, credentials: 'omit', cache: 'no-store' });
    } catch (e) {
      if (init.signal?.aborted) throw e;
      throw await unreachable(url, e as Error);
    }
    if (res.ok) return res;
    const said = await serverMessage(res);
    const where = new URL(this.base).host;
    switch (true) {
      case res.status === 401 || res.status === 403:
        throw new RemoteAuthError(`${where} refused the request (${res.status}): check the API key.${said}`);
      case res.status === 404:
        throw new RemoteNotFoundError(
          path === '/models'
            ? `${url} does not exist: is ${this.base} the API's address (often ending in /v1)?${said}`
            : `${where} has no model "${this.model}" (404). Pick one from its list.${said}`,
        );
      case res.status === 429: {
        const retryAfterS = Number(res.headers.get('Retry-After')) || 0;
        throw new RemoteRateLimitError(
          `${where} is rate-limiting requests (429)${retryAfterS ? `: try again in ${retryAfterS} s` : ': try again later'}.${said}`,
          { retryAfterS },
        );
      }
      case res.status >= 500:
        throw new RemoteServerError(`${where} failed (${res.status}).${said}`, { status: res.status });
      default:
        throw new RemoteRequestError(`${where} refused the request (${res.status}).${said}`, { status: res.status });
    }
  }
}

/** The server's own error message, for the user (OpenAI's { error: { message } } or plain text). */
async function serverMessage(res: Response): Promise<string> {
  const text = (await res.text().catch(() => '')).slice(0, 2000);
  let message = text;
  try {
    const body = JSON.parse(text) as { error?: { message?: unknown } | string; message?: unknown };
    const m = typeof body.error === 'string' ? body.error : (body.error?.message ?? body.message);
    if (typeof m === 'string') message = m;
  } catch {
    // not JSON: the text as it is
  }
  message = message.trim().slice(0, 300);
  return message ? ` The server said: ${message}` : '';
}

/**
 * A fetch that failed without an answer: a CORS refusal (the server answers a no-cors request) or an
 * unreachable server (it does not).
 */
async function unreachable(url: string, e: Error): Promise<Error> {
  const host = new URL(url).host;
  const reached = await fetch(url, { mode: 'no-cors', credentials: 'omit', cache: 'no-store' }).then(
    () => true,
    () => false,
  );
  if (reached) {
    return new RemoteCorsError(
      `${host} answered, but does not allow this page (${location.origin}) to read its answers: ` +
        `its CORS settings must allow this origin (for Ollama: OLLAMA_ORIGINS=${location.origin}; llama.cpp's server and vLLM allow any origin by default or with --allowed-origins).`,
    );
  }
  const target = new URL(url).hostname;
  const local = /^(localhost|127\.|10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.|\[::1\])/.test(target);
  const here = /^(localhost|127\.|\[::1\])/.test(location.hostname);
  // Chromium asks before a public page reaches this machine or the local network (and refuses it silently when told no).
  const hint =
    local && !here
      ? ` If it is running, this browser may be keeping ${location.origin} from your local network: allow "local network access" for this site.`
      : '';
  return new RemoteUnreachableError(
    `${host} cannot be reached (${e.message}): is the server running, and is the address right?${hint}`,
  );
}

/** The message of an error a server sent as a stream event ({"error": {"message"}} or {"error": "..."}), else null. */
function streamedError(v: unknown): string | null {
  if (typeof v !== 'object' || v === null || !('error' in v) || 'choices' in v) return null;
  const e = v.error;
  if (typeof e === 'string') return e;
  if (typeof e === 'object' && e !== null && typeof (e as { message?: unknown }).message === 'string')
    return (e as { message: string }).message;
  return JSON.stringify(e).slice(0, 200);
}
