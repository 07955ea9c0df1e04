// web-worker: the engine runs in a worker of the page's own; the page holds a WebWorkerMLCEngine.
import * as webllm from '/lite-coder.js';

export async function run(selectedModel, appConfig) {
  const why = (p) => p.then(() => 'no error', (e) => `${e.name}: ${e.message}`);
  const reports = [];
  const initProgressCallback = (report) => reports.push(report);

  // Before reload(), a completion is refused with web-llm's worker error.
  const early = new webllm.WebWorkerMLCEngine(new Worker(new URL('./worker.js', import.meta.url), { type: 'module' }));
  const notLoaded = await why(early.chat.completions.create({ messages: [{ role: 'user', content: 'Hi' }] }));

  const engine = await webllm.CreateWebWorkerMLCEngine(
    new Worker(new URL('./worker.js', import.meta.url), { type: 'module' }),
    selectedModel,
    { initProgressCallback, appConfig },
    { context_window_size: 128 },
  );
  globalThis.engine = engine;
  const messages = [
    { role: 'system', content: 'You are a helpful AI assistant.' },
    { role: 'user', content: 'Hello!' },
  ];
  let reply = '';
  let usage;
  const request = { messages, temperature: 0, max_tokens: 8, stream: true, stream_options: { include_usage: true } };
  for await (const chunk of await engine.chat.completions.create(request)) {
    reply += chunk.choices[0]?.delta.content || '';
    if (chunk.usage) usage = chunk.usage;
  }
  const whole = await engine.chat.completions.create({ messages, temperature: 0, max_tokens: 8 });
  return {
    notLoaded, reports, reply, usage, whole: whole.choices[0].message.content, model: whole.model,
    message: await engine.getMessage(), stats: await engine.runtimeStatsText(), vendor: await engine.getGPUVendor(),
    loaded: await engine.loadedModel(),
  };
}
