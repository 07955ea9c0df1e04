// get-started: CreateMLCEngine with a progress callback, then one chat completion and its usage.
import * as webllm from '/lite-coder.js';

function setLabel(id, text) {
  const label = document.getElementById(id);
  if (label == null) throw Error('Cannot find label ' + id);
  label.innerText = text;
}

export async function run(selectedModel, appConfig, chatOpts) {
  const reports = [];
  const initProgressCallback = (report) => {
    reports.push(report);
    setLabel('init-label', report.text);
  };
  const engine = await webllm.CreateMLCEngine(selectedModel, { initProgressCallback, appConfig, logLevel: 'INFO' }, chatOpts);
  globalThis.engine = engine;

  const messages = [
    { role: 'system', content: 'You are a helpful AI assistant.' },
    { role: 'user', content: 'Hello!' },
  ];
  const reply = await engine.chat.completions.create({ messages, max_tokens: 8, temperature: 0 });
  setLabel('generate-label', reply.choices[0].message.content);
  return {
    reports,
    reply,
    message: await engine.getMessage(),
    stats: await engine.runtimeStatsText(),
    vendor: await engine.getGPUVendor(),
    maxBinding: await engine.getMaxStorageBufferBindingSize(),
    progressCallbackKept: engine.getInitProgressCallback() === initProgressCallback,
  };
}
