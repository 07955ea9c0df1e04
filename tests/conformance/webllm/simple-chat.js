// simple-chat: a chat page's calls: load, stream a reply, stop one midway, reset, stats, unload.
import * as webllm from '/lite-coder.js';

export async function run(selectedModel, appConfig) {
  const engine = new webllm.MLCEngine({ appConfig });
  globalThis.engine = engine;
  const labels = [];
  engine.setInitProgressCallback((report) => labels.push(report.text));
  await engine.reload(selectedModel, { temperature: 0 });

  const chat = [{ role: 'user', content: 'Write a quick sort in python' }];
  let curMessage = '';
  let finish;
  for await (const chunk of await engine.chat.completions.create({ stream: true, messages: chat, max_tokens: 8 })) {
    curMessage += chunk.choices[0]?.delta.content || '';
    finish = chunk.choices[0]?.finish_reason ?? finish;
  }
  const finalMessage = await engine.getMessage();
  const statsText = await engine.runtimeStatsText();

  // Stop the next reply after its first piece (the Stop button).
  let stopped = '';
  let stoppedFinish;
  for await (const chunk of await engine.chat.completions.create({ stream: true, messages: chat, max_tokens: 64, ignore_eos: true })) {
    stopped += chunk.choices[0]?.delta.content || '';
    stoppedFinish = chunk.choices[0]?.finish_reason ?? stoppedFinish;
    engine.interruptGenerate();
  }
  await engine.resetChat();
  const afterReset = await engine.runtimeStatsText();
  const again = await engine.chat.completions.create({ messages: chat, max_tokens: 8 });
  await engine.unload();
  const againText = again.choices[0].message.content;
  return { curMessage, finish, finalMessage, statsText, stopped, stoppedFinish, afterReset, again: againText, labels };
}
