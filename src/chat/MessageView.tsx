import { useState } from 'preact/hooks';
import { siblings, type ChatNode, type Conversation } from './conversation';
import { Markdown } from './markdown/Markdown';
import { t } from './strings';
import { usePrefill } from './useReply';

export interface MessageActions {
  onEdit: (node: ChatNode, text: string) => void;
  onRegenerate: (node: ChatNode) => void;
  onDelete: (node: ChatNode) => void;
  onBranch: (id: string) => void;
  /** the Run button of an artifact that starts at a code block of this message */
  runButton: (node: ChatNode, blockIndex: number) => preact.ComponentChildren;
}

export function MessageView(props: { conv: Conversation; node: ChatNode; streaming: boolean; busy: boolean; isLast: boolean; outOfContext: boolean } & MessageActions) {
  const { node, conv } = props;
  const [editing, setEditing] = useState<string | null>(null);
  const sibs = siblings(conv, node.id);
  const at = sibs.findIndex((s) => s.id === node.id);
  const s = node.stats;
  const reading = usePrefill(node.id);
  return (
    <article class={`msg ${node.role}${props.outOfContext ? ' out-of-context' : ''}`} data-testid={`msg-${node.role}`} data-streaming={props.streaming ? '1' : undefined}>
      <header class="msg-head">
        <strong>{node.role === 'user' ? t('you') : t('assistant')}</strong>
        {sibs.length > 1 && (
          <span class="branches" data-testid="branches">
            <button aria-label="previous version" disabled={at === 0 || props.busy} onClick={() => props.onBranch(sibs[at - 1]!.id)}>‹</button>
            {t('branch', { i: at + 1, n: sibs.length })}
            <button aria-label="next version" disabled={at === sibs.length - 1 || props.busy} onClick={() => props.onBranch(sibs[at + 1]!.id)}>›</button>
          </span>
        )}
      </header>
      {editing !== null ? (
        <div class="msg-edit">
          <textarea value={editing} rows={4} data-testid="edit-text" onInput={(e) => setEditing(e.currentTarget.value)} />
          <button class="primary" data-testid="edit-save" disabled={!editing.trim()} onClick={() => { props.onEdit(node, editing); setEditing(null); }}>{t('saveSend')}</button>
          <button class="secondary" onClick={() => setEditing(null)}>{t('cancel')}</button>
        </div>
      ) : node.role === 'user' ? (
        <div class="msg-body user-text">{node.content}</div>
      ) : (
        <div class="msg-body">
          {node.content ? <Markdown text={node.content} streaming={props.streaming} renderActions={(i) => props.runButton(node, i)} />
            : props.streaming && reading ? (
              <p class="muted" data-testid="prefill-progress">
                {t('reading', { done: reading.done.toLocaleString(), total: reading.total.toLocaleString() })}
                <progress max={reading.total} value={reading.done} />
              </p>
            ) : props.streaming && <p class="muted">{t('thinking')}</p>}
          {node.error && <p class="error" role="alert">{t('error', { msg: node.error })}</p>}
        </div>
      )}
      {s && !props.streaming && (
        <p class="msg-stats muted small" data-testid="reply-stats">
          {t('stats', { tps: s.tokensPerSecond.toFixed(1), ttft: s.timeToFirstTokenS.toFixed(2), hit: Math.round(s.expertHitRate * 100) })}
          {s.finish === 'abort' ? ` · ${t('stopped')}` : ''}
        </p>
      )}
      {!props.streaming && editing === null && (
        <footer class="msg-actions">
          {node.role === 'user' && <button disabled={props.busy} onClick={() => setEditing(node.content)} data-testid="msg-edit">{t('edit')}</button>}
          {node.role === 'assistant' && props.isLast && <button disabled={props.busy} onClick={() => props.onRegenerate(node)} data-testid="msg-regenerate">{t('regenerate')}</button>}
          {node.role === 'assistant' && <button onClick={() => void navigator.clipboard.writeText(node.content)}>{t('copy')}</button>}
          <button disabled={props.busy} onClick={() => props.onDelete(node)} data-testid="msg-delete">{t('delete')}</button>
        </footer>
      )}
    </article>
  );
}
