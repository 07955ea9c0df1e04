/**
 * Finds the runnable things in a model message: HTML documents or fragments, SVG images, and pages
 * the model spread over separate html/css/js blocks. Block indices come from marked's own lexer so
 * they match the chat renderer, which numbers fenced blocks in the same document order.
 */
import { lexer, walkTokens, type Token, type Tokens } from 'marked';
import {
  drawingTargets,
  elementLookups,
  externalScripts,
  firstTitle,
  isModuleScript,
  linkTexts,
  prologEnd,
  startTags,
  withoutFileNames,
  type Range,
} from './scan';

export type ArtifactKind = 'html' | 'svg' | 'page';

export interface Artifact {
  /** stable for the same message text and block, and equal for "the same" artifact in a later revision */
  id: string;
  kind: ArtifactKind;
  title: string;
  /** a complete HTML document to run */
  source: string;
  /** indices of the fenced code blocks it came from, counting every fenced block from 0 in document order */
  blocks: number[];
}

type BlockLang = 'html' | 'svg' | 'css' | 'js' | 'other';

interface Block {
  index: number;
  lang: BlockLang;
  text: string;
  /** the nearest preceding heading that says more than "HTML" or "style.css" */
  heading: string | null;
}

const FALLBACK_TITLE: Record<ArtifactKind, string> = { html: 'HTML page', svg: 'SVG image', page: 'Web page' };

/** Whether an artifact's title is the stand-in given when neither a <title> nor a heading named it. */
export function isFallbackTitle(a: Pick<Artifact, 'kind' | 'title'>): boolean {
  return a.title === FALLBACK_TITLE[a.kind];
}

export function extractArtifacts(markdown: string): Artifact[] {
  let blocks: Block[];
  try {
    blocks = fencedBlocks(markdown);
  } catch {
    return []; // marked overflows the stack on deep nesting ('>>>…'); the chat shows such text plain
  }
  const found: Omit<Artifact, 'id'>[] = [];
  const used = new Set<number>();

  const page = assemblePage(blocks);
  if (page) {
    found.push(page);
    page.blocks.forEach((i) => used.add(i));
  }
  for (const b of blocks) {
    if (used.has(b.index)) continue;
    if (b.lang === 'html') {
      const title = titleOf(b.text, b.heading, 'html');
      found.push({
        kind: 'html',
        title,
        source: isDocument(b.text) ? b.text : documentOf(title, '', b.text),
        blocks: [b.index],
      });
    } else if (b.lang === 'svg') {
      const title = titleOf(b.text, b.heading, 'svg');
      found.push({ kind: 'svg', title, source: svgPage(title, b.text), blocks: [b.index] });
    }
  }

  found.sort((a, b) => a.blocks[0]! - b.blocks[0]!);
  // Numbered within their kind, so that a revision which adds an SVG before the game still matches the game.
  const perKind: Record<ArtifactKind, number> = { html: 0, svg: 0, page: 0 };
  return found.map((a) => ({ id: `${a.kind}-${perKind[a.kind]++}`, ...a }));
}

function fencedBlocks(markdown: string): Block[] {
  const blocks: Block[] = [];
  let heading: string | null = null;
  let index = 0;
  // walkTokens descends into lists, blockquotes and tables in document order, as the renderer does.
  void walkTokens(lexer(markdown), (token: Token) => {
    if (token.type === 'heading') {
      const text = plainHeading((token as Tokens.Heading).text);
      if (!isGenericHeading(text)) heading = text;
    } else if (token.type === 'code') {
      const code = token as Tokens.Code;
      if (code.codeBlockStyle === 'indented') return;
      blocks.push({ index: index++, lang: classify(code.lang ?? '', code.text), text: code.text, heading });
    }
  });
  return blocks;
}

function classify(info: string, text: string): BlockLang {
  const lang = (info.trim().split(/\s+/)[0] ?? '').toLowerCase();
  const start = stripProlog(text).slice(0, 200).toLowerCase();
  if (lang === 'svg' || ((lang === 'xml' || lang === '') && start.startsWith('<svg'))) return 'svg';
  if (lang === 'html' || lang === 'htm' || lang === 'xhtml') return 'html';
  // Models sometimes leave the info string off a whole document; a fragment without it is too unsure.
  if (lang === '' && /^<(!doctype html|html[\s>])/.test(start)) return 'html';
  if (lang === 'css') return 'css';
  if (lang === 'js' || lang === 'javascript' || lang === 'mjs') return 'js';
  return 'other';
}

