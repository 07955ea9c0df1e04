/**
 * A conversation as a tree of messages. Editing a user message or regenerating an answer adds a
 * sibling, so earlier versions stay reachable; `active` records which child of each message is
 * shown, and the visible thread is the path through those choices. Pure functions, no I/O.
 */
export type Role = 'user' | 'assistant';

export interface ReplyStats {
  tokensPerSecond: number;
  timeToFirstTokenS: number;
  expertHitRate: number;
  promptTokens: number;
  completionTokens: number;
  finish: string;
}

export interface ChatNode {
  id: string;
  parent: string | null;
  role: Role;
  content: string;
  createdAt: number;
  stats?: ReplyStats;
  error?: string;
}

export interface ChatSettings {
  temperature: number;
  top_p: number;
  max_tokens: number;
  /** null: a fresh random seed for every reply */
  seed: number | null;
}

export interface Conversation {
  id: string;
  title: string;
  createdAt: number;
  updatedAt: number;
  systemPrompt: string;
  settings: ChatSettings;
  nodes: Record<string, ChatNode>;
  /** parent id (or ROOT) → the child shown */
  active: Record<string, string>;
  /** messages before this one are kept on screen but no longer sent to the model */
  contextFrom: string | null;
  /**
   * The model this conversation uses (the stored model's id, or a server's model name): the one it
   * was last answered by or picked for; coming back to the conversation brings it back. Absent: none yet.
   */
  modelId?: string;
}

export const ROOT = 'root';

/** Defaults for a coding model: fairly deterministic, long answers allowed. */
export const DEFAULT_SETTINGS: ChatSettings = { temperature: 0.3, top_p: 0.95, max_tokens: 2048, seed: null };
export const DEFAULT_SYSTEM_PROMPT = '';

export function newConversation(now = Date.now(), id: string = crypto.randomUUID()): Conversation {
  return {
    id,
    title: '',
    createdAt: now,
    updatedAt: now,
    systemPrompt: DEFAULT_SYSTEM_PROMPT,
    settings: { ...DEFAULT_SETTINGS },
    nodes: {},
    active: {},
    contextFrom: null,
  };
}

const key = (parent: string | null) => parent ?? ROOT;

const byAge = (a: ChatNode, b: ChatNode) => a.createdAt - b.createdAt || a.id.localeCompare(b.id);

export function children(c: Conversation, parent: string | null): ChatNode[] {
  return Object.values(c.nodes)
    .filter((n) => n.parent === parent)
    .sort(byAge);
}

/** Every message's children, oldest first, in one pass over the nodes (children() per message is quadratic). */
function childrenOfAll(c: Conversation): Map<string | null, ChatNode[]> {
  const out = new Map<string | null, ChatNode[]>();
  for (const n of Object.values(c.nodes)) {
    const kids = out.get(n.parent);
    if (kids) kids.push(n);
    else out.set(n.parent, [n]);
  }
  for (const kids of out.values()) kids.sort(byAge);
  return out;
}

/** The messages shown: from the first message down, following the active child at each step. */
export function thread(c: Conversation): ChatNode[] {
  const all = childrenOfAll(c);
  const out: ChatNode[] = [];
  let parent: string | null = null;
  for (;;) {
    const kids: ChatNode[] = all.get(parent) ?? [];
    if (kids.length === 0) return out;
    const chosen: ChatNode = kids.find((k) => k.id === c.active[key(parent)]) ?? kids.at(-1)!;
    out.push(chosen);
    parent = chosen.id;
  }
}

/** For each of `shown`, the ids of its siblings (itself included), oldest first: siblings() for all at once. */
export function siblingIds(c: Conversation, shown: readonly ChatNode[]): string[][] {
  const all = childrenOfAll(c);
  return shown.map((n) => (all.get(n.parent) ?? []).map((k) => k.id));
}

export function siblings(c: Conversation, id: string): ChatNode[] {
  const n = c.nodes[id];
  return n ? children(c, n.parent) : [];
}

export function addMessage(
  c: Conversation,
  parent: string | null,
  role: Role,
  content: string,
  now = Date.now(),
  id: string = crypto.randomUUID(),
): Conversation {
  const node: ChatNode = { id, parent, role, content, createdAt: now };
  const title = c.title || (role === 'user' && parent === null ? titleFrom(content) : '');
  return { ...c, title, updatedAt: now, nodes: { ...c.nodes, [id]: node }, active: { ...c.active, [key(parent)]: id } };
}

export function updateMessage(
  c: Conversation,
  id: string,
  patch: Partial<Pick<ChatNode, 'content' | 'stats' | 'error'>>,
  now = Date.now(),
): Conversation {
  const n = c.nodes[id];
  if (!n) return c;
  return { ...c, updatedAt: now, nodes: { ...c.nodes, [id]: { ...n, ...patch } } };
}

/** Show the branch that goes through `id`. */
export function selectBranch(c: Conversation, id: string): Conversation {
  const n = c.nodes[id];
  return n ? { ...c, active: { ...c.active, [key(n.parent)]: id } } : c;
}

/** Remove a message and everything that followed it. */
export function deleteMessage(c: Conversation, id: string, now = Date.now()): Conversation {
  const gone = new Set([id]);
  for (let grew = true; grew;) {
    grew = false;
    for (const n of Object.values(c.nodes))
      if (n.parent && gone.has(n.parent) && !gone.has(n.id)) {
        gone.add(n.id);
        grew = true;
      }
  }
  const nodes = Object.fromEntries(Object.entries(c.nodes).filter(([k]) => !gone.has(k)));
  const active = Object.fromEntries(Object.entries(c.active).filter(([p, child]) => !gone.has(child) && !gone.has(p)));
  return {
    ...c,
    updatedAt: now,
    nodes,
    active,
    contextFrom: c.contextFrom && gone.has(c.contextFrom) ? null : c.contextFrom,
  };
}

/** What the model is sent: the system prompt, then the thread from `contextFrom` up to `until`. */
export function messagesForModel(c: Conversation, until?: string): { role: 'system' | Role; content: string }[] {
  let t = thread(c);
  if (until) t = t.slice(0, t.findIndex((n) => n.id === until) + 1);
  const from = c.contextFrom ? t.findIndex((n) => n.id === c.contextFrom) : 0;
  const sent = t.slice(Math.max(0, from)).filter((n) => !n.error);
  return [
    ...(c.systemPrompt.trim() ? [{ role: 'system' as const, content: c.systemPrompt }] : []),
    ...sent.map((n) => ({ role: n.role, content: n.content })),
  ];
}

/** Start the context at the next user message; undefined when only the last exchange is left. */
export function dropOldestTurn(c: Conversation): Conversation | undefined {
  const t = thread(c);
  const from = Math.max(0, c.contextFrom ? t.findIndex((n) => n.id === c.contextFrom) : 0);
  const nextUser = t.findIndex((n, i) => i > from && n.role === 'user');
  return nextUser < 0 ? undefined : { ...c, contextFrom: t[nextUser]!.id };
}

export function titleFrom(text: string): string {
  const line = text.trim().split('\n')[0]!.replace(/\s+/g, ' ');
  return line.length > 60 ? `${line.slice(0, 57)}…` : line || 'New chat';
}
