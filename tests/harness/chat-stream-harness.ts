/**
 * The real chat view (ChatView: Sidebar, thread, MessageView, Markdown, artifacts) with the real
 * conversation store (useConversations, IndexedDB), into which text is streamed the way useReply
 * streams a model's answer: the answer is added empty, marked busy, and its text reaches the store
 * at most every RENDER_EVERY_MS ('lazy'), then once more at the end. Only the model is missing: the
 * deltas come from the test at a set rate. For tests/browser/chat-streaming.spec.ts; the app never
 * loads this page.
 */
import { h, render } from 'preact';
import { useState } from 'preact/hooks';
import { ChatView } from '../../src/chat/ChatView';
import { addMessage, thread, updateMessage } from '../../src/chat/conversation';
import { useConversations, type Conversations } from '../../src/chat/useConversations';
import { RENDER_EVERY_MS, type Replies } from '../../src/chat/useReply';
import '../../src/styles.css';

/** Main-thread tasks over 50 ms (the Long Tasks API), from page load on. */
const longTasks: { start: number; duration: number }[] = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) longTasks.push({ start: e.startTime, duration: e.duration });
}).observe({ type: 'longtask', buffered: true });

let convs: Conversations | undefined;
let setBusy: (id: string | null) => void = () => {};

function Harness() {
  const c = useConversations();
  const [busy, set] = useState<string | null>(null);
  convs = c;
  setBusy = set;
  const replies: Replies = {
    busy,
    overflow: null,
    clearOverflow: () => {},
    reply: async () => {},
    continueReply: async () => {},
    stop: () => {},
  };
  return h(ChatView, { session: { kind: 'none' }, convs: c, replies, onImport: () => {} });
}

interface StreamOptions {
  /** the answer's text, streamed in order */
  text: string;
  /** deltas per second */
  rate: number;
  /** characters per delta */
  size: number;
}

/**
 * Asks nothing and streams `text` as the answer to a new user message in the current conversation.
 * Resolves when the answer is complete, with when streaming began and ended (performance.now()).
 */
function stream(opts: StreamOptions): Promise<{ start: number; end: number }> {
  const store = convs!;
  const conv = store.current!;
  const userId = crypto.randomUUID();
  const answerId = crypto.randomUUID();
  const lastNode = thread(conv).at(-1);
  store.update(conv.id, (c) =>
    addMessage(c, lastNode?.id ?? null, 'user', 'Write it all in one file, please.', Date.now(), userId),
  );
  store.update(conv.id, (c) => addMessage(c, userId, 'assistant', '', Date.now(), answerId));
  setBusy(answerId);
  const start = performance.now();
  let sent = 0;
  let flushed = 0;
  return new Promise((resolve) => {
    const timer = setInterval(() => {
      sent = Math.min(opts.text.length, sent + opts.size);
      const content = opts.text.slice(0, sent);
      // useReply's rule: the store hears of new text at most every RENDER_EVERY_MS, lazily saved.
      if (sent < opts.text.length && performance.now() - flushed > RENDER_EVERY_MS) {
        flushed = performance.now();
        store.update(conv.id, (c) => updateMessage(c, answerId, { content }), 'lazy');
      }
      if (sent === opts.text.length) {
        clearInterval(timer);
        store.update(conv.id, (c) => updateMessage(c, answerId, { content }));
        setBusy(null);
        // The last render and its highlighting belong to the stream too.
        requestAnimationFrame(() => setTimeout(() => resolve({ start, end: performance.now() }), 0));
      }
    }, 1000 / opts.rate);
  });
}

const harness = { stream, longTasks: () => longTasks, ready: () => convs?.ready === true };
declare global {
  interface Window {
    chatStream: typeof harness;
  }
}
window.chatStream = harness;
render(h(Harness, null), document.getElementById('app')!);
document.body.dataset.ready = '1';
