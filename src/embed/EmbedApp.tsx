/**
 * The embeddable widget (embed.html): one compact conversation, settings from the host, and the host
 * protocol (./protocol.ts) wired to the same reply path as the app's chat.
 */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { ArtifactPanel } from '../artifacts/ArtifactPanel';
import { fixRequest } from '../artifacts/fix';
import { Composer } from '../chat/Composer';
import { addMessage, deleteMessage, selectBranch, siblingIds, thread, type Conversation } from '../chat/conversation';
import { Markdown } from '../chat/markdown/Markdown';
import { MessageView, type MessageActions } from '../chat/MessageView';
import { ModelStatus } from '../chat/ModelStatus';
import {
  connectServer,
  endpointOrigin,
  startSession,
  switchToDevice,
  useModelSession,
  type EngineChoice,
  type ModelSession,
} from '../chat/session';
import { t as chatT } from '../chat/strings';
import { runnableBlocks, useThreadArtifacts, type ArtifactSource } from '../chat/thread-artifacts';
import { useReply, type ReplyEvent } from '../chat/useReply';
import { browserLang, setLang, useLang } from '../i18n';
import type { HostLink } from './host-link';
import { NoModelPanel } from './NoModelPanel';
import type { EmbedSettings, HostMessage, WidgetState } from './protocol';
import { requestAppStorage, storageAccessGranted } from './storage-access';
import { t } from './strings';
import { useWidgetConversation } from './useWidgetConversation';
import '../chat/chat.css';
import './embed.css';

export interface EmbedProps {
  initial: EmbedSettings;
  /** connects the host channel; the widget's handler receives what the host sends */
  connect: (onMessage: (m: HostMessage) => void) => HostLink;
  appUrl: string;
}

const GREETING = 'greeting';

