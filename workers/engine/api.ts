/** The runtime as the worker exposes it: one loaded model, one request at a time. */
import type { EngineWorkerApi, LoadedModel } from '../api';
import { Engine } from './engine';
import { ModelNotLoadedError } from './errors';
import { chatCompletion, completion, type Generation } from './openai';
import { promptIds, tokenizerFor } from './prompts';

let engine: Engine | undefined;
let loadedId = '';
let loaded: LoadedModel | undefined;
let running: AbortController | undefined;
let queue: Promise<unknown> = Promise.resolve();

type RuntimeApi = Pick<EngineWorkerApi, 'loadModel' | 'loadedModel' | 'unloadModel' | 'generateTokens' | 'encodePrompt' | 'chatCompletion' | 'completion' | 'interruptGenerate' | 'resetChat' | 'simulateDeviceLoss'>;

/** Requests run one after another; each gets its own abort signal for interruptGenerate. */
function exclusive<T>(work: (g: Generation) => Promise<T>): Promise<T> {
  const next = queue.then(async () => {
    if (!engine) throw new ModelNotLoadedError('No model is loaded: call loadModel first.');
    running = new AbortController();
    try {
      return await work({ engine, tok: await tokenizerFor(loadedId), modelId: loadedId, signal: running.signal });
    } finally {
      running = undefined;
    }
  });
  queue = next.catch(() => {});
  return next;
}

export const runtimeApi: RuntimeApi = {
  async loadModel(modelId, opts, onProgress) {
    await queue;
    engine?.unload();
    engine = undefined;
    engine = await Engine.load(modelId, {
      // absent: the device check decides (Engine.load asks it)
      ...(opts.expertBudgetMB !== undefined ? { expertBudgetBytes: opts.expertBudgetMB * 1e6 } : {}),
      ...(opts.contextLength ? { contextLength: opts.contextLength } : {}),
      ...(opts.maxBatch ? { maxBatch: opts.maxBatch } : {}),
    }, onProgress);
    loadedId = modelId;
    await tokenizerFor(modelId); // built now, so a request never needs the manifest again
    const m = engine.model;
    loaded = { modelId, contextLength: m.opts.contextLength, resident: m.experts.resident, slots: m.experts.slots(m.manifest.experts[0]?.layer ?? 0) };
    return loaded;
  },
  async loadedModel() {
    return engine && !engine.lost ? loaded : undefined;
  },
  async unloadModel() {
    running?.abort();
    await queue;
    engine?.unload();
    engine = undefined;
    loaded = undefined;
  },
  async encodePrompt(modelId, prompt) {
    return promptIds(await tokenizerFor(modelId), prompt);
  },
  generateTokens(req, onToken) {
    return exclusive(async ({ engine, tok, signal }) => {
      const { promptLogits, ...rest } = await engine.generate({
        ...req, stopIds: req.stopIds ?? [tok.eosId], signal, ...(onToken ? { onToken: async (id: number) => { await onToken(id); } } : {}),
      });
      return { ...rest, ...(promptLogits ? { promptLogits: Array.from(promptLogits) } : {}) };
    });
  },
  chatCompletion(req, onChunk) {
    return exclusive((g) => chatCompletion(g, req, onChunk));
  },
  completion(req, onChunk) {
    return exclusive((g) => completion(g, req, onChunk));
  },
  async interruptGenerate() {
    running?.abort();
  },
  async resetChat() {
    engine?.reset();
  },
  async simulateDeviceLoss() {
    engine?.gpu.device.destroy();
  },
};
