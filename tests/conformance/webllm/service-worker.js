// service-worker: the engine lives in the service worker; every tab of the origin uses the same one.
import * as webllm from '/lite-coder.js';

export async function run(selectedModel, appConfig) {
  const reports = [];
  const initProgressCallback = (report) => reports.push(report);
  const engine = await webllm.CreateServiceWorkerMLCEngine(selectedModel, { initProgressCallback, appConfig });
  globalThis.engine = engine;

  const request = {
    stream: true,
    stream_options: { include_usage: true },
    messages: [
      { role: 'system', content: 'You are a helpful, respectful and honest assistant.' },
      { role: 'user', content: 'Provide me three US states.' },
    ],
    temperature: 0,
    max_tokens: 8,
  };
  let message = '';
  let usage;
  for await (const chunk of await engine.chat.completions.create(request)) {
    message += chunk.choices[0]?.delta?.content || '';
    if (chunk.usage) usage = chunk.usage;
  }
  return { reports, message, usage, finalMessage: await engine.getMessage(), missedHeartbeat: engine.missedHeartbeat };
}
