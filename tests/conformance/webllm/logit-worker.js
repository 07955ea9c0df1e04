// The worker of the logit-processor example: the processor lives here, registered with the handler.
import * as webllm from '/lite-coder.js';
import { MyLogitProcessor } from './my-logit-processor.js';

const params = new URL(self.location.href).searchParams;
const myLogitProcessor = new MyLogitProcessor(Number(params.get('favourite')));
const logitProcessorRegistry = new Map();
logitProcessorRegistry.set(params.get('model'), myLogitProcessor);

const handler = new webllm.WebWorkerMLCEngineHandler();
handler.setLogitProcessorRegistry(logitProcessorRegistry);
self.onmessage = (msg) => {
  // Not web-llm's: lets the test read the processor's state.
  if (msg.data === 'processor-state') {
    const { tokenSequence, calls, resets } = myLogitProcessor;
    self.postMessage({ processorState: { tokenSequence, calls, resets } });
    return;
  }
  handler.onmessage(msg);
};
