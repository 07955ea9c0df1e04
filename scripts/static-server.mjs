// A small static file server with HTTP Range support. It serves the built app (npm start) and, in the
// browser tests, the fixture models; the options let a test turn Range off, slow the transfer down,
// answer cross-origin requests as a CDN that exposes no headers would, and see every request the
// browser made.
import { createServer } from 'node:http';
import { createReadStream, statSync } from 'node:fs';
import { extname, join, normalize, resolve } from 'node:path';

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.wgsl': 'text/plain; charset=utf-8',
  '.map': 'application/json',
};

/**
 * `cors`: allow any origin. `exposeHeaders` (with cors, default true): list Content-Range, ETag and the
 * like in Access-Control-Expose-Headers; false hides them from scripts, as many hosts and CDNs do.
 * `contentLength` (default true): false sends bodies chunked, without Content-Length.
 * @param {{ root: string, port?: number, host?: string, range?: boolean, bytesPerSecond?: number,
 *           spaFallback?: string, cors?: boolean, exposeHeaders?: boolean, contentLength?: boolean,
 *           overlays?: string[] }} opts
 *   overlays: more folders served at the same paths, for files `root` lacks (the test harness build,
 *   dist-test/, beside the app's dist/)
 */
export function startStaticServer(opts) {
  const root = resolve(opts.root);
  const overlays = (opts.overlays ?? []).map((r) => resolve(r));
  const state = {
    range: opts.range ?? true,
    exposeHeaders: opts.exposeHeaders ?? true,
    contentLength: opts.contentLength ?? true,
    bytesPerSecond: opts.bytesPerSecond ?? 0,
    /** a network drop: once this many bytes were served in all, every response is cut off */
    dropAfterBytes: Infinity,
    bytesServed: 0,
    /** @type {{ method: string, path: string, range: string | null, status: number, bytes: number }[]} */
    requests: [],
  };
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    // As a real host: CORS headers on every answer, a preflight answered whether or not the file exists.
    const cors = opts.cors ? { 'Access-Control-Allow-Origin': '*', 'Access-Control-Allow-Headers': 'Range' } : {};
    if (opts.cors && req.method === 'OPTIONS') return end(res, 204, cors);
    let path = normalize(join(root, decodeURIComponent(url.pathname)));
    if (!path.startsWith(root)) return end(res, 403, cors);
    let st = safeStat(path);
    for (const dir of overlays) {
      if (st) break;
      path = normalize(join(dir, decodeURIComponent(url.pathname)));
      st = safeStat(path);
    }
    if (st?.isDirectory()) {
      path = join(path, 'index.html');
      st = safeStat(path);
    }
    if (!st && opts.spaFallback) {
      path = join(root, opts.spaFallback);
      st = safeStat(path);
    }
    const log = {
      method: req.method ?? 'GET',
      path: url.pathname,
      range: req.headers.range ?? null,
      status: 200,
      bytes: 0,
    };
    state.requests.push(log);
    if (!st) {
      log.status = 404;
      return end(res, 404, cors);
    }
    const headers = {
      'Content-Type': MIME[extname(path)] ?? 'application/octet-stream',
      'Last-Modified': st.mtime.toUTCString(),
      ETag: `"${st.size.toString(16)}-${Math.floor(st.mtimeMs).toString(16)}"`,
      'Cache-Control': 'no-cache',
    };
    if (opts.cors) {
      Object.assign(headers, cors);
      if (state.exposeHeaders) {
        headers['Access-Control-Expose-Headers'] = 'Content-Range, Content-Length, Accept-Ranges, ETag';
      }
    }
    if (req.method === 'OPTIONS') return end(res, 204, headers);
    let start = 0;
    let last = st.size - 1;
    if (state.range) {
      headers['Accept-Ranges'] = 'bytes';
      const m = /^bytes=(\d*)-(\d*)$/.exec(req.headers.range ?? '');
      if (m) {
        if (m[1] === '') {
          start = Math.max(0, st.size - Number(m[2]));
        } else {
          start = Number(m[1]);
          if (m[2] !== '') last = Math.min(last, Number(m[2]));
        }
        if (start > last || start >= st.size) {
          log.status = 416;
          return end(res, 416, { ...headers, 'Content-Range': `bytes */${st.size}` });
        }
        log.status = 206;
        headers['Content-Range'] = `bytes ${start}-${last}/${st.size}`;
      }
    }
    if (state.contentLength) headers['Content-Length'] = String(last - start + 1);
    res.writeHead(log.status, headers);
    if (req.method === 'HEAD') return res.end();
    const stream = createReadStream(path, { start, end: last, highWaterMark: 64 * 1024 });
    stream.on('data', (chunk) => {
      if (state.bytesServed + chunk.length > state.dropAfterBytes) {
        stream.destroy();
        res.socket?.destroy();
        return;
      }
      state.bytesServed += chunk.length;
      log.bytes += chunk.length;
      if (!res.write(chunk)) stream.pause();
      if (state.bytesPerSecond > 0) {
        stream.pause();
        setTimeout(() => stream.resume(), (chunk.length / state.bytesPerSecond) * 1000);
      }
    });
    res.on('drain', () => stream.resume());
    res.on('close', () => stream.destroy());
    stream.on('end', () => res.end());
    stream.on('error', () => res.destroy());
  });
  return new Promise((resolveStart) => {
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => {
      const addr = server.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      resolveStart({
        port,
        url: `http://${opts.host ?? '127.0.0.1'}:${port}`,
        state,
        close: () =>
          new Promise((r) => {
            server.closeAllConnections();
            server.close(() => r(undefined));
          }),
      });
    });
  });
}

function safeStat(p) {
  try {
    return statSync(p);
  } catch {
    return null;
  }
}

function end(res, status, headers = {}) {
  res.writeHead(status, headers);
  res.end();
}
