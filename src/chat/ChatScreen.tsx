import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { extractArtifacts, type Artifact } from '../artifacts/detect';
import { ArtifactPanel } from '../artifacts/ArtifactPanel';
import { fixRequest } from '../artifacts/fix';
import { useLang } from '../i18n';
import { Composer } from './Composer';
import { addMessage, deleteMessage, dropOldestTurn, selectBranch, thread, type ChatNode } from './conversation';
import { MessageView } from './MessageView';
import { ModelPicker } from './ModelPicker';
import { ModelStatus } from './ModelStatus';
import { startSession, useModelSession } from './session';
import { SettingsPanel } from './SettingsPanel';
import { Sidebar } from './Sidebar';
import { t } from './strings';
import { useConversations } from './useConversations';
import { useReply } from './useReply';
import './chat.css';

/** The chat: conversations, the thread, the composer, settings, and the artifact preview. */
export function ChatScreen(props: { onImport: () => void; serverSetup?: boolean }) {
  useLang();
  const session = useModelSession();
  const convs = useConversations();
  const ready = session.kind === 'ready' ? session : undefined;
  const replies = useReply(convs, ready?.model.id);
  const [showSettings, setShowSettings] = useState(props.serverSetup ?? false);
  const [serverSetup, setServerSetup] = useState(props.serverSetup ?? false);
  const [drawer, setDrawer] = useState(false);
  const [artifact, setArtifact] = useState<number | null>(null);
  const end = useRef<HTMLDivElement>(null);

  useEffect(() => { void startSession(); }, []);
  useEffect(() => {
    if (convs.ready && convs.list.length === 0) convs.create();
  }, [convs.ready]);
  // Read through a ref: the listener must see a reply that started a moment ago, before any effect re-ran.
  const busy = useRef(replies.busy);
  busy.current = replies.busy;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape') return;
      if (busy.current) replies.stop();
      else setDrawer(false);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const conv = convs.current;
  const shown = conv ? thread(conv) : [];
  useEffect(() => { end.current?.scrollIntoView({ block: 'end' }); }, [shown.at(-1)?.content.length, conv?.id]);

  // Every artifact of the thread, in order: the versions the preview steps through.
  const artifacts = useMemo(() => {
    const all: { node: string; artifact: Artifact }[] = [];
    for (const n of shown) if (n.role === 'assistant') for (const a of extractArtifacts(n.content)) all.push({ node: n.id, artifact: a });
    return all;
  }, [shown.map((n) => n.content).join('\u0000')]);

  const contextStart = conv?.contextFrom ? shown.findIndex((n) => n.id === conv.contextFrom) : 0;

  const send = (text: string) => {
    if (!conv) return;
    const last = shown.at(-1);
    const id = crypto.randomUUID();
    convs.update(conv.id, (c) => addMessage(c, last?.id ?? null, 'user', text, Date.now(), id));
    void replies.reply(conv.id, id);
  };
  const fix = (error: string, source: string) => send(fixRequest(error, source));

  const actions = {
    onEdit(node: ChatNode, text: string) {
      if (!conv) return;
      const id = crypto.randomUUID();
      convs.update(conv.id, (c) => addMessage(c, node.parent, 'user', text, Date.now(), id));
      void replies.reply(conv.id, id);
    },
    onRegenerate(node: ChatNode) {
      if (conv && node.parent) void replies.reply(conv.id, node.parent);
    },
    onDelete(node: ChatNode) {
      if (conv) convs.update(conv.id, (c) => deleteMessage(c, node.id));
    },
    onBranch(id: string) {
      if (conv) convs.update(conv.id, (c) => selectBranch(c, id));
    },
    runButton(node: ChatNode, block: number) {
      const i = artifacts.findIndex((a) => a.node === node.id && a.artifact.blocks[0] === block);
      return i < 0 ? null : <button type="button" class="code-run" data-testid="artifact-run" onClick={() => setArtifact(i)}>▶ {t('run')}</button>;
    },
  };

  return (
    <div class={`chat${artifact !== null ? ' with-artifact' : ''}${drawer ? ' drawer-open' : ''}`} data-testid="chat-screen" data-session={session.kind}>
      <button class="drawer-backdrop" aria-label={t('closeMenu')} tabIndex={-1} onClick={() => setDrawer(false)} data-testid="drawer-backdrop" />
      <Sidebar convs={convs} onPicked={() => setDrawer(false)} />
      <section class="chat-main">
        <div class="chat-toolbar">
          <ModelPicker session={session} />
          <span class="toolbar-buttons">
            <button class="secondary" onClick={() => setShowSettings(!showSettings)} aria-expanded={showSettings} data-testid="settings-toggle">{t('settings')}</button>
            {/* on a phone, the conversation list is a drawer; the toggle stays above it to close it */}
            <button class="drawer-toggle secondary" onClick={() => setDrawer(!drawer)} aria-label={t('menu')} aria-expanded={drawer} data-testid="drawer-toggle">☰</button>
          </span>
        </div>
        {showSettings && conv && <SettingsPanel conversation={conv} onChange={(c) => convs.update(c.id, () => c)} serverSetup={serverSetup} session={session} />}
        <ModelStatus session={session} onImport={props.onImport} onServer={() => { setServerSetup(true); setShowSettings(true); }} />
        <div class="thread" data-testid="thread" aria-live="polite">
          {shown.length === 0 && <p class="muted empty">{t('empty')}</p>}
          {contextStart > 0 && <p class="muted small context-note">{t('outOfContext')}</p>}
          {conv && shown.map((n, i) => (
            <MessageView key={n.id} conv={conv} node={n} streaming={replies.busy === n.id} busy={replies.busy !== null} isLast={i === shown.length - 1} outOfContext={i < contextStart} {...actions} />
          ))}
          {replies.overflow && conv && replies.overflow.conversationId === conv.id && (
            <div class="panel overflow" role="alert" data-testid="overflow">
              <p>{t('overflow', { n: replies.overflow.tokens, max: replies.overflow.max })}</p>
              <button class="primary" data-testid="drop-oldest" onClick={() => {
                const o = replies.overflow!;
                const dropped = dropOldestTurn(convs.get(o.conversationId)!);
                replies.clearOverflow();
                if (dropped) { convs.update(o.conversationId, () => dropped); void replies.reply(o.conversationId, o.userId); }
              }}>{t('dropOldest')}</button>
            </div>
          )}
          <div ref={end} />
        </div>
        <Composer busy={replies.busy !== null} disabled={!ready} onSend={send} onStop={replies.stop} />
      </section>
      {artifact !== null && artifacts.length > 0 && (
        <section class="artifact-side" data-testid="artifact-side">
          <ArtifactPanel versions={artifacts.map((a) => a.artifact)} index={Math.min(artifact, artifacts.length - 1)} onIndex={setArtifact}
            onClose={() => setArtifact(null)} onFix={fix} />
        </section>
      )}
    </div>
  );
}
