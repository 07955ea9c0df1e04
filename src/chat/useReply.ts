/**
 * Asking the model: stream an answer into a new assistant message, stop it, and notice when the
 * conversation outgrows the context (then the user is offered to drop the oldest turns).
 */
import { useState } from 'preact/hooks';
import { engine } from '../engine';
import { addMessage, messagesForModel, updateMessage } from './conversation';
import { client, sessionFailed } from './session';
import type { Conversations } from './useConversations';

export interface Overflow {
  conversationId: string;
  tokens: number;
  max: number;
  /** the user message that could not be answered */
  userId: string;
}

const RENDER_EVERY_MS = 40;

export function useReply(convs: Conversations, modelId: string | undefined, contextLength: number) {
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
      return;
    }
    setOverflow(null);
    const answerId = crypto.randomUUID();
    convs.update(conversationId, (x) => addMessage(x, userId, 'assistant', '', Date.now(), answerId));
    setBusy(answerId);
    let text = '';
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
        if (choice?.delta.content) text += choice.delta.content;
        if (choice?.finish_reason) finish = choice.finish_reason;
        if (chunk.usage) {
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
    } catch (e) {
      const err = e as Error;
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
