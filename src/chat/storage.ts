/** Conversations persist in IndexedDB, one record each, so a reload restores everything. */
import { createStore, del, entries, set, type UseStore } from 'idb-keyval';
import type { Conversation } from './conversation';

let store: UseStore | undefined;
const db = () => (store ??= createStore('lite-coder-chats', 'conversations'));

export async function loadConversations(): Promise<Conversation[]> {
  return (await entries<string, Conversation>(db())).map(([, c]) => c).sort((a, b) => b.updatedAt - a.updatedAt);
}

export function saveConversation(c: Conversation): Promise<void> {
  return set(c.id, c, db());
}

export function removeConversation(id: string): Promise<void> {
  return del(id, db());
}
