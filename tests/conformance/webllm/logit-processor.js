// logit-processor: forwardTokensAndSample with a registered LogitProcessor, in the page or in a worker.
import * as webllm from '/lite-coder.js';
import { MyLogitProcessor } from './my-logit-processor.js';

const AUTOREGRESS_LIMIT = 8;

export async function run(selectedModel, appConfig, useWebWorker, favourite) {
  const myLogitProcessor = new MyLogitProcessor(favourite);
  const logitProcessorRegistry = new Map();
  logitProcessorRegistry.set(selectedModel, myLogitProcessor);

  let engine;
  let worker;
  if (useWebWorker) {
    const script = `./logit-worker.js?model=${encodeURIComponent(selectedModel)}&favourite=${favourite}`;
    worker = new Worker(new URL(script, import.meta.url), { type: 'module' });
    engine = await webllm.CreateWebWorkerMLCEngine(worker, selectedModel, { appConfig });
  } else {
    engine = await webllm.CreateMLCEngine(selectedModel, { appConfig, logitProcessorRegistry });
  }
  globalThis.engine = engine;

  const rounds = [];
  for (let round = 0; round < 2; round++) {
    const prompt = [42];
    const tokens = [];
    let nextToken = await engine.forwardTokensAndSample(prompt, /* isPrefill= */ true);
    tokens.push(nextToken);
    let counter = prompt.length;
    while (counter < AUTOREGRESS_LIMIT) {
      counter += 1;
      nextToken = await engine.forwardTokensAndSample([nextToken], /* isPrefill= */ false);
      tokens.push(nextToken);
    }
    rounds.push(tokens);
    // resetChat() calls the processor's resetState().
    if (round === 0) await engine.resetChat();
  }
  const stats = await engine.runtimeStatsText();
  // The processor applies to chat completions too.
  const reply = await engine.chat.completions.create({ messages: [{ role: 'user', content: 'hi' }], max_tokens: 4, temperature: 0.7 });

  const { tokenSequence, calls, resets } = myLogitProcessor;
  let processorState = { tokenSequence, calls, resets };
  if (worker) {
    processorState = await new Promise((resolve) => {
      const listen = (e) => {
        if (!e.data?.processorState) return;
        worker.removeEventListener('message', listen);
        resolve(e.data.processorState);
      };
      worker.addEventListener('message', listen);
      worker.postMessage('processor-state');
    });
  }
  return { rounds, stats, usage: reply.usage, processorState };
}
