import { useEffect } from 'preact/hooks';
import { ChatView } from './ChatView';
import { startSession, useModelSession } from './session';
import { useConversations } from './useConversations';
import { useReply } from './useReply';

/** The chat: the model session, the conversations and the replies, shown by ChatView. */
export function ChatScreen(props: { onImport: () => void; serverSetup?: boolean }) {
  const session = useModelSession();
  const convs = useConversations();
  const ready = session.kind === 'ready' ? session : undefined;
  const replies = useReply(convs, ready?.model.id);
  useEffect(() => {
    void startSession();
  }, []);
  return (
    <ChatView
      session={session}
      convs={convs}
      replies={replies}
      onImport={props.onImport}
      serverSetup={props.serverSetup ?? false}
    />
  );
}
