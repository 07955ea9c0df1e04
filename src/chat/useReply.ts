/**
 * Asking the model: stream an answer into a new assistant message, stop it, and notice when the
 * conversation outgrows the context (then the user is offered to drop the oldest turns).
 */
import { useState } from 'preact/hooks';
import { engine } from '../engine';
import { addMessage, messagesForModel, updateMessage } from './conversation';
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

export function useReply(convs: Pick<Conversations, 'get' | 'update'>, modelId: string | undefined, contextLength: number, onEvent?: (e: ReplyEvent) => void) {
  const [busy, setBusy] = useState<string | null>(null);
  const [overflow, setOverflow] = useState<Overflow | null>(null);

  async function reply(conversationId: string, userId: string): Promise<void> {
    const c = convs.get(conversationId);
    if (!c || !modelId || busy) return;
    const messages = messagesForModel(c, userId);
    const promptIds = await engine().encodePrompt(modelId, { kind: 'chat', messages: messages.map((m) => ({ role: m.role, content: m.content })) });
    const room = contextLength - promptIds.length;
    if (room < 16) {
      setOverflow({ conversationId, tokens: promptIds.length, max: contextLength, userId });
      onEvent?.({ type: 'error', userId, code: 'context-full', message: `The conversation no longer fits in the context (${promptIds.length} of ${contextLength} tokens).` });
      return;
    }
    setOverflow(null);
    const answerId = crypto.randomUUID();
    convs.update(conversationId, (x) => addMessage(x, userId, 'assistant', '', Date.now(), answerId));
    setBusy(answerId);
    onEvent?.({ type: 'start', userId, answerId });
    let text = '';
    let usage = { promptTokens: 0, completionTokens: 0 };
    let flushed = 0;
    const flush = (lazy?: 'lazy') => { flushed = performance.now(); convs.update(conversationId, (x) => updateMessage(x, answerId, { content: text }), lazy); };
    try {
      const s = c.settings;
      const stream = await client.chat.completions.create({
        messages, stream: true, stream_options: { include_usage: true },
        temperature: s.temperature, top_p: s.top_p, max_tokens: Math.min(s.max_tokens, room), ...(s.seed !== null ? { seed: s.seed } : {}),
      });
      let finish = 'stop';
      for await (const chunk of stream) {
        const choice = chunk.choices[0];
        if (choice?.delta.content) {
          text += choice.delta.content;
          onEvent?.({ type: 'delta', answerId, delta: choice.delta.content });
        }
        if (choice?.finish_reason) finish = choice.finish_reason;
        if (chunk.usage) {
          usage = { promptTokens: chunk.usage.prompt_tokens, completionTokens: chunk.usage.completion_tokens };
          const u = chunk.usage as typeof chunk.usage & { extra: { expert_hit_rate?: number } };
          convs.update(conversationId, (x) => updateMessage(x, answerId, {
            content: text,
            stats: {
              tokensPerSecond: u.extra.decode_tokens_per_s, timeToFirstTokenS: u.extra.time_to_first_token_s, expertHitRate: u.extra.expert_hit_rate ?? 1,
              promptTokens: u.prompt_tokens, completionTokens: u.completion_tokens, finish,
            },
          }));
        } else if (performance.now() - flushed > RENDER_EVERY_MS) flush('lazy');
      }
      flush();
      onEvent?.({ type: 'done', answerId, text, finish, ...usage });
    } catch (e) {
      const err = e as Error;
      onEvent?.({ type: 'error', userId, answerId, code: err.name === 'ContextWindowSizeExceededError' ? 'context-full' : 'generation-failed', message: err.message });
      if (err.name === 'ContextWindowSizeExceededError') setOverflow({ conversationId, tokens: promptIds.length, max: contextLength, userId });
      if (err.name === 'DeviceLostError') sessionFailed(err.message);
      convs.update(conversationId, (x) => updateMessage(x, answerId, { content: text, error: err.message }));
    } finally {
      setBusy(null);
    }
  }

  return {
    busy,
    overflow,
    clearOverflow: () => setOverflow(null),
    reply,
    stop: () => client.interruptGenerate(),
  };
}

export type Replies = ReturnType<typeof useReply>;
