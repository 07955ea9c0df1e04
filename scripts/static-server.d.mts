/** Types of static-server.mjs (a plain JS module shared with `npm start`, the tests and the bench). */
export interface StaticServerOptions {
  root: string;
  port?: number;
  host?: string;
  /** answer Range requests (default true) */
  range?: boolean;
  /** throttle bodies to this rate (0: no limit) */
  bytesPerSecond?: number;
  /** a file under root served for paths that match nothing */
  spaFallback?: string;
  /** allow any origin */
  cors?: boolean;
  /** with cors (default true): list Content-Range, ETag, ... in Access-Control-Expose-Headers */
  exposeHeaders?: boolean;
  /** send Content-Length (default true; false: chunked bodies) */
  contentLength?: boolean;
  /** more folders served at the same paths, for files `root` lacks */
  overlays?: string[];
}

/** What a test may read or change while the server runs. */
export interface StaticServerState {
  range: boolean;
  exposeHeaders: boolean;
  contentLength: boolean;
  bytesPerSecond: number;
  /** a network drop: once this many bytes were served in all, every response is cut off */
  dropAfterBytes: number;
  bytesServed: number;
  requests: { method: string; path: string; range: string | null; status: number; bytes: number }[];
}

export interface StaticServer {
  /** the port it listens on */
  port: number;
  /** http://127.0.0.1:<port> */
  url: string;
  state: StaticServerState;
  close(): Promise<void>;
}

export function startStaticServer(opts: StaticServerOptions): Promise<StaticServer>;