/** Drops a leading XML declaration, doctype and comments, which may precede the root element. */
function stripProlog(text: string): string {
  return text.slice(prologEnd(text));
}

function isDocument(html: string): boolean {
  return /^<(!doctype|html[\s>]|head[\s>])/i.test(stripProlog(html)) || /<body[\s>]/i.test(html);
}

// --- pages spread over several blocks -----------------------------------------------------------

const DOM_USE =
  /\b(?:document|window)\s*\.|\bgetContext\s*\(|\brequestAnimationFrame\s*\(|\bquerySelector(?:All)?\s*\(|\bgetElementBy|\baddEventListener\s*\(|\bcreateElement\s*\(|\binnerHTML\b|\balert\s*\(/;
// Server code shares the message with front-end code often enough ("and here is server.js").
const NODE_ONLY =
  /\brequire\s*\(|\bmodule\.exports\b|\bprocess\.(?:argv|env|exit|stdout)\b|\bfrom\s+['"](?:node:|fs['"]|path['"]|http['"]|express['"])/;
const LOCAL_REF = /^(?!(?:[a-z][a-z0-9+.-]*:|\/\/))/i;

/**
 * JS that touches the DOM, together with CSS or HTML of the same message, is one page. Plain-logic JS
 * joins such a page (it is usually a helper of it) but is never a page on its own.
 */
function assemblePage(blocks: Block[]): Omit<Artifact, 'id'> | null {
  const css = blocks.filter((b) => b.lang === 'css');
  const js = blocks.filter((b) => b.lang === 'js' && !NODE_ONLY.test(b.text));
  const html = blocks.filter((b) => b.lang === 'html');
  const fragments = html.filter((b) => !isDocument(b.text));
  // A document that links style.css / script.js is the skeleton the other blocks fill in.
  const skeleton = html.find(
    (b) => isDocument(b.text) && (localStylesheets(b.text).length > 0 || localScripts(b.text).length > 0),
  );
  const markup = skeleton ? [skeleton] : fragments;
  const domJs = js.some((b) => DOM_USE.test(b.text));
  const isPage = (domJs && (css.length > 0 || markup.length > 0)) || (css.length > 0 && markup.length > 0);
  if (!isPage) return null;

  const cssText = css.map((b) => b.text).join('\n\n');
  const jsText = js.map((b) => b.text).join('\n\n');
  const first = [...css, ...js, ...markup].sort((a, b) => a.index - b.index)[0]!;
  const title = titleOf(skeleton?.text ?? fragments.map((b) => b.text).join('\n'), first.heading, 'page');
  let source: string;
  if (skeleton) {
    source = fillSkeleton(skeleton.text, cssText, jsText);
  } else {
    const body = fragments.length > 0 ? fragments.map((b) => b.text).join('\n') : defaultBody(jsText);
    source = documentOf(title, `<style>\n${cssText}\n</style>`, `${body}\n${scriptTag(jsText)}`);
  }
  return {
    kind: 'page',
    title,
    source,
    blocks: [...css, ...js, ...markup].map((b) => b.index).sort((a, b) => a - b),
  };
}

function localStylesheets(html: string): Range[] {
  return startTags(html, 'link').filter((r) => {
    const tag = html.slice(r.start, r.end);
    return /\brel\s*=\s*["']?stylesheet/i.test(tag) && LOCAL_REF.test(attr(tag, 'href') ?? 'http:');
  });
}

function localScripts(html: string): Range[] {
  return externalScripts(html).filter((r) => LOCAL_REF.test(attr(html.slice(r.start, r.end), 'src') ?? 'http:'));
}

/** An attribute's value in a tag. Linear: each `name=` either matches or fails at once. */
function attr(tag: string, name: string): string | undefined {
  const m = new RegExp(`\\b${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s>]+))`, 'i').exec(tag);
  return m ? (m[1] ?? m[2] ?? m[3]) : undefined;
}

/** Puts the CSS where the first local stylesheet was linked and the JS where the first local script was. */
function fillSkeleton(doc: string, cssText: string, jsText: string): string {
  const links = localStylesheets(doc);
  const scripts = localScripts(doc);
  const style = cssText ? `<style>\n${cssText}\n</style>` : '';
  const script = jsText ? scriptTag(jsText) : '';
  // In one pass (a replace per tag would be quadratic in their number); a tag inside another's
  // stretch, which only a contrived document has, stays as it is.
  const edits = [
    ...links.map((r, i) => ({ ...r, text: i === 0 ? style : '' })),
    ...scripts.map((r, i) => ({ ...r, text: i === 0 ? script : '' })),
  ].sort((a, b) => a.start - b.start);
  let out = '';
  let at = 0;
  for (const e of edits) {
    if (e.start < at) continue;
    out += doc.slice(at, e.start) + e.text;
    at = e.end;
  }
  out += doc.slice(at);
  if (style && links.length === 0) out = insertBefore(out, /<\/head\s*>/i, style, 'start');
  if (script && scripts.length === 0) out = insertBefore(out, /<\/body\s*>/i, script, 'end');
  return out;
}

function insertBefore(doc: string, close: RegExp, text: string, fallback: 'start' | 'end'): string {
  const m = close.exec(doc);
  if (m) return doc.slice(0, m.index) + text + '\n' + doc.slice(m.index);
  return fallback === 'start' ? text + '\n' + doc : doc + '\n' + text;
}

function scriptTag(js: string): string {
  // Module syntax needs a module script; classic scripts otherwise, so that inline onclick="start()"
  // in the HTML still sees the functions the JS declares.
  return `<script${isModuleScript(js) ? ' type="module"' : ''}>\n${js.replace(/<\/script/gi, '<\\/script')}\n</script>`;
}

/**
 * The markup the JS expects when the model gave none: an element for every id it looks up (a canvas
 * when it draws on it, a button when its name says so), or a bare canvas for querySelector('canvas').
 */
function defaultBody(js: string): string {
  const ids = new Map<string, string>();
  const drawing = drawingTargets(js);
  for (const { id, variable } of elementLookups(js)) {
    if (ids.has(id)) continue;
    const drawn = (variable !== undefined && drawing.variables.has(variable)) || drawing.ids.has(id);
    ids.set(id, drawn || /canvas/i.test(id) ? 'canvas' : /btn|button/i.test(id) ? 'button' : 'div');
  }
  const parts = [...ids].map(([id, tag]) =>
    tag === 'canvas'
      ? `<canvas id="${id}" width="480" height="320"></canvas>`
      : tag === 'button'
        ? `<button id="${id}">${id.replace(/[-_]?(btn|button)$/i, '') || id}</button>`
        : `<div id="${id}"></div>`,
  );
  if (
    !parts.some((p) => p.startsWith('<canvas')) &&
    /querySelector\s*\(\s*['"]canvas['"]|getElementsByTagName\s*\(\s*['"]canvas['"]/.test(js)
  )
    parts.unshift('<canvas width="480" height="320"></canvas>');
  return parts.join('\n');
}

// --- single-block artifacts ---------------------------------------------------------------------

function documentOf(title: string, head: string, body: string): string {
  return `<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
${head}
</head>
<body>
${body}
</body>
</html>
`;
}

/** The image centred on a blank page. */
function svgPage(title: string, svg: string): string {
  const style =
    '<style>html,body{height:100%;margin:0;background:#fff}body{display:flex;align-items:center;justify-content:center}svg{max-width:100%;max-height:100vh}</style>';
  return documentOf(title, style, stripProlog(svg));
}

// --- titles -------------------------------------------------------------------------------------

function titleOf(markup: string, heading: string | null, kind: ArtifactKind): string {
  const raw = firstTitle(markup);
  const fromTag = raw !== null ? decodeEntities(raw).replace(/\s+/g, ' ').trim() : '';
  return fromTag || heading || FALLBACK_TITLE[kind];
}

function plainHeading(text: string): string {
  return decodeEntities(linkTexts(text.replace(/[*_`~]/g, '')))
    .replace(/\s+/g, ' ')
    .trim();
}

/** "HTML", "style.css", "Step 2: JavaScript", "HTML 代码" name a file, not the thing being built. */
function isGenericHeading(text: string): boolean {
  const rest = withoutFileNames(text.toLowerCase())
    .replace(/\b(?:html5?|css3?|javascript|js|svg|xml|code|files?|step|part|the|and|\d+)\b/g, '')
    .replace(/代码|文件|部分|步骤|第|步/g, '')
    .replace(/[^\p{L}\p{N}]/gu, '');
  return rest === '';
}

function decodeEntities(s: string): string {
  const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };
  return s.replace(
    /&(?:#(\d+)|#x([0-9a-f]+)|(\w+));/gi,
    (all, dec: string | undefined, hex: string | undefined, name: string | undefined) => {
      const code = dec ? Number(dec) : hex ? parseInt(hex, 16) : -1;
      if (code >= 0) return code <= 0x10ffff ? String.fromCodePoint(code) : all;
      return named[name!.toLowerCase()] ?? all;
    },
  );
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}
