// Calls web-llm refuses, and the names it refuses them with.
import * as webllm from '/lite-coder.js';

export async function run(selectedModel, appConfig) {
  const why = async (f) => { try { await f(); return 'no error'; } catch (e) { return `${e.name}: ${e.message}`; } };
  const user = [{ role: 'user', content: 'Hi' }];
  const engine = new webllm.MLCEngine({ appConfig });
  globalThis.engine = engine;
  const r = {
    chatBeforeLoad: await why(() => engine.chat.completions.create({ messages: user })),
    completionBeforeLoad: await why(() => engine.completions.create({ prompt: 'x' })),
    messageBeforeLoad: await why(() => engine.getMessage()),
    statsBeforeLoad: await why(() => engine.runtimeStatsText()),
    forwardBeforeLoad: await why(() => engine.forwardTokensAndSample([1], true)),
    resetBeforeLoad: await why(() => engine.resetChat()),
    unknownModel: await why(() => engine.reload('Llama-3.1-8B-Instruct-q4f32_1-MLC')),
    sizes: await why(() => engine.reload([selectedModel], [{}, {}])),
    notUnique: await why(() => engine.reload([selectedModel, selectedModel])),
    slidingWindow: await why(() => engine.reload(selectedModel, { sliding_window_size: 1024 })),
    cacheUnknown: await why(() => webllm.hasModelInCache('Llama-3.1-8B-Instruct-q4f32_1-MLC')),
    logLevel: await why(() => engine.setLogLevel('LOUD')),
    sessions: JSON.stringify(await engine.listResumableSessions()),
    resume: await why(() => engine.resumeChatCompletion('no-such-session')),
  };
  // A record with SRI hashes (web-llm's integrity verification) is refused rather than loaded unchecked.
  const record = { ...appConfig.model_list[0], model_id: 'with-integrity', integrity: { config: 'sha256-AAAA' } };
  engine.setAppConfig({ model_list: [record] });
  r.integrity = await why(() => engine.reload('with-integrity'));
  engine.setAppConfig(appConfig);
  await engine.reload(selectedModel);
  engine.setLogLevel('SILENT');
  Object.assign(r, {
    otherModel: await why(() => engine.chat.completions.create({ messages: user, model: 'Phi-3-mini-4k-instruct-q4f16_1-MLC' })),
    thisModel: await why(() => engine.chat.completions.create({ messages: user, model: selectedModel, max_tokens: 2 })),
    streamOptions: await why(() => engine.chat.completions.create({ messages: user, stream_options: { include_usage: true } })),
    streamN: await why(() => engine.chat.completions.create({ messages: user, stream: true, n: 2 })),
    resumable: await why(() => engine.chat.completions.create({ messages: user, extra_body: { resumable: { enabled: true } } })),
    emptyForward: await why(() => engine.forwardTokensAndSample([], true)),
  });
  return r;
}