export function EmbedApp(props: EmbedProps) {
  useLang();
  const [settings, setSettings] = useState(props.initial);
  const session = useModelSession();
  const conv = useWidgetConversation((c) => withSettings(c, props.initial));
  const ready = session.kind === 'ready' ? session : undefined;
  const hostIds = useRef(new Map<string, string>()); // user message id → the host's prompt id
  const link = useRef<HostLink | null>(null);
  const replies = useReply(conv, ready?.model.id, (e) => forward(e));
  const [artifact, setArtifact] = useState<number | null>(null);
  const shell = useRef<HTMLDivElement>(null);
  const sessionNow = useRef(session);
  sessionNow.current = session;
  const end = useRef<HTMLDivElement>(null);

  function forward(e: ReplyEvent): void {
    const post = link.current?.post;
    if (!post) return;
    const id = (userId: string) => hostIds.current.get(userId) ?? userId;
    if (e.type === 'start') {
      hostIds.current.set(e.answerId, id(e.userId));
      post({ type: 'start', id: id(e.userId), source: hostIds.current.has(e.userId) ? 'host' : 'user' });
    } else if (e.type === 'delta') post({ type: 'token', id: id(e.answerId), delta: e.delta });
    else if (e.type === 'done')
      post({
        type: 'done',
        id: id(e.answerId),
        text: e.text,
        finish_reason: e.finish,
        usage: { prompt_tokens: e.promptTokens, completion_tokens: e.completionTokens },
      });
    else post({ type: 'error', id: id(e.userId), code: e.code, message: e.message });
  }

  const send = (text: string, hostId?: string): void => {
    const c = conv.current;
    const id = crypto.randomUUID();
    if (hostId !== undefined) hostIds.current.set(id, hostId);
    conv.update(c.id, (x) => addMessage(x, thread(x).at(-1)?.id ?? null, 'user', text, Date.now(), id));
    void replies.reply(c.id, id);
  };

  // The host's messages, read through refs: the listener is registered once, the state moves on.
  const onHost = useRef<(m: HostMessage) => void>(() => {});
  onHost.current = (m) => {
    const post = link.current!.post;
    if (m.type === 'prompt') {
      if (!ready)
        return post({
          type: 'error',
          ...(m.id ? { id: m.id } : {}),
          code: 'not-ready',
          message: `The model is not ready (${session.kind}).`,
        });
      if (replies.busy)
        return post({
          type: 'error',
          ...(m.id ? { id: m.id } : {}),
          code: 'busy',
          message: 'A reply is being generated; send "stop" or wait for "done".',
        });
      send(m.text, m.id ?? crypto.randomUUID());
    } else if (m.type === 'set-system-prompt') change({ systemPrompt: m.text });
    else if (m.type === 'set-settings') change(m.settings);
    else if (m.type === 'stop') void replies.stop();
    else {
      void replies.stop();
      conv.reset();
      setArtifact(null);
    }
  };
  const change = (patch: Partial<EmbedSettings>) => {
    const next = { ...settings, ...patch };
    // A key belongs to its server: a new server's origin without a key of its own gets none.
    if (patch.apiKey === undefined && endpointOrigin(next.endpoint) !== endpointOrigin(settings.endpoint))
      next.apiKey = '';
    setSettings(next);
    conv.update(conv.current.id, (c) => withSettings(c, patch));
    const moved =
      next.endpoint !== settings.endpoint ||
      (next.endpoint !== '' && (next.model !== settings.model || next.apiKey !== settings.apiKey));
    if (moved) {
      void replies.stop();
      const use = next.endpoint ? connectServer(next.endpoint, next.model, next.apiKey) : switchToDevice();
      // a server that cannot be used while a model was ready here: that model stays, the host is told why
      use.catch((e: Error) => link.current?.post({ type: 'error', code: 'invalid-settings', message: e.message }));
    }
  };

  useEffect(() => {
    link.current = props.connect((m) => onHost.current(m));
    void (async () => {
      const engine = engineOf(props.initial);
      await startSession(engine, props.initial.apiKey);
      if (engine.kind === 'server') return;
      // A grant made on an earlier visit works without a click.
      const kind = sessionNow.current.kind;
      if ((kind === 'none' || kind === 'unavailable') && window.parent !== window && (await storageAccessGranted())) {
        if ((await requestAppStorage()).kind === 'granted') await startSession(engine);
      }
    })();
  }, []);

  // Esc stops an answer, as in the app (read through a ref: a reply that started a moment ago counts).
  const busyNow = useRef(replies.busy);
  busyNow.current = replies.busy;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape' && busyNow.current) void replies.stop();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const state = stateOf(session);
  useEffect(() => {
    const s = session;
    link.current?.post({
      type: 'status',
      state,
      ...('model' in s ? { model: s.model.name } : {}),
      ...(s.kind === 'loading' ? { progress: s.progress } : {}),
      ...(s.kind === 'error' || s.kind === 'unavailable' ? { message: s.message } : {}),
    });
  }, [state, 'model' in session ? session.model.id : '']);

  useEffect(() => {
    const root = document.documentElement;
    if (settings.theme === 'auto') delete root.dataset.theme;
    else root.dataset.theme = settings.theme;
    setLang(settings.lang === 'auto' ? browserLang() : settings.lang, false);
  }, [settings.theme, settings.lang]);

  const shown = thread(conv.current);
  useEffect(() => {
    end.current?.scrollIntoView({ block: 'end' });
  }, [shown.at(-1)?.content.length]);
  // The height the content would like, for a loader that sizes the frame to fit. The panels above
  // the thread come and go with the session; the thread's body grows by itself.
  const reported = useRef(0);
  useEffect(() => {
    const el = shell.current;
    if (!el) return;
    const report = () => {
      const height = Math.ceil(naturalHeight(el));
      if (height !== reported.current) link.current?.post({ type: 'resize', height });
      reported.current = height;
    };
    const ro = new ResizeObserver(report);
    for (const c of el.querySelectorAll('.thread-body, .embed-top, .composer, .embed > .panel')) ro.observe(c);
    report();
    return () => ro.disconnect();
  }, [session.kind]);

  // The greeting's artifacts count too, so a host can show a runnable demo before any question. A
  // reply still streaming is left out (its Run buttons come when it is done).
  const sources: ArtifactSource[] = !settings.artifacts
    ? []
    : [
        ...(settings.greeting ? [{ id: GREETING, content: settings.greeting }] : []),
        ...shown.filter((n) => n.role === 'assistant' && n.id !== replies.busy),
      ];
  const artifacts = useThreadArtifacts(sources);
  const runnable = useMemo(() => runnableBlocks(artifacts), [artifacts]);
  const siblings = siblingIds(conv.current, shown);
  // Read by the actions when called: they are made once, so that messages need not re-render.
  const latest = useRef({ conv, replies, artifacts });
  latest.current = { conv, replies, artifacts };
  const at = (nodeId: string, block: number) =>
    latest.current.artifacts.findIndex((a) => a.node === nodeId && a.artifact.blocks[0] === block);
  // The index is looked up on click: artifacts before this message may have come or gone.
  const runButton = (nodeId: string, block: number) =>
    at(nodeId, block) < 0 ? null : (
      <button type="button" class="code-run" data-testid="artifact-run" onClick={() => setArtifact(at(nodeId, block))}>
        ▶ {chatT('run')}
      </button>
    );

  const actions = useMemo(
    (): MessageActions => ({
      onEdit(node, text) {
        const { conv, replies } = latest.current;
        const id = crypto.randomUUID();
        conv.update(conv.current.id, (c) => addMessage(c, node.parent, 'user', text, Date.now(), id));
        void replies.reply(conv.current.id, id);
      },
      onRegenerate(node) {
        const { conv, replies } = latest.current;
        if (node.parent) void replies.reply(conv.current.id, node.parent);
      },
      onDelete(node) {
        const { conv } = latest.current;
        conv.update(conv.current.id, (c) => deleteMessage(c, node.id));
      },
      onBranch(id) {
        const { conv } = latest.current;
        conv.update(conv.current.id, (c) => selectBranch(c, id));
      },
      runButton: (node, block) => runButton(node.id, block),
    }),
    [],
  );

  return (
    <div class={`embed${artifact !== null ? ' with-artifact' : ''}`} ref={shell} data-testid="embed">
      <header class="embed-top">
        <strong>Lite Coder</strong>
        <span class="muted small" data-testid="engine-indicator" data-engine={ready?.model.engine ?? ''}>
          {ready ? ready.model.name : ''}
        </span>
        <button
          class="secondary"
          disabled={replies.busy !== null || shown.length === 0}
          onClick={() => {
            conv.reset();
            setArtifact(null);
          }}
          data-testid="new-chat"
        >
          {t('newChat')}
        </button>
      </header>
      {session.kind === 'none' || session.kind === 'unavailable' ? (
        <NoModelPanel appUrl={props.appUrl} blocked={session.kind === 'unavailable'} />
      ) : (
        <ModelStatus session={session} onImport={() => window.open(props.appUrl, '_blank', 'noopener')} />
      )}
      <div class="thread" data-testid="thread" aria-live="polite">
        <div class="thread-body">
          {settings.greeting ? (
            <article class="msg assistant" data-testid="greeting">
              <div class="msg-body">
                <Markdown text={settings.greeting} renderActions={(i) => runButton(GREETING, i)} />
              </div>
            </article>
          ) : (
            shown.length === 0 && <p class="muted empty">{chatT('empty')}</p>
          )}
          {shown.map((n, i) => (
            <MessageView
              key={n.id}
              node={n}
              siblings={siblings[i]!}
              streaming={replies.busy === n.id}
              busy={replies.busy !== null}
              isLast={i === shown.length - 1}
              outOfContext={false}
              runnable={runnable.get(n.id) ?? ''}
              {...actions}
            />
          ))}
          {replies.overflow && (
            <p class="panel error" role="alert" data-testid="overflow">
              {chatT('overflow', { n: replies.overflow.tokens, max: replies.overflow.max })}
            </p>
          )}
          <div ref={end} />
        </div>
      </div>
      <Composer busy={replies.busy !== null} disabled={!ready} onSend={(text) => send(text)} onStop={replies.stop} />
      {artifact !== null && artifacts.length > 0 && (
        <section class="embed-artifact" data-testid="artifact-side">
          <ArtifactPanel
            versions={artifacts.map((a) => a.artifact)}
            index={Math.min(artifact, artifacts.length - 1)}
            onIndex={setArtifact}
            onClose={() => setArtifact(null)}
            onFix={(error, source) => send(fixRequest(error, source))}
          />
        </section>
      )}
    </div>
  );
}

/** Where the widget's answers come from: the host's server, or this device. */
function engineOf(s: EmbedSettings): EngineChoice {
  return s.endpoint ? { kind: 'server', endpoint: s.endpoint, model: s.model } : { kind: 'device' };
}

/** The conversation with the settings `s` gives (the others as they were). */
function withSettings(c: Conversation, s: Partial<EmbedSettings>): Conversation {
  const sampling = Object.entries({
    temperature: s.temperature,
    top_p: s.top_p,
    max_tokens: s.max_tokens,
    seed: s.seed,
  }).filter(([, v]) => v !== undefined);
  return {
    ...c,
    systemPrompt: s.systemPrompt ?? c.systemPrompt,
    settings: { ...c.settings, ...Object.fromEntries(sampling) },
  };
}

function stateOf(s: ModelSession): WidgetState {
  return s.kind === 'none' ? 'no-model' : s.kind === 'unavailable' ? 'error' : s.kind;
}

/** The thread's full height plus the fixed parts around it: what fits without scrolling. */
function naturalHeight(el: HTMLElement): number {
  const thread = el.querySelector<HTMLElement>('.thread');
  return thread ? el.scrollHeight - thread.clientHeight + thread.scrollHeight : el.scrollHeight;
}
