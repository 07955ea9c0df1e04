/**
 * The widget's postMessage protocol, version 1 (docs/EMBED.md is its reference). Every message in
 * either direction is an envelope { protocol: 'lite-coder-embed', version: 1, type, ... }. Pure code:
 * the widget, the loader (embed.js) and the tests share it.
 */
import { ProtocolError } from '../../workers/errors';

/** Thrown for a protocol message that is wrong (workers/errors.ts holds every error class). */
export { ProtocolError };
export const PROTOCOL = 'lite-coder-embed';
export const PROTOCOL_VERSION = 1;

/** What a host may change by postMessage or the query string. */
export interface EmbedSettings {
  systemPrompt: string;
  /** shown as the assistant's first bubble; not sent to the model */
  greeting: string;
  theme: 'auto' | 'light' | 'dark';
  lang: 'auto' | 'en' | 'zh';
  /** whether generated HTML/JS gets a Run button */
  artifacts: boolean;
  temperature: number;
  top_p: number;
  max_tokens: number;
  /** null: a fresh random seed for every reply */
  seed: number | null;
  /**
   * An OpenAI-compatible server's API address (http: or https:, e.g. http://localhost:11434/v1):
   * answers come from it instead of this device. Empty: this device's stored model.
   */
  endpoint: string;
  /** the server's model to ask (empty: its first) */
  model: string;
  /**
   * The server's API key, sent only to `endpoint`. Only by set-settings: never read from the query
   * string or a data- attribute (an address ends up in logs, history and Referer headers).
   */
  apiKey: string;
}

export type HostMessage =
  | { type: 'prompt'; id?: string; text: string }
  | { type: 'set-system-prompt'; text: string }
  | { type: 'set-settings'; settings: Partial<EmbedSettings> }
  | { type: 'stop' }
  | { type: 'new-chat' };

export type WidgetState = 'checking' | 'no-model' | 'loading' | 'ready' | 'error' | 'elsewhere';

export type WidgetMessage =
  | { type: 'ready'; state: WidgetState }
  | { type: 'status'; state: WidgetState; model?: string; progress?: number; message?: string }
  /** a reply began: to the host's prompt `id`, or (source 'user') to a message typed in the widget */
  | { type: 'start'; id: string; source: 'host' | 'user' }
  | { type: 'token'; id: string; delta: string }
  | {
      type: 'done';
      id: string;
      text: string;
      finish_reason: string;
      usage: { prompt_tokens: number; completion_tokens: number };
    }
  | { type: 'error'; id?: string; code: ErrorCode; message: string }
  /** the height (CSS pixels) the widget's content would like */
  | { type: 'resize'; height: number };

export type ErrorCode =
  | 'bad-message'
  | 'unsupported-version'
  | 'invalid-settings'
  | 'not-ready'
  | 'busy'
  | 'context-full'
  | 'generation-failed';

export type Envelope<M> = M & { protocol: typeof PROTOCOL; version: number };

export function envelope<M extends { type: string }>(m: M): Envelope<M> {
  return { protocol: PROTOCOL, version: PROTOCOL_VERSION, ...m };
}

const SETTING_KEYS: readonly (keyof EmbedSettings)[] = [
  'systemPrompt',
  'greeting',
  'theme',
  'lang',
  'artifacts',
  'temperature',
  'top_p',
  'max_tokens',
  'seed',
  'endpoint',
  'model',
  'apiKey',
];
/** Settings a query string may not carry. */
const MESSAGE_ONLY: readonly (keyof EmbedSettings)[] = ['apiKey'];

/**
 * A host's message, checked. Returns null for data that is not this protocol's at all (other
 * scripts' messages share the channel); throws ProtocolError for a protocol message that is wrong.
 */
export function parseHostMessage(data: unknown): HostMessage | null {
  if (!isRecord(data) || data.protocol !== PROTOCOL) return null;
  if (data.version !== PROTOCOL_VERSION)
    throw new ProtocolError(
      'unsupported-version',
      `This widget speaks version ${PROTOCOL_VERSION} of the protocol, not ${String(data.version)}.`,
    );
  switch (data.type) {
    case 'prompt':
      if (typeof data.text !== 'string' || !data.text.trim())
        throw new ProtocolError('bad-message', 'A prompt needs a non-empty "text".');
      if (data.id !== undefined && typeof data.id !== 'string')
        throw new ProtocolError('bad-message', 'A prompt\'s "id" must be a string.');
      return { type: 'prompt', text: data.text, ...(data.id !== undefined ? { id: data.id } : {}) };
    case 'set-system-prompt':
      if (typeof data.text !== 'string')
        throw new ProtocolError('bad-message', 'set-system-prompt needs a string "text".');
      return { type: 'set-system-prompt', text: data.text };
    case 'set-settings': {
      if (!isRecord(data.settings)) throw new ProtocolError('bad-message', 'set-settings needs a "settings" object.');
      const unknown = Object.keys(data.settings).filter((k) => !SETTING_KEYS.includes(k as keyof EmbedSettings));
      if (unknown.length)
        throw new ProtocolError(
          'invalid-settings',
          `Unknown setting${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}.`,
        );
      const raw: Record<string, string> = {};
      for (const [k, v] of Object.entries(data.settings)) {
        if (v !== null && typeof v === 'object')
          throw new ProtocolError('invalid-settings', `${k} must be a string, number or boolean, not an object.`);
        raw[k] = typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : '';
      }
      const { settings, problems } = readSettings(raw);
      if (problems.length) throw new ProtocolError('invalid-settings', problems.join(' '));
      return { type: 'set-settings', settings };
    }
    case 'stop':
    case 'new-chat':
      return { type: data.type };
    default:
      throw new ProtocolError('bad-message', `Unknown message type ${JSON.stringify(data.type)}.`);
  }
}

