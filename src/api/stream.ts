/**
 * A stream of chunks pushed by the engine worker, pulled by the caller with `for await`, as web-llm's
 * streaming create() returns it.
 */
import * as Comlink from 'comlink';

/**
 * Chunks pushed by the worker, pulled by the caller. Resolves once the request has started (its
 * first chunk) and rejects if it fails before that, so an invalid request fails at create(), as in
 * web-llm. A reader that stops early (`break` out of `for await`, or `return()`) ends the request:
 * the next chunk the worker offers is refused, and the worker stops after that token. `see` is shown
 * each chunk as it arrives (before the caller reads it).
 */
export function streamOf<T>(
  start: (onChunk: (c: T) => boolean) => Promise<unknown>,
  see: (c: T) => void = () => {},
): Promise<AsyncIterable<T>> {
  const queue: T[] = [];
  let finished = false;
  let closed = false;
  let failure: { error: unknown } | undefined;
  let wake: (() => void) | undefined;
  const notify = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  const waitForNews = () =>
    new Promise<void>((r) => {
      wake = r;
    });
  start(
    Comlink.proxy((c: T) => {
      if (closed) return false;
      see(c);
      queue.push(c);
      notify();
      return true;
    }),
  ).then(
    () => {
      finished = true;
      notify();
    },
    (error: unknown) => {
      failure = { error };
      notify();
    },
  );
  async function* read(): AsyncGenerator<T, void> {
    for (;;) {
      if (queue.length > 0) {
        yield queue.shift()!;
        continue;
      }
      if (failure) throw failure.error;
      if (finished) return;
      await waitForNews();
    }
  }
  // On break, return() (even before the first read) or the end: whatever is still to come is refused.
  const iterable = closable(read(), () => {
    closed = true;
    queue.length = 0;
  });
  return (async () => {
    while (queue.length === 0 && !failure && !finished) await waitForNews();
    if (failure && queue.length === 0) throw failure.error;
    return iterable;
  })();
}

/**
 * `items` as an async iterator whose end always runs `close` once: when it finishes, fails, or is
 * left by `break` or `return()`, including a return() before the first read (an async generator's
 * own return() then skips its `finally`, so a request nobody reads would run on to its end).
 */
export function closable<T>(items: AsyncGenerator<T, void>, close: () => void): AsyncIterableIterator<T> {
  let open = true;
  const end = () => {
    if (!open) return;
    open = false;
    close();
  };
  const it: AsyncIterableIterator<T> = {
    async next() {
      try {
        const r = await items.next();
        if (r.done) end();
        return r;
      } catch (e) {
        end();
        throw e;
      }
    },
    async return() {
      end();
      await items.return(undefined);
      return { done: true, value: undefined };
    },
    [Symbol.asyncIterator]: () => it,
  };
  return it;
}
