/**
 * Asking the model: stream an answer into a new assistant message, stop it, and notice when the
 * conversation outgrows the context (then the user is offered to drop the oldest turns). The engine
 * is reached only through the web-llm-shaped client (session.ts), as any page using the in-page API
 * would; it checks the request and the context.
 */
import type { ChatCompletionRequest } from '@mlc-ai/web-llm';
import { useEffect, useState } from 'preact/hooks';
import { addMessage, deleteMessage, messagesForModel, updateMessage, type ChatNode } from './conversation';
import { client, sessionFailed } from './session';
import type { Conversations } from './useConversations';

/** A reply as it happens, for an embedding page (the widget forwards these to its host). */
export type ReplyEvent =
  | { type: 'start'; userId: string; answerId: string }
  | { type: 'delta'; answerId: string; delta: string }
  | { type: 'done'; answerId: string; text: string; finish: string; promptTokens: number; completionTokens: number }
  | { type: 'error'; userId: string; answerId?: string; code: 'context-full' | 'generation-failed'; message: string };

export interface Overflow {
  conversationId: string;
  tokens: number;
  max: number;
  /** the user message that could not be answered */
  userId: string;
}

/** How often streamed text reaches the conversation (and so the screen), at most: once per this many ms. */
export const RENDER_EVERY_MS = 40;

/** The prefill progress of the reply being generated (a long prompt takes a while before its first token). */
export interface PrefillState {
  answerId: string;
  done: number;
  total: number;
}
let prefill: PrefillState | null = null;
const prefillListeners = new Set<(p: PrefillState | null) => void>();
function setPrefill(p: PrefillState | null): void {
  prefill = p;
  prefillListeners.forEach((f) => f(p));
}

/** The prefill progress of reply `answerId` while its prompt is being read, else null. */
export function usePrefill(answerId: string): PrefillState | null {
  const [p, set] = useState(prefill);
  useEffect(() => {
    prefillListeners.add(set);
    set(prefill);
    return () => {
      prefillListeners.delete(set);
    };
  }, []);
  return p && p.answerId === answerId && p.done < p.total ? p : null;
}

/** The facts a ContextWindowSizeExceededError carries (workers/errors.ts, contextExceeded). */
interface ContextDetails {
  promptTokens: number;
  contextLength: number;
}