/**
 * Settings from strings (the query string, or a set-settings message), each checked: a bad value is
 * left out and named in `problems`, so a typo never silently changes the model's behaviour.
 */
export function readSettings(raw: Record<string, string | undefined>): {
  settings: Partial<EmbedSettings>;
  problems: string[];
} {
  const settings: Partial<EmbedSettings> = {};
  const problems: string[] = [];
  const num = (key: 'temperature' | 'top_p' | 'max_tokens', min: number, max: number, integer = false) => {
    const v = raw[key];
    if (v === undefined) return;
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n)))
      problems.push(
        `${key} must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}, not ${JSON.stringify(v)}.`,
      );
    else settings[key] = n;
  };
  if (raw.systemPrompt !== undefined) settings.systemPrompt = raw.systemPrompt;
  if (raw.greeting !== undefined) settings.greeting = raw.greeting;
  const oneOf = <T extends string>(key: 'theme' | 'lang', allowed: readonly T[]): T | undefined => {
    const v = raw[key];
    if (v === undefined) return undefined;
    if ((allowed as readonly string[]).includes(v)) return v as T;
    problems.push(`${key} must be one of ${allowed.join(', ')}, not ${JSON.stringify(v)}.`);
    return undefined;
  };
  const theme = oneOf('theme', ['auto', 'light', 'dark'] as const);
  if (theme) settings.theme = theme;
  const lang = oneOf('lang', ['auto', 'en', 'zh'] as const);
  if (lang) settings.lang = lang;
  if (raw.artifacts !== undefined) {
    const v = raw.artifacts.toLowerCase();
    if (['1', 'true', 'on', 'yes'].includes(v)) settings.artifacts = true;
    else if (['0', 'false', 'off', 'no'].includes(v)) settings.artifacts = false;
    else problems.push(`artifacts must be on or off, not ${JSON.stringify(raw.artifacts)}.`);
  }
  num('temperature', 0, 2);
  num('top_p', 0, 1);
  num('max_tokens', 1, 1 << 20, true);
  if (raw.seed !== undefined) {
    const n = Number(raw.seed);
    if (raw.seed.trim() === '' || raw.seed === 'random') settings.seed = null;
    else if (Number.isSafeInteger(n) && n >= 0) settings.seed = n;
    else problems.push(`seed must be a non-negative integer or "random", not ${JSON.stringify(raw.seed)}.`);
  }
  if (raw.endpoint !== undefined) {
    const v = raw.endpoint.trim();
    if (v === '' || /^https?:$/.test(protocolOf(v))) settings.endpoint = v;
    else
      problems.push(
        `endpoint must be an http: or https: address (or empty for this device), not ${JSON.stringify(raw.endpoint)}.`,
      );
  }
  if (raw.model !== undefined) settings.model = raw.model.trim();
  if (raw.apiKey !== undefined) settings.apiKey = raw.apiKey.trim();
  return { settings, problems };
}

/** The query string's names: the settings' own, plus `system` as a short form of systemPrompt. */
export function settingsFromQuery(params: URLSearchParams): { settings: Partial<EmbedSettings>; problems: string[] } {
  const raw: Record<string, string> = {};
  for (const key of SETTING_KEYS) {
    const v = params.get(key);
    if (v !== null && !MESSAGE_ONLY.includes(key)) raw[key] = v;
  }
  const system = params.get('system');
  if (system !== null && raw.systemPrompt === undefined) raw.systemPrompt = system;
  const read = readSettings(raw);
  for (const key of MESSAGE_ONLY) {
    if (params.has(key))
      read.problems.push(
        `${key} is not read from the address (addresses end up in logs and history): send it with set-settings.`,
      );
  }
  return read;
}

/**
 * The origins whose messages the widget obeys: the `origins` query parameter (comma-separated, set
 * by embed.js to the host page's origin), else the embedding page's origin as the browser reports it.
 */
export function allowedOrigins(params: URLSearchParams, ancestor: string | undefined): string[] {
  const listed = (params.get('origins') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const valid = listed.map(originOf).filter((o): o is string => o !== null);
  if (valid.length) return [...new Set(valid)];
  const a = ancestor ? originOf(ancestor) : null;
  return a ? [a] : [];
}

function originOf(s: string): string | null {
  try {
    const o = new URL(s).origin;
    return o === 'null' ? null : o;
  } catch {
    return null;
  }
}

/** The URL's scheme ("https:"), or '' for text that is not a URL. */
function protocolOf(s: string): string {
  try {
    return new URL(s).protocol;
  } catch {
    return '';
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
