/**
 * Generated tokens to text deltas, cut at stop strings. Text that might be the start of a stop string
 * is held back until it is known not to be one, so a stop string never reaches the user, even in part.
 * A chat reply drops the one space its first token carries (`trimLeadingSpace`).
 */
import type { StreamDecoder } from '../model/tokenizer';

export class TextStream {
  private text = '';
  private sent = 0;
  stopped = false;

  constructor(private readonly decoder: StreamDecoder, private readonly stops: readonly string[], private trimLeadingSpace = false) {}

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
    for (const s of this.stops) {
      const at = this.text.indexOf(s, Math.max(0, this.sent - s.length + 1));
      if (at >= 0 && at < end) { end = at; this.stopped = true; }
    }
    if (!this.stopped && !final) end -= this.heldBack();
    this.text = this.text.slice(0, this.stopped ? end : this.text.length);
    const out = this.text.slice(this.sent, end);
    this.sent = end;
    return out;
  }

  /** Length of the longest tail of the text that is a proper prefix of some stop string. */
  private heldBack(): number {
    let hold = 0;
    for (const s of this.stops) {
      for (let n = Math.min(s.length - 1, this.text.length); n > hold; n--) {
        if (this.text.endsWith(s.slice(0, n))) { hold = n; break; }
      }
    }
    return Math.min(hold, this.text.length - this.sent);
  }
}
