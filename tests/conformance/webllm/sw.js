// The service worker of web-llm's service-worker example: it hosts the engine for every tab.
import { ServiceWorkerMLCEngineHandler } from '/lite-coder.js';

new ServiceWorkerMLCEngineHandler();
