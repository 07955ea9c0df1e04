// streaming: a streamed chat completion with usage in its last chunk, the aliases, and a text completion.
import * as webllm from '/lite-coder.js';

export async function run(selectedModel, appConfig) {
  const engine = new webllm.MLCEngine({ appConfig });
  engine.setInitProgressCallback((report) => console.log(report.text));
  await engine.reload(selectedModel);
  globalThis.engine = engine;

  const request = {
    stream: true,
    stream_options: { include_usage: true },
    messages: [
      { role: 'system', content: 'You are a pirate chatbot who always responds in pirate speak!' },
      { role: 'user', content: 'Who are you?' },
    ],
    temperature: 0,
    max_tokens: 12,
  };
  const chunks = await engine.chat.completions.create(request);
  let reply = '';
  let usage;
  const models = new Set();
  let chunkCount = 0;
  for await (const chunk of chunks) {
    chunkCount++;
    reply += chunk.choices[0]?.delta.content || '';
    models.add(chunk.model);
    if (chunk.usage) usage = chunk.usage;
  }
  const fullReply = await engine.getMessage();

  // The same request, whole, through the alias engine.chatCompletion().
  const whole = await engine.chatCompletion({ ...request, stream: false, stream_options: undefined });
  // Text completion, streamed and whole (engine.completion() is completions.create()).
  let streamedText = '';
  for await (const c of await engine.completions.create({ prompt: 'def add(a, b):', max_tokens: 6, temperature: 0, stream: true })) {
    streamedText += c.choices[0]?.text || '';
  }
  const text = await engine.completion({ prompt: 'def add(a, b):', max_tokens: 6, temperature: 0 });
  return { reply, fullReply, usage, models: [...models], chunkCount, whole, streamedText, text, textMessage: await engine.getMessage() };
}
