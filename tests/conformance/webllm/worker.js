// The worker of web-llm's web-worker example: it hosts the engine.
import { WebWorkerMLCEngineHandler } from '/lite-coder.js';

const handler = new WebWorkerMLCEngineHandler();
self.onmessage = (msg) => {
  handler.onmessage(msg);
};
