// cache-usage: the first reload fetches the model, later ones read it from the browser; the helpers
// tell whether it is stored and delete it; a reload after the deletion fetches it again.
import * as webllm from '/lite-coder.js';

export async function run(selectedModel, appConfig) {
  const texts = [];
  const engine = new webllm.MLCEngine({ appConfig });
  engine.setInitProgressCallback((report) => texts.push(report.text));
  globalThis.engine = engine;
  const messages = [{ role: 'user', content: 'Write an analogy between mathematics and a lighthouse.' }];
  const request = { stream: false, messages, n: 1, max_tokens: 6, temperature: 0 };

  const before = await webllm.hasModelInCache(selectedModel, appConfig);
  await engine.reload(selectedModel);
  const firstLoad = texts.splice(0);
  const reply0 = await engine.chatCompletion(request);
  const cached = await webllm.hasModelInCache(selectedModel, appConfig);

  await engine.reload(selectedModel);
  const secondLoad = texts.splice(0);
  const reply1 = await engine.chatCompletion(request);

  await webllm.deleteModelAllInfoInCache(selectedModel, appConfig);
  const afterDelete = await webllm.hasModelInCache(selectedModel, appConfig);
  // Deleting the parts separately is accepted too (they are one stored model here).
  await webllm.deleteChatConfigInCache(selectedModel, appConfig);
  await webllm.deleteModelWasmInCache(selectedModel, appConfig);
  await webllm.deleteModelInCache(selectedModel, appConfig);

  await engine.reload(selectedModel);
  const thirdLoad = texts.splice(0);
  const reply2 = await engine.chatCompletion(request);
  return {
    before, cached, afterDelete, firstLoad, secondLoad, thirdLoad,
    replies: [reply0, reply1, reply2].map((r) => r.choices[0].message.content),
    afterReload: await webllm.hasModelInCache(selectedModel, appConfig),
  };
}
