// get-started-latency-breakdown: extra_body.enable_latency_breakdown adds per-token timings to usage.extra.
import * as webllm from '/lite-coder.js';

export async function run(selectedModel, appConfig) {
  const engine = await webllm.CreateMLCEngine(selectedModel, { appConfig });
  globalThis.engine = engine;
  const messages = [{ role: 'user', content: 'List three US states.' }];
  const extra_body = { enable_latency_breakdown: true };
  const reply = await engine.chat.completions.create({ messages, max_tokens: 6, temperature: 0.6, extra_body });
  const plain = await engine.chat.completions.create({ messages, max_tokens: 6, temperature: 0.6, seed: 3 });
  const sameSeedTimed = await engine.chat.completions.create({ messages, max_tokens: 6, temperature: 0.6, seed: 3, extra_body });
  return {
    usage: reply.usage, plainExtra: plain.usage.extra,
    plain: plain.choices[0].message.content, timed: sameSeedTimed.choices[0].message.content,
  };
}
