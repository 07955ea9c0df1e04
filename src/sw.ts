/// <reference lib="webworker" />
/**
 * The service worker: it precaches the app shell (HTML, every JS/CSS chunk including the engine worker
 * and the lazily loaded highlight.js languages, icons, manifest) so the app starts offline, and serves
 * navigations from the precached index.html.
 *
 * It answers nothing else. Model weights live in IndexedDB, stored once by the app: requests to other
 * origins (Hugging Face...), Range requests, non-GET requests and .gguf files are never answered from or
 * put into Cache Storage; the browser sends them to the network as if there were no service worker.
 * The same holds for a server's API (the remote engine's /v1 requests, same-origin or not): only the
 * precached files are ever answered, so no prompt, answer or key is kept in Cache Storage.
 *
 * A new version waits until the page asks it to take over (src/pwa.ts, "Update available — Reload").
 */
import { clientsClaim } from 'workbox-core';
import { cleanupOutdatedCaches, PrecacheController, PrecacheRoute, type PrecacheEntry } from 'workbox-precaching';
import type { RouteMatchCallbackOptions } from 'workbox-core/types';
import { NavigationRoute, Route, registerRoute } from 'workbox-routing';

declare const self: ServiceWorkerGlobalScope & { __WB_MANIFEST: (PrecacheEntry | string)[] };

const precache = new PrecacheController();
precache.precache(self.__WB_MANIFEST);
cleanupOutdatedCaches();

const scopePath = new URL(self.registration.scope).pathname;

/** Only plain same-origin GETs are ever answered by the service worker. */
function mayAnswer({ request, url }: RouteMatchCallbackOptions): boolean {
  return (
    request.method === 'GET' &&
    url.origin === self.location.origin &&
    !request.headers.has('range') &&
    !/\.gguf$/i.test(url.pathname)
  );
}

// Precached files, cache-first (their URLs carry a content hash, or a revision in the manifest).
const precacheRoute = new PrecacheRoute(precache, { ignoreURLParametersMatching: [/^utm_/, /^fbclid$/] });
registerRoute(
  new Route((options): unknown => (mayAnswer(options) ? precacheRoute.match(options) : false), precacheRoute.handler),
);

// Any other navigation inside the app gets the app shell; the test harness pages and files do not.
registerRoute(
  new NavigationRoute(precache.createHandlerBoundToURL('index.html'), {
    denylist: [new RegExp(`^${scopePath.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}tests/`), /\/[^/]+\.(?!html?$)[^/.]+$/i],
  }),
);

// The first install takes the page over at once (so it works offline without a reload); an update
// waits for the user ("Update available — Reload").
clientsClaim();

self.addEventListener('message', (event: ExtendableMessageEvent) => {
  const data: unknown = event.data;
  if (typeof data === 'object' && data !== null && (data as { type?: unknown }).type === 'SKIP_WAITING')
    void self.skipWaiting();
});
