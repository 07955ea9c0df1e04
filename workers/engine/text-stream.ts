/**
 * Generated tokens to text deltas, cut at stop strings. Text that might be the start of a stop string
 * is held back until it is known not to be one, so a stop string never reaches the user, even in part.
 * A chat reply drops the one space its first token carries (`trimLeadingSpace`).
 * Stop strings come from the caller: both searches are KMP, linear in the string and the new text
 * (indexOf and a prefix-by-prefix endsWith were quadratic on a string like a…ab a…a).
 */
import type { StreamDecoder } from '../model/tokenizer';

export class TextStream {
  private text = '';
  private sent = 0;
  stopped = false;

  /** Per stop string, its KMP failure table. */
  private readonly fail: readonly Int32Array[];

  constructor(private readonly decoder: StreamDecoder, private readonly stops: readonly string[], private trimLeadingSpace = false) {
    this.fail = stops.map(failureTable);
  }

  /** Feed a token; returns the text that can be shown now. Sets `stopped` when a stop string appears. */
  push(id: number): string {
    return this.advance(this.decoder.push(id), false);
  }

  /** End of generation: everything still held back (unless a stop string cut it). */
  finish(): string {
    return this.advance(this.decoder.flush(), true);
  }

  get full(): string {
    return this.text.slice(0, this.sent);
  }

  private advance(piece: string, final: boolean): string {
    if (this.stopped) return '';
    this.text += piece;
    if (this.trimLeadingSpace && this.text.length > 0) {
      if (this.text.startsWith(' ')) this.text = this.text.slice(1);
      this.trimLeadingSpace = false;
    }
    let end = this.text.length;
    let hold = 0;
    this.stops.forEach((s, k) => {
      const from = Math.max(0, this.sent - s.length + 1);
      const found = search(this.text.slice(from), s, this.fail[k]!);
      if (found.at >= 0 && from + found.at < end) { end = from + found.at; this.stopped = true; }
      hold = Math.max(hold, found.tail);
    });
    // The longest tail of the text that is a proper prefix of some stop string waits.
    if (!this.stopped && !final) end -= Math.min(hold, this.text.length - this.sent);
    this.text = this.text.slice(0, this.stopped ? end : this.text.length);
    const out = this.text.slice(this.sent, end);
    this.sent = end;
    return out;
  }
}

/** fail[i]: the length of the longest proper prefix of s[0..i] that is also its suffix. */
function failureTable(s: string): Int32Array {
  const fail = new Int32Array(s.length);
  for (let i = 1, q = 0; i < s.length; i++) {
    while (q > 0 && s.charCodeAt(i) !== s.charCodeAt(q)) q = fail[q - 1]!;
    if (s.charCodeAt(i) === s.charCodeAt(q)) q++;
    fail[i] = q;
  }
  return fail;
}

/**
 * KMP: where `s` first occurs in `text` (-1 if nowhere), and if it does not, the length of the
 * longest tail of `text` that is a prefix of `s`. `text` is a slice, so flat: indexing the stream's
 * text itself would walk the rope its appends built, for every character.
 */
function search(text: string, s: string, fail: Int32Array): { at: number; tail: number } {
  if (s.length === 0) return { at: 0, tail: 0 };
  let q = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    while (q > 0 && s.charCodeAt(q) !== c) q = fail[q - 1]!;
    if (s.charCodeAt(q) === c) q++;
    if (q === s.length) return { at: i - s.length + 1, tail: 0 };
  }
  return { at: -1, tail: q };
}
