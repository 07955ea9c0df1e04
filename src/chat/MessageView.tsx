import { memo } from 'preact/compat';
import { useCallback, useState } from 'preact/hooks';
import type { ChatNode } from './conversation';
import { Markdown } from './markdown/Markdown';
import { t } from './strings';
import { usePrefill } from './useReply';

/**
 * What a message's actions call. The thread passes the same functions on every render (they read the
 * latest state when called), so that a message whose props did not change is not rendered again.
 */
export interface MessageActions {
  onEdit: (node: ChatNode, text: string) => void;
  onRegenerate: (node: ChatNode) => void;
  onDelete: (node: ChatNode) => void;
  onBranch: (id: string) => void;
  /** the Run button of an artifact that starts at a code block of this message */
  runButton: (node: ChatNode, blockIndex: number) => preact.ComponentChildren;
  /** go on writing a reply cut short (interrupted, or stopped at max_tokens); without it, no Continue */
  onContinue?: (node: ChatNode) => void;
  /** ask again for the answer to the last user message, left unanswered; without it, no Retry */
  onRetry?: (node: ChatNode) => void;
}

export interface MessageProps extends MessageActions {
  node: ChatNode;
  /** the ids of the node's siblings, itself included, oldest first (conversation.ts siblingIds) */
  siblings: readonly string[];
  streaming: boolean;
  busy: boolean;
  isLast: boolean;
  outOfContext: boolean;
  /** the blocks of this message that start an artifact ("0,2"): runButton's answers change with it */
  runnable: string;
}

const ACTIONS = ['onEdit', 'onRegenerate', 'onDelete', 'onBranch', 'runButton', 'onContinue', 'onRetry'] as const;

/**
 * A reply that is not being written and never finished: no figures and no error means its stream
 * ended without an end (the page was closed or reloaded while it was written).
 */
export const isInterrupted = (node: ChatNode, streaming: boolean): boolean =>
  node.role === 'assistant' && !streaming && !node.stats && !node.error;

/** A rate needs two tokens: the first one's time is the prompt's (time to first token), not decoding. */
const MIN_TOKENS_FOR_RATE = 2;

/** Whether a message would render the same: while a reply streams, every other message is. */
function same(a: MessageProps, b: MessageProps): boolean {
  return (
    a.node === b.node &&
    a.streaming === b.streaming &&
    a.busy === b.busy &&
    a.isLast === b.isLast &&
    a.outOfContext === b.outOfContext &&
    a.runnable === b.runnable &&
    a.siblings.length === b.siblings.length &&
    a.siblings.every((id, i) => id === b.siblings[i]) &&
    ACTIONS.every((k) => a[k] === b[k])
  );
}

/** One message of the thread; rendered again only when its props change. */
export const MessageView = memo(MessageBody, same);

