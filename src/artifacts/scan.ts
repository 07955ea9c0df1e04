/**
 * Linear-time scanners over model-written markup and code, for artifact detection and the sandbox.
 *
 * Model output is untrusted input, and a regular expression that can backtrack hangs the tab on the
 * right text: `^(?:\s|<!--[\s\S]*?-->)*<!doctype` took seconds on 22 comments and doubled with each
 * one more. So the shapes here are found with indexOf and regular expressions that are a literal
 * followed by at most one simple run (`<link\b`, `\s*<\/script\s*>`), each started at most once per
 * position it can match from: every function is O(length of its input).
 */

const SPACE = /\s/;

/** JS's `\s` (which includes U+FEFF, the byte-order mark) for one UTF-16 unit. */
function isSpace(text: string, i: number): boolean {
  return SPACE.test(text[i]!);
}

/** Whether `text` has `word` (lower-case ASCII) at `i`, ignoring ASCII case. */
function hasWordAt(text: string, i: number, word: string): boolean {
  if (i + word.length > text.length) return false;
  for (let k = 0; k < word.length; k++) {
    const c = text.charCodeAt(i + k);
    const w = word.charCodeAt(k);
    if (c !== w && !(w >= 0x61 && w <= 0x7a && c === w - 0x20)) return false;
  }
  return true;
}

/** The end of the comment that starts at `i` (`<!--` up to the first `-->`), or -1 if it never ends. */
function commentEnd(text: string, i: number): number {
  const end = text.indexOf('-->', i + 4);
  return end < 0 ? -1 : end + 3;
}

/**
 * Where a document's root element may start: after the leading whitespace, comments, XML
 * declarations (`<?xml ... ?>`) and doctypes, in any order. 0 if there are none.
 */
export function prologEnd(text: string): number {
  let i = 0;
  for (;;) {
    if (i < text.length && isSpace(text, i)) {
      i++;
    } else if (text.startsWith('<!--', i)) {
      const end = commentEnd(text, i);
      if (end < 0) return i;
      i = end;
    } else if (hasWordAt(text, i, '<?xml')) {
      const gt = text.indexOf('>', i + 5);
      if (gt < 0 || gt - 1 < i + 5 || text[gt - 1] !== '?') return i;
      i = gt + 1;
    } else if (hasWordAt(text, i, '<!doctype')) {
      const gt = text.indexOf('>', i + 9);
      if (gt < 0) return i;
      i = gt + 1;
    } else {
      return i;
    }
  }
}

/**
 * The end of the doctype that comes first in the document, after nothing but whitespace (the BOM
 * included) and comments; 0 if the document has none there.
 */
export function leadingDoctypeEnd(text: string): number {
  let i = 0;
  for (;;) {
    if (i < text.length && isSpace(text, i)) {
      i++;
    } else if (text.startsWith('<!--', i)) {
      const end = commentEnd(text, i);
      if (end < 0) return 0;
      i = end;
    } else {
      break;
    }
  }
  if (!hasWordAt(text, i, '<!doctype')) return 0;
  const gt = text.indexOf('>', i + 9);
  return gt < 0 ? 0 : gt + 1;
}

/** A stretch of the input: [start, end). */
export interface Range {
  start: number;
  end: number;
}

/**
 * The start tags `<name ...>` of an element (any case), each up to the first `>` after it (what
 * `/<name\b[^>]*>/gi` finds, without its quadratic time on a tag that never closes). `name` is a
 * plain tag name.
 */
export function startTags(html: string, name: string): Range[] {
  const open = new RegExp(`<${name}\\b`, 'gi');
  const out: Range[] = [];
  for (let m = open.exec(html); m !== null; m = open.exec(html)) {
    const gt = html.indexOf('>', m.index);
    if (gt < 0) break; // a later one cannot close either
    out.push({ start: m.index, end: gt + 1 });
    open.lastIndex = gt + 1;
  }
  return out;
}

/**
 * External scripts written as `<script ... src=...></script>` (nothing but whitespace inside), each
 * from its `<script` to the end of its end tag.
 */
export function externalScripts(html: string): Range[] {
  const close = /\s*<\/script\s*>/iy;
  const out: Range[] = [];
  for (const tag of startTags(html, 'script')) {
    if (!/\bsrc\s*=/i.test(html.slice(tag.start, tag.end))) continue;
    close.lastIndex = tag.end;
    if (close.exec(html) !== null) out.push({ start: tag.start, end: close.lastIndex });
  }
  return out;
}

/** The raw text of the first `<title>` element, or null if there is none (or it never ends). */
export function firstTitle(markup: string): string | null {
  const open = /<title\b/i.exec(markup);
  if (!open) return null;
  const gt = markup.indexOf('>', open.index);
  if (gt < 0) return null;
  const close = /<\/title\s*>/gi;
  close.lastIndex = gt + 1;
  const m = close.exec(markup);
  return m ? markup.slice(gt + 1, m.index) : null;
}

