/** Conversations out and in: JSON (complete, re-importable) and Markdown (for reading). */
import { thread, type Conversation } from './conversation';

const FORMAT = 'lite-coder-conversation';
const VERSION = 1;

export function toJson(c: Conversation): string {
  return JSON.stringify({ format: FORMAT, version: VERSION, conversation: c }, null, 2);
}

export function toMarkdown(c: Conversation): string {
  const parts = [`# ${c.title || 'Conversation'}`, ''];
  if (c.systemPrompt.trim()) parts.push('**System:**', '', c.systemPrompt, '');
  for (const n of thread(c)) parts.push(n.role === 'user' ? '## User' : '## Assistant', '', n.content, '');
  return parts.join('\n');
}

/** Parse an exported file; a new id is given so an import never overwrites a conversation. */
export function fromJson(text: string, now = Date.now(), id: string = crypto.randomUUID()): Conversation {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new Error('This file is not JSON.');
  }
  const d = data as { format?: unknown; version?: unknown; conversation?: Partial<Conversation> };
  if (d.format !== FORMAT || d.version !== VERSION || typeof d.conversation !== 'object' || d.conversation === null) {
    throw new Error('This file is not a Lite Coder conversation export.');
  }
  const c = d.conversation;
  if (typeof c.nodes !== 'object' || c.nodes === null || typeof c.active !== 'object' || c.active === null)
    throw new Error('The conversation in this file is damaged.');
  for (const [k, n] of Object.entries(c.nodes)) {
    const ok =
      n &&
      n.id === k &&
      (n.role === 'user' || n.role === 'assistant') &&
      typeof n.content === 'string' &&
      (n.parent === null || typeof n.parent === 'string') &&
      typeof n.createdAt === 'number';
    if (!ok) throw new Error(`The conversation in this file has a damaged message (${k}).`);
  }
  return {
    id,
    title: typeof c.title === 'string' ? c.title : 'Imported chat',
    createdAt: now,
    updatedAt: now,
    systemPrompt: typeof c.systemPrompt === 'string' ? c.systemPrompt : '',
    settings: { temperature: 0.3, top_p: 0.95, max_tokens: 2048, seed: null, ...(c.settings ?? {}) },
    nodes: c.nodes,
    active: c.active,
    contextFrom: typeof c.contextFrom === 'string' ? c.contextFrom : null,
    ...(typeof c.modelId === 'string' ? { modelId: c.modelId } : {}),
  };
}
