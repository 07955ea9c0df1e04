/**
 * The token ids of the replies the engine generated lately, by their text. A chat's next request
 * sends a reply back as text; re-encoding that text need not give back the ids the model generated
 * (a model may pick a split the tokenizer would not, and the reply's text drops the space its first
 * token carried). The prompt then uses the generated ids, so the KV cache still holds the whole reply
 * and the model sees what it wrote.
 */
import type { Tokenizer } from '../model/tokenizer';

/** How many recent replies are remembered (a conversation's last turns, a few branches). */
const KEEP = 16;

export class ReplyMemory {
  private readonly byText = new Map<string, readonly number[]>();

  /**
   * Remember `ids` as the tokens of the reply `text`, if they decode to it (with or without the one
   * leading space the reply's text drops); the end-of-sequence token is not part of a reply.
   */
  remember(tok: Pick<Tokenizer, 'decode' | 'eosId'>, text: string, ids: readonly number[]): void {
    const body = ids.at(-1) === tok.eosId ? ids.slice(0, -1) : ids;
    const decoded = tok.decode(body);
    if (decoded !== text && decoded !== ` ${text}`) return;
    this.byText.delete(text);
    this.byText.set(text, body);
    while (this.byText.size > KEEP) this.byText.delete(this.byText.keys().next().value!);
  }

  /** The generated ids of a reply with this text, if one was generated lately. */
  idsOf(text: string): readonly number[] | undefined {
    return this.byText.get(text);
  }

  clear(): void {
    this.byText.clear();
  }
}
