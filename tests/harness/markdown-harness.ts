/**
 * Mounts <Markdown> with text the browser test provides, on window.markdownHarness, for
 * tests/browser/markdown.spec.ts. Built as a page of its own (vite.config.ts); the app never loads it.
 */
import { h, render } from 'preact';
import { useEffect } from 'preact/hooks';
import { setLang, type Lang } from '../../src/i18n';
import { Markdown } from '../../src/chat/markdown/Markdown';
import { grammarFor, highlightWithin } from '../../src/chat/markdown/highlight';
import { markdownToHtml, renderMarkdown, sanitizeHtml } from '../../src/chat/markdown/render';

const root = document.getElementById('root') as HTMLElement;

// How many renderActions trees are mounted right now: replaced code blocks must unmount theirs.
let liveActions = 0;

function RunButton(props: { index: number }) {
  useEffect(() => {
    liveActions++;
    return () => {
      liveActions--;
    };
  }, []);
  return h('button', { type: 'button', class: 'run', 'data-run': props.index }, `Run ${props.index}`);
}

const runButton = (index: number) => h(RunButton, { index });

/** Renders (or re-renders: Preact diffs into the same instance) the component with these props. */
function mount(text: string, streaming = false, withActions = false): void {
  render(h(Markdown, { text, streaming, renderActions: withActions ? runButton : undefined }), root);
}

function unmount(): void {
  render(null, root);
}

/** renderMarkdown (block-wise, cached) and the whole text sanitised in one go: must be equal. */
function renderBothWays(text: string): [string, string] {
  return [renderMarkdown(text), sanitizeHtml(markdownToHtml(text))];
}

/** Puts raw HTML through the sanitiser alone (no Markdown renderer in front) into a .markdown div. */
function mountSanitized(html: string): void {
  unmount();
  root.innerHTML = `<div class="markdown">${sanitizeHtml(html)}</div>`;
}

function meanMs(f: () => void, runs: number): number {
  for (let i = 0; i < 3; i++) f();
  const t0 = performance.now();
  for (let i = 0; i < runs; i++) f();
  return (performance.now() - t0) / runs;
}

/**
 * Mean milliseconds for `text`: marked alone; renderMarkdown with nothing cached (a new Copy label
 * each run misses the cache); and renderMarkdown as while streaming, a few words appended each run.
 */
function timeRender(text: string, runs = 20): { parseMs: number; wholeMs: number; coldMs: number; streamMs: number } {
  let n = 0;
  const parseMs = meanMs(() => markdownToHtml(text), runs);
  const wholeMs = meanMs(() => sanitizeHtml(markdownToHtml(text)), runs);
  const coldMs = meanMs(() => renderMarkdown(text, { copyLabel: `Copy ${n++}` }), runs);
  let tail = '';
  const streamMs = meanMs(() => renderMarkdown(text + (tail += ' more words')), runs);
  return { parseMs, wholeMs, coldMs, streamMs };
}

/** Milliseconds to highlight one fresh `lang` block of `code` (grammar already loaded, cache missed). */
async function timeHighlight(code: string, lang: string): Promise<number> {
  const box = document.createElement('div');
  document.body.append(box);
  const once = async (salt: string) => {
    box.innerHTML = '<pre><code></code></pre>';
    const el = box.querySelector('code') as HTMLElement;
    el.className = `language-${lang}`;
    el.textContent = `${code}\n# ${salt}`;
    const t0 = performance.now();
    await highlightWithin(box);
    return performance.now() - t0;
  };
  await once('warm-up');
  const ms = await once(String(Math.random()));
  box.remove();
  return ms;
}

/**
 * The component's DOM as markup, with highlighting undone (code elements back to their text, the
 * hljs class and data-highlighted gone), to compare with renderMarkdown's HTML.
 */
function shownMarkup(): string {
  const el = root.querySelector('.markdown')!.cloneNode(true) as HTMLElement;
  for (const code of el.querySelectorAll('pre code')) {
    code.textContent = String(code.textContent);
    code.classList.remove('hljs');
    if (code.classList.length === 0) code.removeAttribute('class');
    code.removeAttribute('data-highlighted');
  }
  return el.innerHTML;
}

/**
 * Mounts each prefix of `text` in turn (as a stream renders it, without the throttle) and returns
 * the prefix lengths at which the component's markup differs from renderMarkdown's.
 */
function streamMismatches(text: string, step: number): number[] {
  const bad: number[] = [];
  for (let n = 0; n <= text.length; n = n < text.length ? Math.min(text.length, n + step) : n + 1) {
    render(h(Markdown, { text: text.slice(0, n) }), root);
    if (shownMarkup() !== renderMarkdown(text.slice(0, n))) bad.push(n);
  }
  return bad;
}

/** The code element's highlighted markup (its line runs unwrapped), and highlight.js's for the whole code at once. */
async function highlightedBothWays(lang: string): Promise<[string, string]> {
  const el = root.querySelector('.markdown pre code')!.cloneNode(true) as HTMLElement;
  for (const run of el.querySelectorAll('.code-lines')) run.replaceWith(...run.childNodes);
  const hljs = (await import('highlight.js/lib/core')).default;
  // Through the DOM too, so that both are serialised alike (`"` in text, not &quot;).
  const whole = document.createElement('code');
  whole.innerHTML = hljs.highlight(el.textContent ?? '', { language: grammarFor(lang)!, ignoreIllegals: true }).value;
  return [el.innerHTML, whole.innerHTML];
}

const harness = {
  mount,
  shownMarkup,
  streamMismatches,
  highlightedBothWays,
  unmount,
  mountSanitized,
  renderBothWays,
  timeRender,
  timeHighlight,
  liveActions: () => liveActions,
  setLang: (l: Lang) => setLang(l),
};
declare global {
  interface Window {
    markdownHarness: typeof harness;
  }
}
window.markdownHarness = harness;
document.body.dataset.ready = '1';
