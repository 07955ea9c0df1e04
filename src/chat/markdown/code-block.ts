/**
 * A top-level fenced code block of a message, built as DOM (the markup render.ts gives a code block:
 * a head with language, Copy button and action slot, then pre > code) and updated in place while its
 * code streams in. New code is appended; highlighting redoes only the code after the last point where
 * the grammar was back at its top level, and the DOM before that point stays. So showing more of a
 * block costs about the new text, not the block.
 *
 * Model text reaches the DOM only as text nodes or as highlight.js output, which escapes it.
 */
import type { HLJSApi } from 'highlight.js';
import { grammarFor, readyGrammar } from './highlight';

/** Highlighting of the unsettled end is tried for a commit once it is this long (characters). */
const SETTLE_AFTER = 256;

export class CodeBlockView {
  /** The block: div.code-block; its nodes go into the message as they are. */
  readonly root: HTMLDivElement;
  readonly copyButton: HTMLButtonElement;
  /** The slot for the caller's actions (a Run button). */
  readonly actions: HTMLSpanElement;
  private readonly codeEl: HTMLElement;
  private readonly grammar: string | undefined;
  private waiting = false;
  /** The code shown. */
  private text = '';
  /** How much of `text` has its final DOM: it ends where the grammar was at its top level. */
  private settled = 0;
  /** The nodes after the settled part, redone on every update. */
  private tail: Node[] = [];

  /** `lang` is the fence's language as render.ts's fenceLang() gives it ('' for none). */
  constructor(
    readonly index: number,
    readonly lang: string,
    copyLabel: string,
    code: string,
  ) {
    this.root = document.createElement('div');
    this.root.className = 'code-block';
    this.root.dataset.block = String(index);
    this.root.dataset.lang = lang;
    const head = this.root.appendChild(document.createElement('div'));
    head.className = 'code-head';
    const label = head.appendChild(document.createElement('span'));
    label.className = 'code-lang';
    label.textContent = lang;
    this.copyButton = head.appendChild(document.createElement('button'));
    this.copyButton.type = 'button';
    this.copyButton.className = 'code-copy';
    this.copyButton.dataset.copy = String(index);
    this.copyButton.textContent = copyLabel;
    this.actions = head.appendChild(document.createElement('span'));
    this.actions.className = 'code-actions';
    this.actions.dataset.actions = String(index);
    this.codeEl = this.root.appendChild(document.createElement('pre')).appendChild(document.createElement('code'));
    if (lang) this.codeEl.className = `language-${lang}`;
    this.grammar = grammarFor(lang);
    this.update(code);
  }

  /** Whether `update(code)` would show this block going on (same block and language). */
  continues(index: number, lang: string): boolean {
    return index === this.index && lang === this.lang;
  }

  /** Shows `code`: cheap when it extends the code shown (or drops a little of its end). */
  update(code: string): void {
    if (code === this.text) return;
    // A check (a comparison, no highlighting) that the settled part is still the start of the code.
    if (code.length < this.settled || !code.startsWith(this.text.slice(0, this.settled))) this.reset();
    const before = this.text;
    this.text = code;
    const hljs = this.grammar ? this.highlighter(this.grammar) : undefined;
    if (!hljs) {
      // Plain (no grammar, or not loaded yet): one text node, appended to while the code grows.
      const node = this.tail.length === 1 ? this.tail[0] : undefined;
      if (node instanceof Text && this.settled === 0 && code.startsWith(before))
        node.appendData(code.slice(before.length));
      else this.setTail([document.createTextNode(code.slice(this.settled))]);
      return;
    }
    let rest = code.slice(this.settled);
    // Settle the lines before the last one (a fence's end being written, "\n``", only changes that
    // one), and only where the grammar is back at its top level (not inside a comment or string), so
    // that the rest highlights on its own as it would in place. Each settled run of lines is a block
    // of its own: the browser lays out and paints only the new one, not the whole code again.
    const last = rest.lastIndexOf('\n');
    const cut = rest.length >= SETTLE_AFTER && last > 0 ? rest.lastIndexOf('\n', last - 1) + 1 : 0;
    if (cut > 0) {
      const head = hljs.highlight(rest.slice(0, cut), { language: this.grammar!, ignoreIllegals: true });
      if (head._top === hljs.getLanguage(this.grammar!)) {
        this.setTail([]);
        this.codeEl.append(lines(nodesOf(head.value)));
        this.settled += cut;
        rest = rest.slice(cut);
      }
    }
    this.setTail([lines(nodesOf(hljs.highlight(rest, { language: this.grammar!, ignoreIllegals: true }).value))]);
    this.codeEl.classList.add('hljs');
    this.codeEl.dataset.highlighted = 'yes';
  }

  /** highlight.js with the grammar, or undefined while it loads (then the code is shown again, highlighted). */
  private highlighter(name: string): HLJSApi | undefined {
    if (this.waiting) return undefined;
    const hljs = readyGrammar(name, () => {
      this.waiting = false;
      const code = this.text;
      this.reset();
      this.update(code);
    });
    if (!hljs) this.waiting = true;
    return hljs;
  }

  private reset(): void {
    this.codeEl.replaceChildren();
    this.tail = [];
    this.settled = 0;
    this.text = '';
  }

  private setTail(nodes: Node[]): void {
    for (const n of this.tail) n.parentNode?.removeChild(n);
    this.codeEl.append(...nodes);
    this.tail = nodes;
  }
}

/**
 * A run of whole lines, as a block (.code-lines, display: block). It ends with its line break, which a
 * block's end does not show twice, and a selection copies as it is.
 */
function lines(nodes: Node[]): HTMLElement {
  const run = document.createElement('span');
  run.className = 'code-lines';
  run.append(...nodes);
  return run;
}

let scratch: HTMLElement | undefined;

/** The nodes of highlight.js's HTML (spans and escaped text), parsed in a detached element. */
function nodesOf(html: string): Node[] {
  scratch ??= document.createElement('div');
  scratch.innerHTML = html;
  const nodes = [...scratch.childNodes];
  scratch.replaceChildren();
  return nodes;
}
