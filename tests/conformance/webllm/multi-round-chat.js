// multi-round-chat: the caller keeps the history; a follow-up that extends it only prefills the new tokens.
import * as webllm from '/lite-coder.js';

export async function run(selectedModel, appConfig, streamSecond) {
  const engine = await webllm.CreateMLCEngine(selectedModel, { appConfig });
  globalThis.engine = engine;

  const messages = [
    { role: 'system', content: 'You are a helpful, respectful and honest assistant.' },
    { role: 'user', content: 'Provide me three US states.' },
  ];
  const reply0 = await engine.chat.completions.create({ stream: false, messages, max_tokens: 10, temperature: 0 });
  const replyMessage0 = await engine.getMessage();

  messages.push({ role: 'assistant', content: replyMessage0 });
  messages.push({ role: 'user', content: 'Two more please!' });
  let usage1;
  let replyMessage1;
  if (streamSecond) {
    let text = '';
    const request = { stream: true, stream_options: { include_usage: true }, messages, max_tokens: 10, temperature: 0 };
    for await (const c of await engine.chat.completions.create(request)) {
      text += c.choices[0]?.delta.content || '';
      if (c.usage) usage1 = c.usage;
    }
    replyMessage1 = text;
  } else {
    const reply1 = await engine.chat.completions.create({ stream: false, messages, max_tokens: 10, temperature: 0 });
    usage1 = reply1.usage;
    replyMessage1 = await engine.getMessage();
  }

  // A history that no longer matches (another system prompt) is computed whole again.
  messages[0] = { role: 'system', content: 'Another system prompt.' };
  const reply2 = await engine.chat.completions.create({ stream: false, messages, max_tokens: 4, temperature: 0 });

  const prefillTokens0 = reply0.usage?.prompt_tokens;
  const prefillTokens1 = usage1?.prompt_tokens;
  if (prefillTokens0 === undefined || prefillTokens1 === undefined || prefillTokens1 > prefillTokens0) {
    throw Error('Multi-round chat is not triggered as expected.');
  }
  return { usage0: reply0.usage, usage1, usage2: reply2.usage, replyMessage0, replyMessage1, stats: await engine.runtimeStatsText() };
}