function MessageBody(props: MessageProps) {
  const { node } = props;
  const [editing, setEditing] = useState<string | null>(null);
  // The same function while the Run buttons would be the same: the Markdown need not render again.
  const renderActions = useCallback(
    (i: number) => props.runButton(node, i),
    [props.runButton, node.id, props.runnable],
  );
  const sibs = props.siblings;
  const at = sibs.indexOf(node.id);
  const s = node.stats;
  const reading = usePrefill(node.id);
  const interrupted = isInterrupted(node, props.streaming);
  const canContinue =
    props.onContinue &&
    node.role === 'assistant' &&
    props.isLast &&
    !props.streaming &&
    node.content !== '' &&
    (interrupted || s?.finish === 'length');
  const canRetry = props.onRetry && node.role === 'user' && props.isLast;
  return (
    <article
      class={`msg ${node.role}${props.outOfContext ? ' out-of-context' : ''}`}
      data-testid={`msg-${node.role}`}
      data-streaming={props.streaming ? '1' : undefined}
    >
      <header class="msg-head">
        <strong>{node.role === 'user' ? t('you') : t('assistant')}</strong>
        {sibs.length > 1 && (
          <span class="branches" data-testid="branches">
            <button
              aria-label="previous version"
              disabled={at === 0 || props.busy}
              onClick={() => props.onBranch(sibs[at - 1]!)}
            >
              ‹
            </button>
            {t('branch', { i: at + 1, n: sibs.length })}
            <button
              aria-label="next version"
              disabled={at === sibs.length - 1 || props.busy}
              onClick={() => props.onBranch(sibs[at + 1]!)}
            >
              ›
            </button>
          </span>
        )}
      </header>
      {editing !== null ? (
        <div class="msg-edit">
          <textarea
            value={editing}
            rows={4}
            data-testid="edit-text"
            onInput={(e) => setEditing(e.currentTarget.value)}
          />
          <button
            class="primary"
            data-testid="edit-save"
            disabled={!editing.trim()}
            onClick={() => {
              props.onEdit(node, editing);
              setEditing(null);
            }}
          >
            {t('saveSend')}
          </button>
          <button class="secondary" onClick={() => setEditing(null)}>
            {t('cancel')}
          </button>
        </div>
      ) : node.role === 'user' ? (
        // The user's Markdown goes through the same renderer and sanitiser as a reply's (pasted code is highlighted).
        <div class="msg-body user-text">
          <Markdown text={node.content} />
        </div>
      ) : (
        <div class="msg-body">
          {node.content ? (
            <Markdown text={node.content} streaming={props.streaming} renderActions={renderActions} />
          ) : props.streaming && reading ? (
            <p class="muted" data-testid="prefill-progress">
              {t('reading', { done: reading.done.toLocaleString(), total: reading.total.toLocaleString() })}
              <progress max={reading.total} value={reading.done} />
            </p>
          ) : (
            props.streaming && <p class="muted">{t('thinking')}</p>
          )}
          {node.error && (
            <p class="error" role="alert">
              {t('error', { msg: node.error })}
            </p>
          )}
        </div>
      )}
      {s && !props.streaming && (
        <p class="msg-stats muted small" data-testid="reply-stats" data-finish={s.finish}>
          {t(s.completionTokens >= MIN_TOKENS_FOR_RATE && s.tokensPerSecond > 0 ? 'stats' : 'statsNoRate', {
            tps: s.tokensPerSecond.toFixed(1),
            ttft: s.timeToFirstTokenS.toFixed(2),
            hit: Math.round(s.expertHitRate * 100),
          })}
          {s.finish === 'abort' ? ` · ${t('stopped')}` : s.finish === 'length' ? ` · ${t('cutAtMax')}` : ''}
        </p>
      )}
      {interrupted && (
        <p class="msg-stats muted small" data-testid="interrupted">
          {t('interrupted')}
        </p>
      )}
      {!props.streaming && editing === null && (
        <footer class="msg-actions">
          {node.role === 'user' && (
            <button disabled={props.busy} onClick={() => setEditing(node.content)} data-testid="msg-edit">
              {t('edit')}
            </button>
          )}
          {canContinue && (
            <button disabled={props.busy} onClick={() => props.onContinue?.(node)} data-testid="msg-continue">
              {t('continueReply')}
            </button>
          )}
          {canRetry && (
            <button disabled={props.busy} onClick={() => props.onRetry?.(node)} data-testid="msg-retry">
              {t('retryReply')}
            </button>
          )}
          {node.role === 'assistant' && props.isLast && (
            <button disabled={props.busy} onClick={() => props.onRegenerate(node)} data-testid="msg-regenerate">
              {t('regenerate')}
            </button>
          )}
          {node.role === 'assistant' && (
            <button onClick={() => void navigator.clipboard.writeText(node.content)}>{t('copy')}</button>
          )}
          <button disabled={props.busy} onClick={() => props.onDelete(node)} data-testid="msg-delete">
            {t('delete')}
          </button>
        </footer>
      )}
    </article>
  );
}
