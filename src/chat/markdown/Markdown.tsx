/**
 * A chat message's Markdown: sanitised HTML (./render), highlighted code (./highlight), a Copy button
 * per code block, and a slot per block that the caller fills (e.g. a Run button).
 *
 * The message's top-level blocks are kept as DOM of their own: a render replaces only the blocks
 * whose source changed, and a top-level code block that grows is extended in place (code-block.ts).
 * While a message streams, that is its last block: the cost of showing more text follows the new
 * text, not the message (which is parsed again, but marked is cheap; sanitising and highlighting
 * are not, and finished blocks are neither sanitised, highlighted nor laid out again).
 */
import { render, type ComponentChildren } from 'preact';
import { memo } from 'preact/compat';
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import { translations, useLang } from '../../i18n';
import { CodeBlockView } from './code-block';
import { highlightWithin } from './highlight';
import { codeBlocks, renderParts, type Part } from './render';
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
    const id = setTimeout(
      () => {
        last.current = performance.now();
        setShown(value);
      },
      Math.max(0, last.current + interval() - performance.now()),
    );
    return () => clearTimeout(id);
  }, [value, throttling]);
  return throttling ? shown : value;
}

/** What a part of the message shows: its nodes, in order, and the Copy buttons and action slots in them. */
interface Shown {
  key: string;
  nodes: ChildNode[];
  code?: CodeBlockView;
  copies: HTMLButtonElement[];
  actions: HTMLElement[];
}

/** The nodes for a part, parsed (sanitised HTML) or built (a code block). */
function create(part: Part, copyLabel: string): Shown {
  if (part.kind === 'code') {
    const code = new CodeBlockView(part.index, part.lang, copyLabel, part.code);
    // The line break after it is render.ts's too: the same markup, text nodes included.
    return {
      key: part.key,
      nodes: [code.root, document.createTextNode('\n')],
      code,
      copies: [code.copyButton],
      actions: [code.actions],
    };
  }
  // innerHTML, as before: parsed in an element, so that no script in it could ever run.
  const box = document.createElement('div');
  box.innerHTML = part.html;
  return {
    key: part.key,
    nodes: [...box.childNodes],
    copies: [...box.querySelectorAll<HTMLButtonElement>('button.code-copy')],
    actions: [...box.querySelectorAll<HTMLElement>('span.code-actions[data-actions]')],
  };
}

/**
 * Brings root's children from `old` to `parts`, part by part: an unchanged part keeps its nodes, a
 * code block that goes on is updated in place, anything else is replaced. Returns what is shown now.
 */
function reconcile(root: HTMLElement, old: Shown[], parts: Part[], copyLabel: string): Shown[] {
  const out: Shown[] = [];
  let last: ChildNode | null = null;
  parts.forEach((part, k) => {
    const before = old[k];
    let shown: Shown;
    if (before && before.key === part.key) {
      shown = before;
    } else if (before?.code && part.kind === 'code' && before.code.continues(part.index, part.lang)) {
      before.code.update(part.code);
      shown = { ...before, key: part.key };
    } else {
      if (before) for (const n of before.nodes) n.remove();
      shown = create(part, copyLabel);
      const at = last ? last.nextSibling : root.firstChild;
      for (const n of shown.nodes) root.insertBefore(n, at);
      // Code in lists and quotes comes as HTML; highlight it as before (a grammar that cannot load leaves it plain).
      if (part.kind === 'html')
        for (const n of shown.nodes) if (n instanceof HTMLElement) highlightWithin(n).catch(() => {});
    }
    out.push(shown);
    last = shown.nodes.at(-1) ?? last;
  });
  for (const gone of old.slice(parts.length)) for (const n of gone.nodes) n.remove();
  return out;
}

interface MarkdownProps {
  text: string;
  streaming?: boolean;
  renderActions?: (blockIndex: number) => ComponentChildren;
}

/** Rendered again only when its props change (a message around it may re-render for its buttons). */
export const Markdown = memo(MarkdownBody);

function MarkdownBody(props: MarkdownProps) {
  const lang = useLang();
  const root = useRef<HTMLDivElement>(null);
  const renderCost = useRef(0);
  const interval = () => Math.max(STREAM_RENDER_MS, RENDER_SHARE_INV * renderCost.current);
  const shown = useThrottled(props.text, interval, props.streaming === true);
  const parseCost = useRef(0);
  const parts = useMemo(() => {
    const t0 = performance.now();
    const out = renderParts(shown, { copyLabel: t('copy') });
    parseCost.current = performance.now() - t0;
    return out;
  }, [shown, lang]);
  const view = useRef<Shown[]>([]);
  const [copied, setCopied] = useState<number | null>(null);
  // Spans that currently hold a Preact tree from renderActions, so that replaced ones get unmounted.
  const mounted = useRef(new Set<HTMLElement>());

  // Before the browser paints: new blocks in, highlighted (finished code comes from highlight.ts's
  // cache, growing code is extended), so that there is no flash of plain code.
  useLayoutEffect(() => {
    if (!root.current) return;
    const t0 = performance.now();
    view.current = reconcile(root.current, view.current, parts, t('copy'));
    renderCost.current = parseCost.current + performance.now() - t0;
  }, [parts]);

  // Every render: labels and action slots (renderActions may close over new state even when the
  // parts are unchanged; render() into the same span diffs, so their state survives).
  useLayoutEffect(() => {
    const live = new Set<HTMLElement>();
    for (const part of view.current) {
      for (const b of part.copies) {
        const label = Number(b.dataset.copy) === copied ? t('copied') : t('copy');
        if (b.textContent !== label) b.textContent = label;
      }
      if (props.renderActions) {
        for (const span of part.actions) {
          render(props.renderActions(Number(span.dataset.actions)), span);
          live.add(span);
        }
      }
    }
    for (const span of mounted.current) if (!live.has(span)) render(null, span);
    mounted.current = live;
  });

  // A layout cleanup runs in the same commit as the unmount (passive ones wait for a paint).
  useLayoutEffect(
    () => () => {
      for (const span of mounted.current) render(null, span);
      mounted.current.clear();
    },
    [],
  );

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

  // The children are reconcile()'s, not Preact's: it renders none here.
  return <div class="markdown" ref={root} onClick={onClick} />;
}
