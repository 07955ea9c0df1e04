/** The runtime as the worker exposes it: one loaded model at a time. */
import type { EngineWorkerApi } from '../api';
import { Engine } from './engine';
import { promptIds, tokenizerFor } from './prompts';

let engine: Engine | undefined;

type RuntimeApi = Pick<EngineWorkerApi, 'loadModel' | 'unloadModel' | 'generateTokens' | 'encodePrompt'>;

export const runtimeApi: RuntimeApi = {
  async loadModel(modelId, opts, onProgress) {
    engine?.unload();
    engine = undefined;
    engine = await Engine.load(modelId, {
      expertBudgetBytes: opts.expertBudgetMB === undefined ? null : opts.expertBudgetMB * 1e6,
      ...(opts.contextLength ? { contextLength: opts.contextLength } : {}),
      ...(opts.maxBatch ? { maxBatch: opts.maxBatch } : {}),
    }, onProgress);
    const m = engine.model;
    return { modelId, contextLength: m.opts.contextLength, resident: m.experts.resident, slots: m.experts.slots(m.manifest.experts[0]?.layer ?? 0) };
  },
  async encodePrompt(modelId, prompt) {
    return promptIds(await tokenizerFor(modelId), prompt);
  },
  async unloadModel() {
    engine?.unload();
    engine = undefined;
  },
  async generateTokens(req, onToken) {
    if (!engine) throw new Error('No model is loaded.');
    const { promptLogits, ...rest } = await engine.generate({ ...req, stopIds: req.stopIds ?? [engine.manifest.tokenizer.eosId], ...(onToken ? { onToken } : {}) });
    return { ...rest, ...(promptLogits ? { promptLogits: Array.from(promptLogits) } : {}) };
  },
};
