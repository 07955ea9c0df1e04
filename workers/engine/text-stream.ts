/**
 * Generated tokens to text deltas, cut at stop strings. Text that might be the start of a stop string
 * is held back until it is known not to be one, so a stop string never reaches the user, even in part.
 * A chat reply drops the one space its first token carries (`trimLeadingSpace`).
 * Stop strings come from the caller: both searches are KMP, linear in the string and the new text
 * (indexOf and a prefix-by-prefix endsWith were quadratic on a string like a…ab a…a).
 */
import type { StreamDecoder } from '../model/tokenizer';

export class TextStream {
  /** Everything sent so far: only ever appended to, never sliced (slicing a rope flattens all of it). */
  private sent = '';
  /** The last `keep` characters of `sent`: all a stop string that ends in new text can reach back into. */
  private tail = '';
  /** Text not sent yet: held back as a possible start of a stop string. */
  private pending = '';
  /** The longest stop string's length minus one. */
  private readonly keep: number;
  stopped = false;

  /** Per stop string, its KMP failure table. */
  private readonly fail: readonly Int32Array[];

  constructor(
    private readonly decoder: StreamDecoder,
    private readonly stops: readonly string[],
    private trimLeadingSpace = false,
  ) {
    this.fail = stops.map(failureTable);
    this.keep = Math.max(0, ...stops.map((s) => s.length - 1));
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
    return this.sent;
  }

  /**
   * Searches only the window `tail + pending`, so a push costs its new text plus the stop strings'
   * lengths, not the reply's length (the whole text, appended and sliced, cost O(n) per token).
   */
  private advance(piece: string, final: boolean): string {
    if (this.stopped) return '';
    this.pending += piece;
    if (this.trimLeadingSpace && this.pending.length > 0) {
      // Nothing was sent while the flag is set (the text so far was empty), so pending is all of it.
      if (this.pending.startsWith(' ')) this.pending = this.pending.slice(1);
      this.trimLeadingSpace = false;
    }
    const window = this.tail + this.pending;
    const base = this.tail.length; // where the unsent text starts in the window
    let end = window.length;
    let hold = 0;
    this.stops.forEach((s, k) => {
      const from = Math.max(0, base - s.length + 1);
      const found = search(window.slice(from), s, this.fail[k]!);
      if (found.at >= 0 && from + found.at < end) {
        end = from + found.at;
        this.stopped = true;
      }
      hold = Math.max(hold, found.tail);
    });
    // The longest tail of the text that is a proper prefix of some stop string waits.
    if (!this.stopped && !final) end -= Math.min(hold, window.length - base);
    end = Math.max(end, base);
    const out = window.slice(base, end);
    this.pending = this.stopped ? '' : window.slice(end);
    this.sent += out;
    this.tail = this.keep > 0 ? (this.tail + out).slice(-this.keep) : '';
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
