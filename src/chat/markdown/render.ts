/**
 * Model output (Markdown) to HTML that is safe to put into the app's own document.
 *
 * Two layers, so that one mistake is not enough to run model-written script:
 *  1. `markdownToHtml` builds the HTML with a renderer that never passes model text through
 *     unescaped. Raw HTML in the Markdown (block or inline) is ESCAPED, i.e. shown as text, never
 *     rendered, not even harmless tags such as `<b>`: models seldom need raw HTML, and an
 *     allowlist of "harmless" tags is exactly where sanitiser bypasses live. Link URLs must be
 *     absolute http(s) or mailto; images load nothing remote (the app is offline-first and a
 *     remote image would tell a server what the user is reading), only `data:image/` sources.
 *  2. `renderMarkdown` runs that HTML through a private DOMPurify instance with a tag and
 *     attribute allowlist that matches what the renderer emits, and nothing more.
 *
 * Layer 1 is pure (no DOM), so the Node unit tests cover it; layer 2 needs a DOM and is covered by
 * the browser tests.
 */
import DOMPurify, { type Config } from 'dompurify';
import { Marked, type Token, type Tokens } from 'marked';

export interface CodeBlock {
  index: number;
  lang: string;
  code: string;
}

export interface RenderOptions {
  /** The Copy button's label; the component passes the translated one. */
  copyLabel?: string;
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

/**
 * The first word of a fence's info string, if it looks like a language name. Anything else (a
 * Pandoc attribute block, model garbage, markup) becomes '' rather than being carried into a class.
 */
export function fenceLang(info: string | undefined): string {
  const word = (info ?? '').trim().split(/\s+/)[0]?.toLowerCase() ?? '';
  return /^[a-z0-9_#+.-]{1,32}$/.test(word) ? word : '';
}

/** `href` if it is an absolute http(s) or mailto URL (normalised), else null. */
export function safeLinkHref(href: string): string | null {
  let url: URL;
  try {
    url = new URL(href.trim());
  } catch {
    return null; // relative URLs would point into the app's own origin: no use in a chat answer
  }
  return url.protocol === 'http:' || url.protocol === 'https:' || url.protocol === 'mailto:' ? url.href : null;
}

/** Raster and SVG images as data URLs: shown inline. An SVG loaded through <img> runs no script. */
const DATA_IMAGE = /^data:image\/(?:png|jpeg|jpg|gif|webp|avif|bmp|svg\+xml)[;,]/i;

export function isDataImage(src: string): boolean {
  return DATA_IMAGE.test(src.trim());
}

function isFenced(t: Token): t is Tokens.Code {
  return t.type === 'code' && (t as Tokens.Code).codeBlockStyle !== 'indented';
}

/**
 * Fenced code tokens in document order. marked's walkTokens visits blocks in the order the parser
 * renders them (lists and blockquotes depth-first), so numbering here and in the renderer agree.
 */
function fencedTokens(md: Marked, tokens: Token[]): Tokens.Code[] {
  const out: Tokens.Code[] = [];
  void md.walkTokens(tokens, (t) => {
    if (isFenced(t)) out.push(t);
  });
  return out;
}

// The renderer reads each fenced block's number from here: filled just before parsing.
const blockIndex = new WeakMap<Tokens.Code, number>();
let copyLabel = 'Copy';

const md = new Marked({
  gfm: true,
  breaks: false,
  async: false,
  renderer: {
    html(token) {
      const text = escapeHtml(token.text);
      return token.block ? `<p class="md-raw-html">${text}</p>\n` : text;
    },
    code(token) {
      const index = blockIndex.get(token);
      const code = escapeHtml(token.text);
      if (index === undefined) return `<pre><code>${code}</code></pre>\n`; // indented block
      const lang = escapeHtml(fenceLang(token.lang));
      const cls = lang ? ` class="language-${lang}"` : '';
      return (
        `<div class="code-block" data-block="${index}" data-lang="${lang}">` +
        `<div class="code-head"><span class="code-lang">${lang}</span>` +
        `<button type="button" class="code-copy" data-copy="${index}">${escapeHtml(copyLabel)}</button>` +
        `<span class="code-actions" data-actions="${index}"></span></div>` +
        `<pre><code${cls}>${code}</code></pre></div>\n`
      );
    },
    link(token) {
      const inner = this.parser.parseInline(token.tokens);
      const href = safeLinkHref(token.href);
      if (!href) return inner;
      const title = token.title ? ` title="${escapeHtml(token.title)}"` : '';
      return `<a href="${escapeHtml(href)}"${title} target="_blank" rel="noopener noreferrer">${inner}</a>`;
    },
    image(token) {
      const alt = escapeHtml(token.text);
      const title = token.title ? ` title="${escapeHtml(token.title)}"` : '';
      if (isDataImage(token.href)) return `<img src="${escapeHtml(token.href.trim())}" alt="${alt}"${title}>`;
      // A remote image becomes a link the user may choose to open; nothing is fetched by itself.
      const href = safeLinkHref(token.href);
      const label = alt || escapeHtml(token.href);
      if (!href) return `<span class="md-image-link">${label}</span>`;
      return `<a class="md-image-link" href="${escapeHtml(href)}"${title} target="_blank" rel="noopener noreferrer">${label}</a>`;
    },
  },
});

/**
 * The whole text as plain text, for Markdown that marked fails on. It recurses once per level of
 * nesting, so model text such as 20,000 nested quotes ('>>>>…') or emphasis markers overflows the
 * stack (RangeError); model text must never break the chat, so anything marked throws on it gets this.
 */
function plainText(markdown: string): string {
  return `<p class="md-raw-html">${escapeHtml(markdown)}</p>\n`;
}

/** Fenced code blocks with the indices `renderMarkdown` gives them (`data-block`, `data-copy`). */
export function codeBlocks(markdown: string): CodeBlock[] {
  try {
    return fencedTokens(md, md.lexer(markdown)).map((t, index) => ({ index, lang: fenceLang(t.lang), code: t.text }));
  } catch {
    return []; // rendered as plainText(): no code blocks
  }
}

/**
 * The top-level blocks of a message, each ready to render on its own, with a key that determines its
 * HTML: its source, the number of its first fenced block, the link definitions (reference links are
 * resolved while lexing, so they are part of a block's meaning) and the Copy label.
 */
function blocks(markdown: string, opts: RenderOptions): { key: string; token: Token }[] {
  const tokens = md.lexer(markdown);
  const links = JSON.stringify(tokens.links);
  copyLabel = opts.copyLabel ?? 'Copy';
  let next = 0;
  return tokens.map((token) => {
    const key = `${next}\u0000${copyLabel}\u0000${links}\u0000${token.raw}`;
    for (const t of fencedTokens(md, [token])) blockIndex.set(t, next++);
    return { key, token };
  });
}

/** Layer 1: the HTML before DOMPurify. Pure; safe by construction, but always sanitise it too. */
export function markdownToHtml(markdown: string, opts: RenderOptions = {}): string {
  try {
    return blocks(markdown, opts)
      .map(({ token }) => md.parser([token]))
      .join('');
  } catch {
    return plainText(markdown);
  }
}

// Exactly what markdownToHtml emits. No id/name (DOM clobbering), no style, no event handlers.
const CONFIG: Config = {
  ALLOWED_TAGS: [
    'a',
    'blockquote',
    'br',
    'button',
    'code',
    'del',
    'div',
    'em',
    'h1',
    'h2',
    'h3',
    'h4',
    'h5',
    'h6',
    'hr',
    'img',
    'input',
    'li',
    'ol',
    'p',
    'pre',
    'span',
    'strong',
    'table',
    'tbody',
    'td',
    'th',
    'thead',
    'tr',
    'ul',
  ],
  ALLOWED_ATTR: [
    'href',
    'src',
    'title',
    'alt',
    'class',
    'target',
    'rel',
    'type',
    'checked',
    'disabled',
    'align',
    'start',
    'data-block',
    'data-lang',
    'data-copy',
    'data-actions',
  ],
  ALLOW_DATA_ATTR: false,
  ALLOW_ARIA_ATTR: false,
  // DOMPurify checks every attribute that is not "URI-safe" against ALLOWED_URI_REGEXP; these hold no
  // URL, and the strict regexp below is meant for href and src only.
  ADD_URI_SAFE_ATTR: [
    'target',
    'rel',
    'type',
    'checked',
    'disabled',
    'align',
    'start',
    'data-block',
    'data-lang',
    'data-copy',
    'data-actions',
  ],
  ALLOWED_URI_REGEXP: /^(?:https?:|mailto:|data:image\/)/i,
  RETURN_TRUSTED_TYPE: false,
};

type Purifier = typeof DOMPurify;
let purifier: Purifier | undefined;

/** A private instance, so that these hooks neither affect nor are affected by other DOMPurify users. */
function getPurifier(): Purifier {
  if (purifier) return purifier;
  if (typeof window === 'undefined')
    throw new Error('renderMarkdown needs a DOM (sanitising without one would fail open)');
  const p = DOMPurify(window);
  if (!p.isSupported) throw new Error('DOMPurify is not supported in this environment');
  // Second line of defence for URLs, with the same rules as the renderer.
  p.addHook('afterSanitizeAttributes', (node) => {
    if (node instanceof HTMLAnchorElement) {
      const href = node.getAttribute('href');
      if (href !== null && safeLinkHref(href) === null) node.removeAttribute('href');
      if (node.hasAttribute('href')) {
        node.setAttribute('target', '_blank');
        node.setAttribute('rel', 'noopener noreferrer');
      }
    } else if (node instanceof HTMLImageElement) {
      const src = node.getAttribute('src');
      if (src !== null && !isDataImage(src)) node.removeAttribute('src');
    } else if (node instanceof HTMLInputElement && node.type !== 'checkbox') {
      node.remove(); // only GFM task-list checkboxes are expected
    }
  });
  purifier = p;
  return p;
}

/**
 * Layer 2 on its own: HTML to the subset markdownToHtml emits. Exported so that the browser tests
 * can check it against raw attack HTML, independently of layer 1. Needs a DOM.
 */
export function sanitizeHtml(html: string): string {
  return getPurifier().sanitize(html, CONFIG);
}

/**
 * Several blocks in one DOMPurify pass (each call has a fixed cost that dominates small blocks),
 * split again by a wrapper div per block. Should a block not nest cleanly, so that the wrappers do
 * not come back one per block, each is sanitised on its own instead.
 */
function sanitizeBlocks(htmls: string[]): string[] {
  if (htmls.length <= 1) return htmls.map(sanitizeHtml);
  const body = getPurifier().sanitize(htmls.map((h) => `<div>${h}</div>`).join(''), { ...CONFIG, RETURN_DOM: true });
  const parts = [...body.childNodes];
  const clean =
    parts.length === htmls.length &&
    parts.every((n) => n instanceof Element && n.nodeName === 'DIV' && n.attributes.length === 0);
  return clean ? parts.map((n) => (n as Element).innerHTML) : htmls.map(sanitizeHtml);
}

/**
 * Sanitised HTML per top-level block. DOMPurify costs 4 to 8 times what marked does (for a 20 KB
 * message in a busy Chromium, 40 to 100 ms against 6 to 24 ms), and while a message streams only its
 * last block changes: the others come from here. Each entry is a complete, balanced fragment, so joining
 * them is the same as sanitising the whole. The last block of a text is not kept, as while streaming
 * it is a different string every time. Least recently used out first.
 */
const CACHE_LIMIT = 2000;
const cache = new Map<string, string>();

function cached(key: string): string | undefined {
  const html = cache.get(key);
  if (html !== undefined) {
    cache.delete(key);
    cache.set(key, html);
  }
  return html;
}

function remember(key: string, html: string): void {
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value ?? '');
  cache.set(key, html);
}

/** Sanitised HTML of the blocks at `which` (from the cache where it can), the others left undefined. */
function blockHtml(all: { key: string; token: Token }[], which: number[]): (string | undefined)[] {
  const out = new Array<string | undefined>(all.length);
  const missing: number[] = [];
  for (const i of which) {
    out[i] = cached(all[i]!.key);
    if (out[i] === undefined) missing.push(i);
  }
  sanitizeBlocks(missing.map((i) => md.parser([all[i]!.token]))).forEach((html, j) => {
    const i = missing[j]!;
    out[i] = html;
    if (i < all.length - 1) remember(all[i]!.key, html);
  });
  return out;
}

/** Markdown to sanitised HTML, for `dangerouslySetInnerHTML`. Needs a DOM. */
export function renderMarkdown(markdown: string, opts: RenderOptions = {}): string {
  getPurifier(); // fail before any work if there is no DOM
  try {
    const all = blocks(markdown, opts);
    return blockHtml(
      all,
      all.map((_, i) => i),
    ).join('');
  } catch {
    return sanitizeHtml(plainText(markdown));
  }
}

/**
 * A top-level part of a message, keyed as renderMarkdown's blocks are: sanitised HTML, or a fenced
 * code block (its number, fenceLang() language and code) for the caller to build as DOM, as
 * code-block.ts does; either way the same markup renderMarkdown gives.
 */
export type Part =
  | { kind: 'html'; key: string; html: string }
  | { kind: 'code'; key: string; index: number; lang: string; code: string };

/** renderMarkdown's blocks as parts, with top-level fenced code left for the caller. Needs a DOM. */
export function renderParts(markdown: string, opts: RenderOptions = {}): Part[] {
  getPurifier();
  try {
    const all = blocks(markdown, opts);
    const html = blockHtml(
      all,
      all.flatMap((b, i) => (isFenced(b.token) ? [] : [i])),
    );
    return all.map(({ key, token }, i): Part =>
      isFenced(token)
        ? { kind: 'code', key, index: blockIndex.get(token)!, lang: fenceLang(token.lang), code: token.text }
        : { kind: 'html', key, html: html[i]! },
    );
  } catch {
    return [{ kind: 'html', key: `plain\u0000${markdown}`, html: sanitizeHtml(plainText(markdown)) }];
  }
}
