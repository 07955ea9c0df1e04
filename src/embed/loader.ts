/**
 * embed.js: adds the Lite Coder widget to any page with one classic <script> tag (so it needs no
 * CORS from the app's server). The tag's data attributes become embed.html's settings; the iframe is
 * placed after the tag (or into data-target) and sized (data-height, or "auto" to follow the content).
 * Each widget gets a small handle for the postMessage protocol: window.LiteCoderEmbed.widgets.
 */
import { envelope, PROTOCOL, type EmbedSettings, type HostMessage, type WidgetMessage } from './protocol';

type Listener = (m: WidgetMessage) => void;

export interface WidgetHandle {
  iframe: HTMLIFrameElement;
  send(m: HostMessage): void;
  prompt(text: string, id?: string): string;
  setSystemPrompt(text: string): void;
  setSettings(settings: Partial<EmbedSettings>): void;
  stop(): void;
  newChat(): void;
  /** every message of `type` ('*': all); returns the unsubscribe function */
  on(type: WidgetMessage['type'] | '*', f: Listener): () => void;
}

export interface EmbedOptions {
  /** where embed.html is served (default: next to embed.js) */
  src?: string;
  target?: Element | null;
  height?: string;
  width?: string;
  maxHeight?: number;
  /** more origins allowed to talk to the widget, besides this page's */
  allowOrigins?: string[];
  settings?: Record<string, string>;
}

/** data-* attributes that are widget settings, by their query-string names. */
const SETTINGS: Record<string, string> = {
  systemPrompt: 'systemPrompt',
  greeting: 'greeting',
  theme: 'theme',
  lang: 'lang',
  artifacts: 'artifacts',
  temperature: 'temperature',
  topP: 'top_p',
  maxTokens: 'max_tokens',
  seed: 'seed',
  // a server instead of the device (the API key only by setSettings, never in the page's markup)
  endpoint: 'endpoint',
  model: 'model',
};

export function create(opts: EmbedOptions): WidgetHandle {
  const src = new URL(opts.src ?? 'embed.html', document.baseURI);
  const widgetOrigin = src.origin;
  const params = new URLSearchParams(opts.settings);
  params.set('origins', [location.origin, ...(opts.allowOrigins ?? [])].join(','));
  src.search = params.toString();

  const iframe = document.createElement('iframe');
  iframe.src = src.href;
  iframe.title = 'Lite Coder chat';
  iframe.className = 'lite-coder-embed';
  // storage-access: the widget may ask for the app's stored model; clipboard-write: its Copy buttons.
  iframe.allow = 'storage-access; clipboard-write';
  const auto = opts.height === 'auto';
  Object.assign(iframe.style, {
    width: opts.width ?? '100%',
    height: auto ? '480px' : cssLength(opts.height ?? '600px'),
    border: '1px solid #d6dbe1',
    borderRadius: '10px',
    display: 'block',
  });

  const listeners = new Map<string, Set<Listener>>();
  window.addEventListener('message', (e) => {
    if (e.source !== iframe.contentWindow || e.origin !== widgetOrigin) return;
    const m = e.data as WidgetMessage & { protocol?: string };
    if (m?.protocol !== PROTOCOL) return;
    if (m.type === 'resize' && auto)
      iframe.style.height = `${Math.max(320, Math.min(opts.maxHeight ?? 800, m.height + 2))}px`;
    for (const key of [m.type, '*']) listeners.get(key)?.forEach((f) => f(m));
  });

  const send = (m: HostMessage) => iframe.contentWindow?.postMessage(envelope(m), widgetOrigin);
  const handle: WidgetHandle = {
    iframe,
    send,
    prompt(text, id = `p${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`) {
      send({ type: 'prompt', text, id });
      return id;
    },
    setSystemPrompt: (text) => send({ type: 'set-system-prompt', text }),
    setSettings: (settings) => send({ type: 'set-settings', settings }),
    stop: () => send({ type: 'stop' }),
    newChat: () => send({ type: 'new-chat' }),
    on(type, f) {
      const set = listeners.get(type) ?? new Set<Listener>();
      listeners.set(type, set);
      set.add(f);
      return () => set.delete(f);
    },
  };
  return handle;
}

function cssLength(v: string): string {
  return /^\d+(\.\d+)?$/.test(v) ? `${v}px` : v;
}

/** The widget for a <script src=".../embed.js" data-...> tag. */
function fromScript(script: HTMLScriptElement): WidgetHandle {
  const d = script.dataset;
  const settings: Record<string, string> = {};
  for (const [attr, name] of Object.entries(SETTINGS)) {
    const v = d[attr];
    if (v !== undefined) settings[name] = v;
  }
  const w = create({
    src: new URL('embed.html', script.src).href,
    ...(d.height ? { height: d.height } : {}),
    ...(d.width ? { width: d.width } : {}),
    ...(d.maxHeight ? { maxHeight: Number(d.maxHeight) } : {}),
    allowOrigins: (d.allowOrigins ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    settings,
  });
  const target = d.target ? document.querySelector(d.target) : null;
  if (target) target.appendChild(w.iframe);
  else script.after(w.iframe);
  return w;
}

interface LiteCoderEmbedGlobal {
  widgets: WidgetHandle[];
  create: typeof create;
}
const g = window as unknown as { LiteCoderEmbed?: LiteCoderEmbedGlobal };
const api: LiteCoderEmbedGlobal = g.LiteCoderEmbed ?? { widgets: [], create };
g.LiteCoderEmbed = api;
const me = document.currentScript;
if (me instanceof HTMLScriptElement && me.src) {
  const w = fromScript(me);
  api.widgets.push(w);
  me.dispatchEvent(new CustomEvent('lite-coder-widget', { detail: w }));
}
