/** The conversations, the current one, and changes to them, saved to IndexedDB as they happen. */
import { useEffect, useRef, useState } from 'preact/hooks';
import { newConversation, type Conversation } from './conversation';
import { loadConversations, removeConversation, saveConversation } from './storage';
import { getPref, setPref } from '../prefs';

const CURRENT = 'lite-coder.conversation';
const SAVE_EVERY_MS = 500;

export interface Conversations {
  list: Conversation[];
  current: Conversation | undefined;
  ready: boolean;
  select(id: string): void;
  /** a new conversation, with the system prompt and settings of `like` (the one in use) */
  create(like?: Conversation): Conversation;
  /**
   * Apply a change to one conversation and save it. `lazy` (text streaming in) saves at most every
   * half second (so a reload loses at most that much); anything else is saved at once.
   */
  update(id: string, change: (c: Conversation) => Conversation, lazy?: 'lazy'): void;
  add(c: Conversation): void;
  remove(id: string): void;
  /** the latest version of a conversation, also between renders */
  get(id: string): Conversation | undefined;
}

export function useConversations(): Conversations {
  const [list, setList] = useState<Conversation[]>([]);
  const [currentId, setCurrentId] = useState<string | null>(() => getPref(CURRENT));
  const [ready, setReady] = useState(false);
  const latest = useRef(new Map<string, Conversation>());
  const timers = useRef(new Map<string, ReturnType<typeof setTimeout>>());

  useEffect(() => {
    void loadConversations().then((all) => {
      all.forEach((c) => latest.current.set(c.id, c));
      setList(all);
      setReady(true);
    });
  }, []);

  // A page closed or reloaded while a reply streams: what was streamed is saved now, not half a second
  // later (which never comes). The reply then shows as interrupted, with Continue (MessageView).
  useEffect(() => {
    const flush = () => {
      for (const [id, t] of timers.current) {
        clearTimeout(t);
        timers.current.delete(id);
        const c = latest.current.get(id);
        if (c) void saveConversation(c);
      }
    };
    const hidden = () => {
      if (document.visibilityState === 'hidden') flush();
    };
    window.addEventListener('pagehide', flush);
    document.addEventListener('visibilitychange', hidden);
    return () => {
      window.removeEventListener('pagehide', flush);
      document.removeEventListener('visibilitychange', hidden);
    };
  }, []);

  const publish = () => setList([...latest.current.values()].sort((a, b) => b.updatedAt - a.updatedAt));
  const persist = (c: Conversation, now: boolean) => {
    const t = timers.current.get(c.id);
    // A save already waiting saves the latest version when it runs: while text streams in, it is saved
    // every SAVE_EVERY_MS (restarting the wait on every change would save nothing until the end).
    if (t && !now) return;
    if (t) clearTimeout(t);
    const save = () => {
      timers.current.delete(c.id);
      void saveConversation(latest.current.get(c.id) ?? c);
    };
    if (now) save();
    else timers.current.set(c.id, setTimeout(save, SAVE_EVERY_MS));
  };
  const select = (id: string) => {
    setCurrentId(id);
    setPref(CURRENT, id);
  };

  return {
    list,
    ready,
    current: list.find((c) => c.id === currentId) ?? list[0],
    select,
    get: (id) => latest.current.get(id),
    create(like) {
      const c = {
        ...newConversation(),
        ...(like ? { systemPrompt: like.systemPrompt, settings: { ...like.settings } } : {}),
      };
      latest.current.set(c.id, c);
      publish();
      select(c.id);
      return c;
    },
    add(c) {
      latest.current.set(c.id, c);
      persist(c, true);
      publish();
      select(c.id);
    },
    update(id, change, lazy) {
      const before = latest.current.get(id);
      if (!before) return;
      const after = change(before);
      latest.current.set(id, after);
      persist(after, lazy !== 'lazy');
      publish();
    },
    remove(id) {
      latest.current.delete(id);
      void removeConversation(id);
      publish();
    },
  };
}
