/**
 * A chat message's Markdown: sanitised HTML (./render), highlighted code (./highlight), a Copy button
 * per code block, and a slot per block that the caller fills (e.g. a Run button).
 */
import { render, type ComponentChildren } from 'preact';
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import { translations, useLang } from '../../i18n';
import { highlightWithin } from './highlight';
import { codeBlocks, renderMarkdown } from './render';
import './markdown.css';

const t = translations({
  en: { copy: 'Copy', copied: 'Copied' },
  zh: { copy: '复制', copied: '已复制' },
});

/**
 * While streaming, re-render at most every STREAM_RENDER_MS, or every RENDER_SHARE_INV times the last
 * render's cost if that is longer. Measured in Chromium (tests/browser/markdown.spec.ts logs it), a
 * 20 KB message takes tens of milliseconds to parse and sanitise on a slow machine: rendering on every
 * token would spend the whole main thread on the same text again and again.
 */
const STREAM_RENDER_MS = 80;
const RENDER_SHARE_INV = 4;
const COPIED_MS = 1500;

/** `value`, but while `throttling` it changes at most every `interval()` ms (and always ends on the latest). */
function useThrottled<T>(value: T, interval: () => number, throttling: boolean): T {
  const [shown, setShown] = useState(value);
  const last = useRef(0);
  useEffect(() => {
    if (!throttling) {
      last.current = performance.now();
      setShown(value);
      return;
    }
    const id = setTimeout(() => {
      last.current = performance.now();
      setShown(value);
    }, Math.max(0, last.current + interval() - performance.now()));
    return () => clearTimeout(id);
  }, [value, throttling]);
  return throttling ? shown : value;
}

export function Markdown(props: { text: string; streaming?: boolean; renderActions?: (blockIndex: number) => ComponentChildren }) {
  const lang = useLang();
  const root = useRef<HTMLDivElement>(null);
  const renderCost = useRef(0);
  const interval = () => Math.max(STREAM_RENDER_MS, RENDER_SHARE_INV * renderCost.current);
  const shown = useThrottled(props.text, interval, props.streaming === true);
  const html = useMemo(() => {
    const t0 = performance.now();
    const out = renderMarkdown(shown, { copyLabel: t('copy') });
    renderCost.current = performance.now() - t0;
    return out;
  }, [shown, lang]);
  const [copied, setCopied] = useState<number | null>(null);
  // Spans that currently hold a Preact tree from renderActions, so that replaced ones get unmounted.
  const mounted = useRef(new Set<HTMLElement>());

  // A new HTML string replaces the whole subtree: highlight it before the browser paints. Finished
  // blocks come from highlight.ts's cache, so while streaming only the growing block costs anything,
  // and renders are already throttled above.
  useLayoutEffect(() => {
    // A grammar that cannot load (offline, not cached yet) just leaves the code plain.
    if (root.current) highlightWithin(root.current).catch(() => {});
  }, [html]);

  // Every render: labels and action slots (renderActions may close over new state even when the
  // HTML is unchanged; render() into the same span diffs, so their state survives).
  useLayoutEffect(() => {
    const el = root.current;
    if (!el) return;
    for (const b of el.querySelectorAll<HTMLButtonElement>('button.code-copy')) {
      const label = Number(b.dataset.copy) === copied ? t('copied') : t('copy');
      if (b.textContent !== label) b.textContent = label;
    }
    const live = new Set<HTMLElement>();
    if (props.renderActions) {
      for (const span of el.querySelectorAll<HTMLElement>('span.code-actions[data-actions]')) {
        render(props.renderActions(Number(span.dataset.actions)), span);
        live.add(span);
      }
    }
    for (const span of mounted.current) if (!live.has(span)) render(null, span);
    mounted.current = live;
  });

  // A layout cleanup runs in the same commit as the unmount (passive ones wait for a paint).
  useLayoutEffect(() => () => {
    for (const span of mounted.current) render(null, span);
    mounted.current.clear();
  }, []);

  useEffect(() => {
    if (copied === null) return;
    const id = setTimeout(() => setCopied(null), COPIED_MS);
    return () => clearTimeout(id);
  }, [copied]);

  // Copy from the Markdown source, not the DOM: the DOM holds highlighted markup and, while
  // streaming, may lag behind the text.
  const onClick = (e: MouseEvent) => {
    const button = e.target instanceof Element ? e.target.closest('button.code-copy') : null;
    if (!(button instanceof HTMLButtonElement) || !root.current?.contains(button)) return;
    const index = Number(button.dataset.copy);
    const block = codeBlocks(props.text)[index];
    if (!block) return;
    navigator.clipboard.writeText(block.code).then(
      () => setCopied(index),
      () => setCopied(null), // denied or unavailable: the label simply stays "Copy"
    );
  };

  return <div class="markdown" ref={root} onClick={onClick} dangerouslySetInnerHTML={{ __html: html }} />;
}
