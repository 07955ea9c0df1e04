/**
 * web-llm's engine interface over our worker: chat.completions.create and completions.create (async
 * iterables when streaming), interruptGenerate, reload/unload with progress, resetChat and
 * models.list. Code written against web-llm's MLCEngine works with it unchanged. It is the one door
 * to the engine for the in-page API (src/api/index.ts), the chat and the widget alike; its one
 * addition is loadedModel(), what is on the GPU now.
 */
import type {
  ChatCompletion, ChatCompletionChunk, ChatCompletionRequestNonStreaming, ChatCompletionRequestStreaming,
  Completion, CompletionCreateParamsNonStreaming, CompletionCreateParamsStreaming, InitProgressCallback,
} from '@mlc-ai/web-llm';
import type { EngineWorkerApi, LoadedModel, LoadRequest } from '../../workers/api';
import type { ModelSummary } from '../../workers/store/types';
import { Comlink, engine } from '../engine';

type Remote = Pick<Comlink.Remote<EngineWorkerApi>, 'chatCompletion' | 'completion' | 'listModels' | 'loadModel' | 'unloadModel' | 'loadedModel' | 'interruptGenerate' | 'resetChat'>;

/** A request's prefill progress: prompt tokens processed (the KV cache's reused prefix included) and the prompt's length. */
export type PrefillProgressCallback = (report: { done: number; total: number }) => void;

export class LiteCoderEngine {
  private progress: InitProgressCallback | undefined;
  private prefill: PrefillProgressCallback | undefined;

  constructor(private readonly remote: Remote = engine()) {}

  readonly chat = {
    completions: {
      create: ((req: ChatCompletionRequestNonStreaming | ChatCompletionRequestStreaming) =>
        req.stream
          ? streamOf<ChatCompletionChunk>((onChunk) => this.remote.chatCompletion(req, onChunk, this.prefillProxy()))
          : (this.remote.chatCompletion(req, undefined, this.prefillProxy()) as Promise<ChatCompletion>)) as {
        (req: ChatCompletionRequestNonStreaming): Promise<ChatCompletion>;
        (req: ChatCompletionRequestStreaming): Promise<AsyncIterable<ChatCompletionChunk>>;
      },
    },
  };

  readonly completions = {
    create: ((req: CompletionCreateParamsNonStreaming | CompletionCreateParamsStreaming) =>
      req.stream
        ? streamOf<Completion>((onChunk) => this.remote.completion(req, onChunk, this.prefillProxy()))
        : (this.remote.completion(req, undefined, this.prefillProxy()) as Promise<Completion>)) as {
      (req: CompletionCreateParamsNonStreaming): Promise<Completion>;
      (req: CompletionCreateParamsStreaming): Promise<AsyncIterable<Completion>>;
    },
  };

  readonly models = {
    list: async (): Promise<ModelSummary[]> => (await this.remote.listModels()).filter((m) => m.state === 'ready'),
  };

  setInitProgressCallback(cb: InitProgressCallback): void {
    this.progress = cb;
  }

  getInitProgressCallback(): InitProgressCallback | undefined {
    return this.progress;
  }

  /**
   * Follow the prefill of the requests made after this (a Lite Coder extension; web-llm has none): a
   * long prompt reports its progress after each step, from before the first to done = total.
   */
  setPrefillProgressCallback(cb: PrefillProgressCallback | undefined): void {
    this.prefill = cb;
  }

  private prefillProxy() {
    const cb = this.prefill;
    return cb ? Comlink.proxy((done: number, total: number) => cb({ done, total })) : undefined;
  }

  /** Load a stored model (its id from models.list()) onto the GPU. */
  async reload(modelId: string, opts: LoadRequest = {}): Promise<void> {
    const started = performance.now();
    await this.remote.loadModel(modelId, opts, Comlink.proxy((done: number, total: number) => {
      this.progress?.({ progress: done / total, timeElapsed: (performance.now() - started) / 1000, text: `Loading weights onto the GPU: ${done} of ${total}` });
    }));
  }

  unload(): Promise<void> {
    return this.remote.unloadModel();
  }

  /** The model on the GPU now (its context length, resident or paged), if any: a Lite Coder extension. */
  loadedModel(): Promise<LoadedModel | undefined> {
    return this.remote.loadedModel();
  }

  interruptGenerate(): void {
    void this.remote.interruptGenerate();
  }

  resetChat(): Promise<void> {
    return this.remote.resetChat();
  }
}

/**
 * Chunks pushed by the worker, pulled by the caller. Resolves once the request has started (its
 * first chunk) and rejects if it fails before that, so an invalid request fails at create(), as in
 * web-llm. A reader that stops early (`break` out of `for await`, or `return()`) ends the request:
 * the next chunk the worker offers is refused, and the worker stops after that token.
 */
function streamOf<T>(start: (onChunk: (c: T) => boolean) => Promise<unknown>): Promise<AsyncIterable<T>> {
  const queue: T[] = [];
  let finished = false;
  let closed = false;
  let failure: { error: unknown } | undefined;
  let wake: (() => void) | undefined;
  const notify = () => { const w = wake; wake = undefined; w?.(); };
  const waitForNews = () => new Promise<void>((r) => { wake = r; });
  start(Comlink.proxy((c: T) => {
    if (closed) return false;
    queue.push(c);
    notify();
    return true;
  })).then(
    () => { finished = true; notify(); },
    (error: unknown) => { failure = { error }; notify(); },
  );
  const iterable: AsyncIterable<T> = {
    async *[Symbol.asyncIterator]() {
      try {
        for (;;) {
          if (queue.length > 0) { yield queue.shift()!; continue; }
          if (failure) throw failure.error;
          if (finished) return;
          await waitForNews();
        }
      } finally {
        // Runs on break and return() too: whatever is still to come is refused.
        closed = true;
        queue.length = 0;
      }
    },
  };
  return (async () => {
    while (queue.length === 0 && !failure && !finished) await waitForNews();
    if (failure && queue.length === 0) throw failure.error;
    return iterable;
  })();
}
