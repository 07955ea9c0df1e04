/**
 * Prompt layouts of DeepSeek-Coder-V2-Lite-Instruct, built as token ids.
 *
 * Control tokens (BOS, EOS, FIM markers) are inserted by id and everything else goes through
 * encode(), which cannot produce a control token: whatever a user or a file contains, it can
 * never close a turn or open a FIM section. (llama.cpp renders the template to text and parses
 * special tokens in it, which lets typed "<｜end▁of▁sentence｜>" through; we deliberately don't.)
 */
import type { Tokenizer } from './tokenizer';

export type PromptTokenizer = Pick<Tokenizer, 'encode' | 'tokenId' | 'bosId' | 'eosId'>;

export type ChatRole = 'system' | 'user' | 'assistant';

export interface ChatMessage {
  readonly role: ChatRole;
  readonly content: string;
}

/**
 * Token ids of replies the engine generated, by their text (engine/replies.ts), so that a reply sent
 * back in a later request is the ids the model wrote, not a re-encoding of its text.
 */
export type ReplyIds = (content: string) => readonly number[] | undefined;

/**
 * Chat: `[BOS]{system}\n\nUser: {u1}\n\nAssistant: {a1}[EOS]User: {u2}\n\nAssistant:`
 *
 * This is the model's jinja template and llama.cpp's LLM_CHAT_TEMPLATE_DEEPSEEK_2: a system
 * message is its content plus "\n\n" wherever it appears (normally first); without one the prompt
 * starts `[BOS]User: `. There is no space after the final "Assistant:" because the model's first
 * generated token carries it. Text between two control tokens is encoded as one string, so words
 * join across the template/content seams exactly as they do when the rendered text is tokenized.
 * A reply `replyIds` knows goes in as the ids generated after "Assistant:" (its first token carries
 * the space), which is what that turn's KV cache holds.
 *
 * `continueFinal` (vLLM's continue_final_message): the last message is a reply cut short (a reload,
 * max_tokens) and the prompt ends with it, inside its turn (no EOS, no new "Assistant:"), so the
 * model goes on writing it.
 */
export function chatPromptIds(
  tok: PromptTokenizer,
  messages: readonly ChatMessage[],
  replyIds?: ReplyIds,
  continueFinal = false,
): number[] {
  const last = messages[messages.length - 1];
  if (continueFinal) {
    // The model goes on writing the last reply: the prompt ends inside its turn, with no EOS.
    if (last === undefined || last.role !== 'assistant')
      throw new Error('a prompt that continues a reply must end with an assistant message');
  } else if (last === undefined || last.role !== 'user') throw new Error('a chat prompt must end with a user message');
  const ids = [tok.bosId];
  let pending = '';
  for (const [i, m] of messages.entries()) {
    switch (m.role) {
      case 'system':
        pending += `${m.content}\n\n`;
        break;
      case 'user':
        pending += `User: ${m.content}\n\n`;
        break;
      case 'assistant': {
        const generated = replyIds?.(m.content);
        if (generated) {
          append(ids, tok.encode(`${pending}Assistant:`));
          append(ids, generated);
        } else {
          append(ids, tok.encode(`${pending}Assistant: ${m.content}`));
        }
        pending = '';
        if (continueFinal && i === messages.length - 1) return ids;
        ids.push(tok.eosId);
        break;
      }
      default:
        throw new Error(`unknown chat role ${JSON.stringify((m as { role: unknown }).role)}`);
    }
  }
  pending += 'Assistant:';
  append(ids, tok.encode(pending));
  return ids;
}

/** push(...xs) passes every id as an argument and overflows the stack on very long prompts. */
function append(ids: number[], more: readonly number[]): void {
  for (const id of more) ids.push(id);
}

/** Written with escapes: the bars are U+FF5C (fullwidth) and the "space" is U+2581. */
export const FIM_TOKEN_TEXT = {
  begin: '<\uFF5Cfim\u2581begin\uFF5C>',
  hole: '<\uFF5Cfim\u2581hole\uFF5C>',
  end: '<\uFF5Cfim\u2581end\uFF5C>',
} as const;

export interface FimTokenIds {
  readonly begin: number;
  readonly hole: number;
  readonly end: number;
}

/** The FIM marker ids, looked up by text because their ids differ between DeepSeek vocabularies. */
export function fimTokenIds(tok: PromptTokenizer): FimTokenIds | undefined {
  const begin = tok.tokenId(FIM_TOKEN_TEXT.begin);
  const hole = tok.tokenId(FIM_TOKEN_TEXT.hole);
  const end = tok.tokenId(FIM_TOKEN_TEXT.end);
  if (begin === undefined || hole === undefined || end === undefined) return undefined;
  return { begin, hole, end };
}

/** Fill-in-the-middle: `[BOS]<｜fim▁begin｜>{prefix}<｜fim▁hole｜>{suffix}<｜fim▁end｜>`; the model writes the middle. */
export function fimPromptIds(tok: PromptTokenizer, prefix: string, suffix: string): number[] {
  const fim = fimTokenIds(tok);
  if (fim === undefined) {
    const missing = Object.values(FIM_TOKEN_TEXT).filter((t) => tok.tokenId(t) === undefined);
    throw new Error(`this model has no FIM (fill-in-the-middle) tokens (its vocabulary lacks ${missing.join(', ')})`);
  }
  const ids = [tok.bosId, fim.begin];
  append(ids, tok.encode(prefix));
  ids.push(fim.hole);
  append(ids, tok.encode(suffix));
  ids.push(fim.end);
  return ids;
}
