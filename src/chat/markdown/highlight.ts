/**
 * Syntax highlighting for rendered code blocks, loaded on demand: highlight.js core and each
 * language grammar are separate chunks fetched the first time a block needs them, so a chat without
 * code (and the app's first load) never downloads them.
 *
 * The highlighted HTML is produced by highlight.js from the element's textContent, which it escapes
 * itself; model text never reaches innerHTML here any other way.
 */
import type { HLJSApi, LanguageFn } from 'highlight.js';

type Loader = () => Promise<{ default: LanguageFn }>;

// Literal import() calls, so that the bundler can see and split every grammar.
const LOADERS: Record<string, Loader> = {
  javascript: () => import('highlight.js/lib/languages/javascript'),
  typescript: () => import('highlight.js/lib/languages/typescript'),
  python: () => import('highlight.js/lib/languages/python'),
  xml: () => import('highlight.js/lib/languages/xml'),
  css: () => import('highlight.js/lib/languages/css'),
  json: () => import('highlight.js/lib/languages/json'),
  bash: () => import('highlight.js/lib/languages/bash'),
  c: () => import('highlight.js/lib/languages/c'),
  cpp: () => import('highlight.js/lib/languages/cpp'),
  java: () => import('highlight.js/lib/languages/java'),
  go: () => import('highlight.js/lib/languages/go'),
  rust: () => import('highlight.js/lib/languages/rust'),
  sql: () => import('highlight.js/lib/languages/sql'),
  markdown: () => import('highlight.js/lib/languages/markdown'),
  yaml: () => import('highlight.js/lib/languages/yaml'),
  csharp: () => import('highlight.js/lib/languages/csharp'),
  php: () => import('highlight.js/lib/languages/php'),
  ruby: () => import('highlight.js/lib/languages/ruby'),
  kotlin: () => import('highlight.js/lib/languages/kotlin'),
  swift: () => import('highlight.js/lib/languages/swift'),
  diff: () => import('highlight.js/lib/languages/diff'),
};

const ALIASES: Record<string, string> = {
  js: 'javascript',
  jsx: 'javascript',
  mjs: 'javascript',
  ts: 'typescript',
  tsx: 'typescript',
  py: 'python',
  python3: 'python',
  html: 'xml',
  svg: 'xml',
  sh: 'bash',
  shell: 'bash',
  zsh: 'bash',
  console: 'bash',
  'c++': 'cpp',
  cc: 'cpp',
  hpp: 'cpp',
  h: 'c',
  golang: 'go',
  rs: 'rust',
  md: 'markdown',
  yml: 'yaml',
  cs: 'csharp',
  'c#': 'csharp',
  rb: 'ruby',
  kt: 'kotlin',
  patch: 'diff',
};

/** The grammar to load for a fence language, or undefined: unknown languages stay plain. */
export function grammarFor(lang: string): string | undefined {
  const l = lang.toLowerCase();
  const name = ALIASES[l] ?? l;
  return Object.hasOwn(LOADERS, name) ? name : undefined;
}

let core: Promise<HLJSApi> | undefined;
/** highlight.js once its chunk has loaded, for the synchronous readyGrammar(). */
let loadedCore: HLJSApi | undefined;
const grammars = new Map<string, Promise<void>>();

function loadCore(): Promise<HLJSApi> {
  if (!core) {
    core = import('highlight.js/lib/core').then((m) => (loadedCore = m.default));
    core.catch(() => {
      core = undefined;
    }); // offline before the chunk was cached: try again next time
  }
  return core;
}

/**
 * highlight.js if it and the grammar `name` (from grammarFor) are loaded, else undefined; then it
 * starts loading them, and `onLoad` runs once they are (not if they fail: the code stays plain).
 */
export function readyGrammar(name: string, onLoad: () => void): HLJSApi | undefined {
  if (loadedCore?.getLanguage(name)) return loadedCore;
  loadCore()
    .then((hljs) => loadGrammar(hljs, name))
    .then(onLoad, () => {});
  return undefined;
}

function loadGrammar(hljs: HLJSApi, name: string): Promise<void> {
  let p = grammars.get(name);
  if (!p) {
    const loader = LOADERS[name];
    p = loader ? loader().then((m) => hljs.registerLanguage(name, m.default)) : Promise.resolve();
    // A failed chunk load (offline before it was cached) leaves the block plain; try again next time.
    p.catch(() => grammars.delete(name));
    grammars.set(name, p);
  }
  return p;
}

// While a message streams, every render replaces the DOM and finished blocks come back unchanged:
// remember their highlighted HTML rather than run the grammar again. Bounded, oldest out first.
const CACHE_LIMIT = 256;
const cache = new Map<string, string>();

function highlighted(hljs: HLJSApi, name: string, code: string): string {
  const key = `${name}\u0000${code}`;
  let html = cache.get(key);
  if (html === undefined) {
    html = hljs.highlight(code, { language: name, ignoreIllegals: true }).value;
    if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value ?? '');
    cache.set(key, html);
  }
  return html;
}

function langOf(el: HTMLElement): string {
  for (const c of el.classList) if (c.startsWith('language-')) return c.slice('language-'.length);
  return '';
}

/**
 * Highlights every `pre code` under root that is not highlighted yet and whose language is known.
 * Once core and the grammars are loaded this finishes within microtasks, i.e. before the next paint,
 * so calling it right after a DOM update causes no flash of plain code.
 */
export async function highlightWithin(root: HTMLElement): Promise<void> {
  const jobs: { el: HTMLElement; name: string }[] = [];
  for (const el of root.querySelectorAll<HTMLElement>('pre code')) {
    if (el.dataset.highlighted) continue;
    const name = grammarFor(langOf(el));
    if (name) jobs.push({ el, name });
  }
  if (jobs.length === 0) return;
  const hljs = await loadCore();
  await Promise.allSettled([...new Set(jobs.map((j) => j.name))].map((n) => loadGrammar(hljs, n)));
  for (const { el, name } of jobs) {
    // The element may have been replaced by a newer render while the grammar loaded.
    if (!el.isConnected || el.dataset.highlighted || !hljs.getLanguage(name)) continue;
    el.innerHTML = highlighted(hljs, name, el.textContent ?? '');
    el.classList.add('hljs');
    el.dataset.highlighted = 'yes';
  }
}
