/**
 * The widget's one conversation, in memory only: an embedded chat belongs to the page it is in, and
 * a host starts a new one with `new-chat`. Shaped like the app's Conversations where useReply needs it.
 */
import { useRef, useState } from 'preact/hooks';
import { newConversation, type Conversation } from '../chat/conversation';
import type { Conversations } from '../chat/useConversations';

export type WidgetConversation = Pick<Conversations, 'get' | 'update'> & {
  current: Conversation;
  reset(): Conversation;
};

export function useWidgetConversation(init: (c: Conversation) => Conversation): WidgetConversation {
  const latest = useRef<Conversation | null>(null);
  latest.current ??= init(newConversation());
  const [current, setCurrent] = useState(latest.current);
  const put = (c: Conversation) => {
    latest.current = c;
    setCurrent(c);
  };
  return {
    current,
    get: (id) => (latest.current?.id === id ? latest.current : undefined),
    update(id, change) {
      if (latest.current?.id === id) put(change(latest.current));
    },
    reset() {
      const prev = latest.current!;
      const c = { ...newConversation(), systemPrompt: prev.systemPrompt, settings: { ...prev.settings } };
      put(c);
      return c;
    },
  };
}