export function useReply(
  convs: Pick<Conversations, 'get' | 'update'>,
  modelId: string | undefined,
  onEvent?: (e: ReplyEvent) => void,
) {
  const [busy, setBusy] = useState<string | null>(null);
  const [overflow, setOverflow] = useState<Overflow | null>(null);

  async function reply(conversationId: string, userId: string): Promise<void> {
    const c = convs.get(conversationId);
    if (!c || !modelId || busy) return;
    const messages = messagesForModel(c, userId);
    setOverflow(null);
    const answerId = crypto.randomUUID();
    // The conversation remembers the model that answers it (ChatView brings it back on return).
    convs.update(conversationId, (x) => ({ ...addMessage(x, userId, 'assistant', '', Date.now(), answerId), modelId }));
    await stream(conversationId, userId, answerId, messages, '', false);
  }

  /**
   * Go on writing a reply that was cut short (a reload or closed tab, or max_tokens): the model is
   * sent the conversation up to and with that reply (extra_body.continue_final_message) and what it
   * writes is added to the same message.
   */
  async function continueReply(conversationId: string, answerId: string): Promise<void> {
    const c = convs.get(conversationId);
    const answer = c?.nodes[answerId];
    if (!c || !answer?.parent || !modelId || busy) return;
    setOverflow(null);
    convs.update(conversationId, (x) => updateMessage(x, answerId, { stats: undefined, error: undefined }));
    await stream(conversationId, answer.parent, answerId, messagesForModel(c, answerId), answer.content, true);
  }

  async function stream(
    conversationId: string,
    userId: string,
    answerId: string,
    messages: ReturnType<typeof messagesForModel>,
    before: string,
    continueFinal: boolean,
  ): Promise<void> {
    const c = convs.get(conversationId)!;
    setBusy(answerId);
    onEvent?.({ type: 'start', userId, answerId });
    let text = before;
    let usage = { promptTokens: 0, completionTokens: 0 };
    const sentAt = performance.now();
    let firstAt = 0;
    let deltas = 0;
    let stats: ChatNode['stats'] | undefined;
    /** tokens/s and the time to the first token as this page saw them (one delta, about one token) */
    const clientStats = () => {
      const end = performance.now();
      return {
        tokensPerSecond: deltas > 1 && firstAt ? (deltas - 1) / ((end - firstAt) / 1000) : 0,
        timeToFirstTokenS: ((firstAt || end) - sentAt) / 1000,
      };
    };
    let flushed = 0;
    const flush = (lazy?: 'lazy') => {
      flushed = performance.now();
      convs.update(conversationId, (x) => updateMessage(x, answerId, { content: text }), lazy);
    };
    // the engine this reply asks (session.ts's client is a live binding that a model pick may change)
    const engine = client;
    try {
      const s = c.settings;
      engine.setPrefillProgressCallback?.(({ done, total }) => setPrefill({ answerId, done, total }));
      const stream = await engine.chat.completions.create({
        messages,
        stream: true,
        stream_options: { include_usage: true },
        temperature: s.temperature,
        top_p: s.top_p,
        max_tokens: s.max_tokens,
        ...(s.seed !== null ? { seed: s.seed } : {}),
        ...(continueFinal
          ? { extra_body: { continue_final_message: true } as ChatCompletionRequest['extra_body'] }
          : {}),
      });
      let finish = 'stop';
      for await (const chunk of stream) {
        const choice = chunk.choices[0];
        if (choice?.delta.content) {
          text += choice.delta.content;
          onEvent?.({ type: 'delta', answerId, delta: choice.delta.content });
        }
        if (choice?.finish_reason) finish = choice.finish_reason;
        if (choice?.delta.content) {
          firstAt ||= performance.now();
          deltas++;
        }
        if (chunk.usage) {
          usage = { promptTokens: chunk.usage.prompt_tokens, completionTokens: chunk.usage.completion_tokens };
          // a server's usage may carry no `extra` (web-llm's figures): then this page's own timing
          const x = (
            chunk.usage as {
              extra?: { decode_tokens_per_s?: number; time_to_first_token_s?: number; expert_hit_rate?: number };
            }
          ).extra;
          const measured = clientStats();
          stats = {
            tokensPerSecond: x?.decode_tokens_per_s ?? measured.tokensPerSecond,
            timeToFirstTokenS: x?.time_to_first_token_s ?? measured.timeToFirstTokenS,
            expertHitRate: x?.expert_hit_rate ?? 1,
            promptTokens: usage.promptTokens,
            completionTokens: usage.completionTokens,
            finish,
          };
          const st = stats;
          convs.update(conversationId, (m) => updateMessage(m, answerId, { content: text, stats: st }));
        } else if (performance.now() - flushed > RENDER_EVERY_MS) flush('lazy');
      }
      // A server that sends no usage: the figures this page measured.
      if (!stats) {
        const st = { ...clientStats(), expertHitRate: 1, promptTokens: 0, completionTokens: deltas, finish };
        convs.update(conversationId, (m) => updateMessage(m, answerId, { content: text, stats: st }));
      }
      flush();
      onEvent?.({ type: 'done', answerId, text: text.slice(before.length), finish, ...usage });
    } catch (e) {
      const err = e as Error & { details?: ContextDetails };
      const full = err.name === 'ContextWindowSizeExceededError';
      onEvent?.({
        type: 'error',
        userId,
        answerId,
        code: full ? 'context-full' : 'generation-failed',
        message: err.message,
      });
      if (err.name === 'DeviceLostError') sessionFailed(err.message);
      if (full && err.details && !continueFinal) {
        // Nothing was generated: the question waits, unanswered, for the user to make room.
        convs.update(conversationId, (x) => deleteMessage(x, answerId));
        setOverflow({ conversationId, tokens: err.details.promptTokens, max: err.details.contextLength, userId });
      } else {
        convs.update(conversationId, (x) => updateMessage(x, answerId, { content: text, error: err.message }));
      }
    } finally {
      engine.setPrefillProgressCallback?.(undefined);
      setPrefill(null);
      setBusy(null);
    }
  }

  return {
    busy,
    overflow,
    clearOverflow: () => setOverflow(null),
    reply,
    continueReply,
    stop: () => client.interruptGenerate(),
  };
}

export type Replies = ReturnType<typeof useReply>;
