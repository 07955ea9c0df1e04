// A TypeScript program written against @mlc-ai/web-llm's types (as its examples use them). The
// conformance test checks it twice: as it is, against web-llm, and with only the import changed to
// './lite-coder.js', against dist/lite-coder.d.ts alone, with no web-llm installed.
import * as webllm from '@mlc-ai/web-llm';

const initProgressCallback: webllm.InitProgressCallback = (report: webllm.InitProgressReport) => {
  console.log(report.text, report.progress, report.timeElapsed);
};

const appConfig: webllm.AppConfig = {
  model_list: [{
    model: 'https://example.com/DeepSeek-Coder-V2-Lite-Instruct-Q4_K_M.gguf',
    model_id: 'DeepSeek-Coder-V2-Lite-Instruct-Q4_K_M',
    model_lib: 'lib',
    vram_required_MB: 11_000,
    low_resource_required: false,
    overrides: { context_window_size: 4096 },
  }],
};

class MyLogitProcessor implements webllm.LogitProcessor {
  private tokenSequence: number[] = [];
  processLogits(logits: Float32Array): Float32Array {
    logits[0] = 100.0;
    return logits;
  }
  processSampledToken(token: number): void {
    this.tokenSequence.push(token);
  }
  resetState(): void {
    this.tokenSequence = [];
  }
}

const MODEL = 'DeepSeek-Coder-V2-Lite-Instruct-Q4_K_M';
const logitProcessorRegistry = new Map<string, webllm.LogitProcessor>([[MODEL, new MyLogitProcessor()]]);
const engineConfig: webllm.MLCEngineConfig = {
  initProgressCallback, appConfig, logLevel: 'WARN', logitProcessorRegistry,
};
const chatOpts: webllm.ChatOptions = {
  context_window_size: 2048, temperature: 0.7, top_p: 0.95, repetition_penalty: 1.1,
};

async function chat(engine: webllm.MLCEngineInterface): Promise<string> {
  const messages: webllm.ChatCompletionMessageParam[] = [
    { role: 'system', content: 'You are a helpful AI assistant.' },
    { role: 'user', content: 'Write quicksort in Python.' },
  ];
  const request: webllm.ChatCompletionRequestNonStreaming = { messages, temperature: 0.5, max_tokens: 64, seed: 42 };
  const reply: webllm.ChatCompletion = await engine.chat.completions.create(request);
  const usage: webllm.CompletionUsage | undefined = reply.usage;
  const finish: webllm.ChatCompletionFinishReason = reply.choices[0]!.finish_reason;

  const chunks: AsyncIterable<webllm.ChatCompletionChunk> = await engine.chat.completions.create({
    messages, stream: true, stream_options: { include_usage: true },
  });
  let text = '';
  for await (const chunk of chunks) text += chunk.choices[0]?.delta.content ?? '';

  const format: webllm.ResponseFormat = { type: 'json_object' };
  const json = await engine.chatCompletion({ messages, response_format: format, max_tokens: 32 });
  const completion: webllm.Completion = await engine.completions.create({ prompt: 'def add(a, b):', max_tokens: 16 });
  const completion2: webllm.Completion = await engine.completion({ prompt: 'def sub(a, b):', max_tokens: 16 });
  const embeddings: webllm.CreateEmbeddingResponse = await engine.embeddings.create({ input: ['a', 'b'] });
  const tool: webllm.ChatCompletionTool = { type: 'function', function: { name: 'f', parameters: { type: 'object' } } };

  const next: number = await engine.forwardTokensAndSample([1, 2, 3], true);
  const message: string = await engine.getMessage();
  const stats: string = await engine.runtimeStatsText();
  const vendor: string = await engine.getGPUVendor();
  const binding: number = await engine.getMaxStorageBufferBindingSize();
  engine.setLogLevel('INFO');
  engine.setAppConfig(appConfig);
  engine.setInitProgressCallback(initProgressCallback);
  const callback: webllm.InitProgressCallback | undefined = engine.getInitProgressCallback();
  engine.interruptGenerate();
  await engine.resetChat(true);
  await engine.reload('DeepSeek-Coder-V2-Lite-Instruct-Q4_K_M', chatOpts);
  await engine.unload();
  return [usage?.prompt_tokens, finish, text, json.choices[0]?.message.content, completion.choices[0]?.text,
    completion2.id, embeddings.data.length, tool.function.name, next, message, stats, vendor, binding,
    callback === undefined].join(' ');
}

export async function main(): Promise<void> {
  const engine: webllm.MLCEngine = await webllm.CreateMLCEngine(MODEL, engineConfig, chatOpts);
  const plain = new webllm.MLCEngine({ initProgressCallback });
  const worker: webllm.WebWorkerMLCEngine = await webllm.CreateWebWorkerMLCEngine(
    new Worker(new URL('./worker.js', import.meta.url), { type: 'module' }), MODEL, { initProgressCallback });
  const sw: webllm.ServiceWorkerMLCEngine = await webllm.CreateServiceWorkerMLCEngine(MODEL, { initProgressCallback });
  const engines: webllm.MLCEngineInterface[] = [
    engine, plain, worker, sw, new webllm.WebWorkerMLCEngine(new Worker('w.js')), new webllm.ServiceWorkerMLCEngine(),
  ];
  for (const e of engines) console.log(await chat(e));

  const cached: boolean = await webllm.hasModelInCache('DeepSeek-Coder-V2-Lite-Instruct-Q4_K_M', appConfig);
  await webllm.deleteModelAllInfoInCache('DeepSeek-Coder-V2-Lite-Instruct-Q4_K_M', appConfig);
  await webllm.deleteModelInCache('DeepSeek-Coder-V2-Lite-Instruct-Q4_K_M');
  await webllm.deleteChatConfigInCache('DeepSeek-Coder-V2-Lite-Instruct-Q4_K_M');
  await webllm.deleteModelWasmInCache('DeepSeek-Coder-V2-Lite-Instruct-Q4_K_M');
  const records: webllm.ModelRecord[] = webllm.prebuiltAppConfig.model_list;
  const ids: string[] = records.map((r) => r.model_id);
  const vram: (number | undefined)[] = records.map((r) => r.vram_required_MB);
  const kind: webllm.ModelType = webllm.ModelType.LLM;
  const level: webllm.LogLevel = 'ERROR';
  console.log(cached, ids, vram, kind, level, webllm.functionCallingModelIds.length);

  // The web-worker and service-worker hosts.
  const handler = new webllm.WebWorkerMLCEngineHandler();
  handler.setLogitProcessorRegistry(logitProcessorRegistry);
  const onmessage = (msg: MessageEvent) => { handler.onmessage(msg); };
  console.log(onmessage, webllm.ServiceWorkerMLCEngineHandler.name);
}
