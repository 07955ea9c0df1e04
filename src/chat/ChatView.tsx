import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { ArtifactPanel } from '../artifacts/ArtifactPanel';
import { fixRequest } from '../artifacts/fix';
import { engine } from '../engine';
import { useLang } from '../i18n';
import { Composer } from './Composer';
import {
  addMessage,
  deleteMessage,
  dropOldestTurn,
  selectBranch,
  siblingIds,
  thread,
  type ChatNode,
} from './conversation';
import { MessageView, type MessageActions } from './MessageView';
import { ModelPicker } from './ModelPicker';
import { ModelStatus } from './ModelStatus';
import { chooseStoredModel, readyModels, type ModelSession } from './session';
import { SettingsPanel } from './SettingsPanel';
import { Sidebar } from './Sidebar';
import { t } from './strings';
import { runnableBlocks, useThreadArtifacts } from './thread-artifacts';
import type { Conversations } from './useConversations';
import type { Replies } from './useReply';
import './chat.css';

/**
 * The chat as it looks: conversations, the thread, the composer, settings, and the artifact preview,
 * for a model session, the conversations and the replies that ChatScreen gives it (a test harness
 * streams into it the way useReply does).
 */
export function ChatView(props: {
  session: ModelSession;
  convs: Conversations;
  replies: Replies;
  onImport: () => void;
  serverSetup?: boolean;
}) {
  useLang();
  const { session, convs, replies } = props;
  const ready = session.kind === 'ready' ? session : undefined;
  const [showSettings, setShowSettings] = useState(props.serverSetup ?? false);
  const [serverSetup, setServerSetup] = useState(props.serverSetup ?? false);
  const [drawer, setDrawer] = useState(false);
  const [artifact, setArtifact] = useState<number | null>(null);
  const end = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (convs.ready && convs.list.length === 0) convs.create();
  }, [convs.ready]);
  // Read through a ref: the listener must see a reply that started a moment ago, before any effect re-ran.
  const busy = useRef(replies.busy);
  busy.current = replies.busy;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape') return;
      // An open dialog takes its own Esc (it closes); nothing behind it should react too.
      if (document.querySelector('dialog[open]')) return;
      if (busy.current) replies.stop();
      else {
        setDrawer(false);
        setShowSettings(false);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const conv = convs.current;
  const shown = conv ? thread(conv) : [];
  const siblings = conv ? siblingIds(conv, shown) : [];
  useEffect(() => {
    end.current?.scrollIntoView({ block: 'end' });
  }, [shown.at(-1)?.content.length, conv?.id]);
  // Back to a conversation: the model it remembers comes back with it (a stored model; a server's stays as it is).
  // Not when the chat opens: it opens with the model last used, or the one just chosen (Use, Start chatting).
  const opened = useRef(false);
  useEffect(() => {
    if (!opened.current) {
      if (conv) opened.current = true;
      return;
    }
    const want = conv?.modelId;
    const now = 'model' in session ? session.model : undefined;
    if (!want || !now || now.engine === 'server' || now.id === want) return;
    void readyModels().then(
      (all) => {
        const m = all.find((x) => x.id === want);
        if (m) chooseStoredModel(m);
      },
      () => {},
    );
  }, [conv?.id]);

  // Every artifact of the thread, in order: the versions the preview steps through.
  const artifacts = useThreadArtifacts(shown.filter((n) => n.role === 'assistant' && n.id !== replies.busy));
  const runnable = useMemo(() => runnableBlocks(artifacts), [artifacts]);
  // What the message actions read when called: they are made once, so that messages need not re-render.
  const latest = useRef({ conv, convs, replies, artifacts });
  latest.current = { conv, convs, replies, artifacts };

  const contextStart = conv?.contextFrom ? shown.findIndex((n) => n.id === conv.contextFrom) : 0;

  const send = (text: string) => {
    if (!conv) return;
    const last = shown.at(-1);
    const id = crypto.randomUUID();
    convs.update(conv.id, (c) => addMessage(c, last?.id ?? null, 'user', text, Date.now(), id));
    void replies.reply(conv.id, id);
  };
  const fix = (error: string, source: string) => send(fixRequest(error, source));
  // Attached files are counted with the loaded model's own tokenizer (in the worker); a server's is unknown here.
  const deviceId = ready?.model.engine === 'device' ? ready.model.id : undefined;
  const countTokens = useMemo(
    () =>
      deviceId
        ? async (text: string) => (await engine().encodePrompt(deviceId, { kind: 'raw', text })).length - 1
        : undefined,
    [deviceId],
  );

  const actions = useMemo((): MessageActions => {
    const at = (node: ChatNode, block: number) =>
      latest.current.artifacts.findIndex((a) => a.node === node.id && a.artifact.blocks[0] === block);
    return {
      onEdit(node, text) {
        const { conv, convs, replies } = latest.current;
        if (!conv) return;
        const id = crypto.randomUUID();
        convs.update(conv.id, (c) => addMessage(c, node.parent, 'user', text, Date.now(), id));
        void replies.reply(conv.id, id);
      },
      onRegenerate(node) {
        const { conv, replies } = latest.current;
        if (conv && node.parent) void replies.reply(conv.id, node.parent);
      },
      onDelete(node) {
        const { conv, convs } = latest.current;
        if (conv) convs.update(conv.id, (c) => deleteMessage(c, node.id));
      },
      onContinue(node) {
        const { conv, replies } = latest.current;
        if (conv) void replies.continueReply(conv.id, node.id);
      },
      onRetry(node) {
        const { conv, replies } = latest.current;
        if (conv) void replies.reply(conv.id, node.id);
      },
      onBranch(id) {
        const { conv, convs } = latest.current;
        if (conv) convs.update(conv.id, (c) => selectBranch(c, id));
      },
      // The index is looked up on click: artifacts before this message may have come or gone.
      runButton(node, block) {
        return at(node, block) < 0 ? null : (
          <button
            type="button"
            class="code-run"
            data-testid="artifact-run"
            onClick={() => setArtifact(at(node, block))}
          >
            ▶ {t('run')}
          </button>
        );
      },
    };
  }, []);

  return (
    <div
      class={`chat${artifact !== null ? ' with-artifact' : ''}${drawer ? ' drawer-open' : ''}`}
      data-testid="chat-screen"
      data-session={session.kind}
    >
      <button
        class="drawer-backdrop"
        aria-label={t('closeMenu')}
        tabIndex={-1}
        onClick={() => setDrawer(false)}
        data-testid="drawer-backdrop"
      />
      <Sidebar convs={convs} onPicked={() => setDrawer(false)} />
      <section class="chat-main">
        <div class="chat-toolbar">
          <ModelPicker
            session={session}
            onPicked={(id) => {
              if (conv) convs.update(conv.id, (c) => ({ ...c, modelId: id }));
            }}
          />
          <span class="toolbar-buttons">
            <button
              class="secondary"
              onClick={() => setShowSettings(!showSettings)}
              aria-expanded={showSettings}
              data-testid="settings-toggle"
            >
              {t('settings')}
            </button>
            {/* on a phone, the conversation list is a drawer; the toggle stays above it to close it */}
            <button
              class="drawer-toggle secondary"
              onClick={() => setDrawer(!drawer)}
              aria-label={t('menu')}
              aria-expanded={drawer}
              data-testid="drawer-toggle"
            >
              ☰
            </button>
          </span>
        </div>
        {showSettings && conv && (
          <SettingsPanel
            conversation={conv}
            onChange={(c) => convs.update(c.id, () => c)}
            serverSetup={serverSetup}
            session={session}
            onClose={() => setShowSettings(false)}
          />
        )}
        <ModelStatus
          session={session}
          onImport={props.onImport}
          onServer={() => {
            setServerSetup(true);
            setShowSettings(true);
          }}
        />
        <div class="thread" data-testid="thread" aria-live="polite">
          {shown.length === 0 && <p class="muted empty">{t('empty')}</p>}
          {contextStart > 0 && <p class="muted small context-note">{t('outOfContext')}</p>}
          {conv &&
            shown.map((n, i) => (
              <MessageView
                key={n.id}
                node={n}
                siblings={siblings[i]!}
                streaming={replies.busy === n.id}
                busy={replies.busy !== null}
                isLast={i === shown.length - 1}
                outOfContext={i < contextStart}
                runnable={runnable.get(n.id) ?? ''}
                {...actions}
              />
            ))}
          {replies.overflow && conv && replies.overflow.conversationId === conv.id && (
            <div class="panel overflow" role="alert" data-testid="overflow">
              <p>{t('overflow', { n: replies.overflow.tokens, max: replies.overflow.max })}</p>
              <button
                class="primary"
                data-testid="drop-oldest"
                onClick={() => {
                  const o = replies.overflow!;
                  const dropped = dropOldestTurn(convs.get(o.conversationId)!);
                  replies.clearOverflow();
                  if (dropped) {
                    convs.update(o.conversationId, () => dropped);
                    void replies.reply(o.conversationId, o.userId);
                  }
                }}
              >
                {t('dropOldest')}
              </button>
            </div>
          )}
          <div ref={end} />
        </div>
        <Composer
          busy={replies.busy !== null}
          disabled={!ready}
          onSend={send}
          onStop={replies.stop}
          countTokens={countTokens}
          contextLength={ready?.contextLength ?? 0}
        />
      </section>
      {artifact !== null && artifacts.length > 0 && (
        <section class="artifact-side" data-testid="artifact-side">
          <ArtifactPanel
            versions={artifacts.map((a) => a.artifact)}
            index={Math.min(artifact, artifacts.length - 1)}
            onIndex={setArtifact}
            onClose={() => setArtifact(null)}
            onFix={fix}
          />
        </section>
      )}
    </div>
  );
}
