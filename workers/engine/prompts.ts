/** Text to token ids for a stored model: its tokenizer, built once, and the prompt formats. */
import { getManifest } from '../store/db';
import { chatPromptIds, fimPromptIds, type ChatMessage, type ReplyIds } from '../model/prompt-format';
import { Tokenizer } from '../model/tokenizer';

export type PromptSpec =
  | { kind: 'raw'; text: string }
  | { kind: 'chat'; messages: ChatMessage[]; continueFinal?: boolean }
  | { kind: 'fim'; prefix: string; suffix: string };

const tokenizers = new Map<string, Tokenizer>();

export async function tokenizerFor(modelId: string): Promise<Tokenizer> {
  let tok = tokenizers.get(modelId);
  if (!tok) {
    const m = await getManifest(modelId);
    if (!m) throw new Error(`No stored model has the id "${modelId}".`);
    tok = new Tokenizer(m.tokenizer);
    tokenizers.set(modelId, tok);
  }
  return tok;
}

/** The ids of prompt `p`; a chat's earlier replies come from `replyIds` where it knows them. */
export function promptIds(tok: Tokenizer, p: PromptSpec, replyIds?: ReplyIds): number[] {
  switch (p.kind) {
    case 'raw':
      return [tok.bosId, ...tok.encode(p.text)];
    case 'chat':
      return chatPromptIds(tok, p.messages, replyIds, p.continueFinal === true);
    case 'fim':
      return fimPromptIds(tok, p.prefix, p.suffix);
  }
}
