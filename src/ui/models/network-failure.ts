/**
 * Why a download failed with the browser's bare "Failed to fetch" (a TypeError that, by design, says
 * nothing): the page is offline, the server answered but its cross-origin rules (CORS) keep the
 * response from the page, or the server could not be reached at all.
 */

export type NetworkFailure = { kind: 'offline' | 'cors' | 'unreachable'; host: string };

/** A download that failed for `failure`'s reason (worded by the screen, in the interface language). */
export class NetworkFailureError extends Error {
  constructor(readonly failure: NetworkFailure) {
    super(`${failure.kind}: ${failure.host}`);
    this.name = 'NetworkFailureError';
  }
}

/** The messages browsers give a fetch that failed on the network or on CORS (Chromium, Firefox, Safari). */
const FETCH_FAILED = ['Failed to fetch', 'NetworkError when attempting to fetch resource', 'Load failed'];

/** Whether an error's message is (or wraps) the browser's fetch failure. */
export function isFetchFailure(message: string): boolean {
  return FETCH_FAILED.some((m) => message.includes(m));
}

/**
 * Tell the three apart for `url`: offline when the browser says so; otherwise a `no-cors` HEAD request,
 * which CORS does not apply to (its response is opaque), reaches a server that is up: then CORS refused
 * the real request. If that fails too, the server is unreachable.
 */
export async function diagnoseFetchFailure(url: string): Promise<NetworkFailure> {
  let host = url;
  try {
    host = new URL(url).host;
  } catch {
    // not a URL: name it as given
  }
  if (!navigator.onLine) return { kind: 'offline', host };
  try {
    await fetch(url, { method: 'HEAD', mode: 'no-cors', cache: 'no-store' });
    return { kind: 'cors', host };
  } catch {
    return { kind: navigator.onLine ? 'unreachable' : 'offline', host };
  }
}
