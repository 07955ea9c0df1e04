// abort-reload: unload() while reload() is still loading cancels it; the engine loads again afterwards.
import * as webllm from '/lite-coder.js';

export async function run(selectedModel, appConfig) {
  let engine;
  let unloading;
  const texts = [];
  const initProgressCallback = (report) => {
    texts.push(report.text);
    // Call unload once the weights are on their way to the GPU.
    if (!unloading && report.text.startsWith('Loading weights')) unloading = engine.unload();
  };
  engine = new webllm.MLCEngine({ initProgressCallback, appConfig });
  globalThis.engine = engine;
  const outcome = await engine.reload(selectedModel).then(() => 'loaded', (e) => e.name);
  await unloading;
  const afterAbort = await engine.getMessage().then(() => 'loaded', (e) => e.name);

  engine.setInitProgressCallback((report) => texts.push(report.text));
  await engine.reload(selectedModel);
  const reply = await engine.chat.completions.create({ messages: [{ role: 'user', content: 'Hi' }], max_tokens: 4, temperature: 0 });
  const cached = await webllm.hasModelInCache(selectedModel, appConfig);
  return { outcome, unloaded: unloading !== undefined, afterAbort, texts, reply: reply.choices[0].message.content, cached };
}