/**
 * Whether JS must run as a module: a line that starts with `export` or with an `import` declaration
 * (`import 'x'`, `import x from 'y'`, over several lines up to the next `;`).
 */
export function isModuleScript(js: string): boolean {
  // The first non-blank character of a line: `^\s*` of a multiline regex, without crossing lines,
  // which would start over on every line of a blank run.
  const keyword = /^[^\S\r\n\u2028\u2029]*(import|export)\s/gm;
  const from = /\sfrom\s+['"]/g;
  let fromAt = -1;
  let semicolon = -1;
  for (let m = keyword.exec(js); m !== null; m = keyword.exec(js)) {
    if (m[1] === 'export') return true;
    let r = keyword.lastIndex;
    while (r < js.length && isSpace(js, r)) r++;
    const c = js[r];
    if (c === '"' || c === "'") return true;
    if (c === undefined || !/[\w*{]/.test(c)) continue;
    // `import x ... from 'y'` before the next semicolon. Both searches only ever move forward.
    if (semicolon < r) {
      semicolon = js.indexOf(';', r);
      if (semicolon < 0) semicolon = js.length;
    }
    if (fromAt !== Infinity && fromAt < r + 1) {
      from.lastIndex = r + 1;
      const f = from.exec(js);
      fromAt = f ? f.index : Infinity;
    }
    if (fromAt < semicolon) return true;
  }
  return false;
}

/** An element the JS looks up by id, and the variable it assigns it to, if it does so directly. */
export interface ElementLookup {
  id: string;
  variable?: string;
}

/**
 * `document.getElementById('id')` and `document.querySelector('#id')` in the JS, in order, with the
 * `name` of a preceding `name =` (as in `const canvas = document.getElementById('c')`).
 */
export function elementLookups(js: string): ElementLookup[] {
  const lookup = /document\s*\.\s*(?:getElementById\s*\(\s*['"]([\w-]+)['"]|querySelector\s*\(\s*['"]#([\w-]+)['"])/g;
  const out: ElementLookup[] = [];
  for (const m of js.matchAll(lookup)) {
    const variable = assignedName(js, m.index);
    out.push(variable ? { id: (m[1] ?? m[2])!, variable } : { id: (m[1] ?? m[2])! });
  }
  return out;
}

/** The identifier in `name = ` right before `at` (spaces allowed around `=`), read backwards. */
function assignedName(js: string, at: number): string | undefined {
  let i = at - 1;
  while (i >= 0 && isSpace(js, i)) i--;
  if (js[i] !== '=') return undefined;
  i--;
  while (i >= 0 && isSpace(js, i)) i--;
  const end = i + 1;
  while (i >= 0 && /\w/.test(js[i]!)) i--;
  return end > i + 1 ? js.slice(i + 1, end) : undefined;
}

/** What the JS draws on: variables `v` of `v.getContext`, and ids of `getElementById('id').getContext`. */
export function drawingTargets(js: string): { variables: Set<string>; ids: Set<string> } {
  const variables = new Set<string>();
  const ids = new Set<string>();
  for (const m of js.matchAll(/\b(\w+)\s*\.\s*getContext\b/g)) variables.add(m[1]!);
  for (const m of js.matchAll(/getElementById\(\s*['"]([\w-]+)['"]\s*\)\s*\.\s*getContext/g)) ids.add(m[1]!);
  return { variables, ids };
}

/**
 * `[text](url)` → `text`, as `/\[([^\]]*)\]\([^)]*\)/g` would, in one pass: that regex scans to the
 * end of the heading from every `[` that no `](...)` follows.
 */
export function linkTexts(text: string): string {
  let out = '';
  let at = 0;
  for (let open = text.indexOf('['); open >= 0;) {
    const close = text.indexOf(']', open + 1);
    if (close < 0) break;
    const end = text[close + 1] === '(' ? text.indexOf(')', close + 2) : -1;
    if (text[close + 1] === '(' && end < 0) break; // no `)` anywhere after: no later link either
    if (end < 0) {
      // Every `[` before this `]` ends at it too: the next candidate is after it.
      open = text.indexOf('[', close + 1);
      continue;
    }
    out += text.slice(at, open) + text.slice(open + 1, close);
    at = end + 1;
    open = text.indexOf('[', at);
  }
  return out + text.slice(at);
}

/**
 * Drops file names (`game.js`, `index.html`), as `/[\w-]+\.(?:html?|css|js|mjs|svg)\b/g` would: found
 * from their extension, since that regex backtracks over every word it cannot end with one.
 */
export function withoutFileNames(text: string): string {
  const ext = /\.(?:html?|css|js|mjs|svg)\b/g;
  let out = '';
  let at = 0;
  for (let m = ext.exec(text); m !== null; m = ext.exec(text)) {
    let start = m.index;
    while (start > at && /[\w-]/.test(text[start - 1]!)) start--;
    if (start === m.index) continue;
    out += text.slice(at, start);
    at = m.index + m[0].length;
  }
  return out + text.slice(at);
}
