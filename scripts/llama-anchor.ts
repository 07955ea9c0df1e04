/**
 * The native anchor of npm run bench:node: llama.cpp, through node-llama-cpp's prebuilt binaries, run
 * on the same GGUF file and the same prompt ids as our runtime, greedy. Its prefill and decode tokens/s
 * stand beside ours in one run, and its greedy tokens are a second, independent check of ours.
 *
 * Timing follows ours (workers/engine/engine.ts): prefill is the time from feeding the prompt to the
 * first generated token; decode is the time of the tokens after it, per token. One short generation
 * first warms the backend (shader compilation, allocations), then a fresh sequence is measured.
 */

export type LlamaBackend = 'cpu' | 'vulkan' | 'cuda';
export const LLAMA_BACKENDS: readonly LlamaBackend[] = ['cpu', 'vulkan', 'cuda'];

export interface LlamaRun {
  backend: LlamaBackend;
  /** greedy tokens: the first chosen from the prompt, then one per decode step */
  ids: number[];
  /** prompt tokens / prefill seconds */
  prefillTokS: number;
  /** tokens after the first / their seconds */
  decodeTokS: number;
  /** the GPU devices llama.cpp's backend found (empty on the CPU) */
  devices: string[];
  /** the layers offloaded to the GPU (0 on the CPU) */
  gpuLayers: number;
}

export interface LlamaRunOptions {
  modelPath: string;
  promptIds: readonly number[];
  /** tokens generated, the first included */
  maxTokens: number;
  backend: LlamaBackend;
  /** CPU threads; default: this machine's available parallelism */
  threads?: number;
}

/**
 * Runs llama.cpp on `o.modelPath`. Throws an Error saying why when node-llama-cpp is not installed,
 * has no binary for this backend here, or the backend does not load (no driver, no device).
 */
export async function runLlama(o: LlamaRunOptions): Promise<LlamaRun> {
  let nlc: typeof import('node-llama-cpp');
  try {
    nlc = await import('node-llama-cpp');
  } catch (e) {
    throw new Error(
      `node-llama-cpp could not be loaded (${(e as Error).message.split('\n')[0]}); it is an optional dependency: npm ci installs it`,
      { cause: e },
    );
  }
  const { availableParallelism } = await import('node:os');
  const threads = o.threads ?? availableParallelism();
  // build 'never': use the prebuilt binaries only; never compile llama.cpp or download anything
  const llama = await nlc.getLlama({
    gpu: o.backend === 'cpu' ? false : o.backend,
    build: 'never',
    usePrebuiltBinaries: true,
    skipDownload: true,
    progressLogs: false,
    logLevel: nlc.LlamaLogLevel.error,
    maxThreads: threads,
  });
  try {
    const gpu = o.backend !== 'cpu';
    const model = await llama.loadModel({ modelPath: o.modelPath, gpuLayers: gpu ? 'max' : 0 });
    const contextSize = o.promptIds.length + o.maxTokens + 8;
    const context = await model.createContext({
      contextSize,
      batchSize: Math.max(o.promptIds.length, 8),
      flashAttention: false,
      threads,
    });
    const generate = async (prompt: readonly number[], n: number) => {
      const seq = context.getSequence();
      const ids: number[] = [];
      const t0 = performance.now();
      let t1 = t0;
      try {
        for await (const t of seq.evaluate([...prompt] as Parameters<typeof seq.evaluate>[0], { temperature: 0 })) {
          if (ids.length === 0) t1 = performance.now();
          ids.push(t);
          if (ids.length >= n) break;
        }
      } finally {
        void seq.dispose();
      }
      return { ids, prefillMs: t1 - t0, decodeMs: performance.now() - t1 };
    };
    await generate(o.promptIds.slice(0, 2), 2);
    const r = await generate(o.promptIds, o.maxTokens);
    const devices = gpu ? await llama.getGpuDeviceNames() : [];
    await context.dispose();
    const gpuLayers = model.gpuLayers;
    await model.dispose();
    return {
      backend: o.backend,
      ids: r.ids,
      devices,
      gpuLayers,
      prefillTokS: o.promptIds.length / (r.prefillMs / 1000),
      decodeTokS: (r.ids.length - 1) / (r.decodeMs / 1000),
    };
  } finally {
    await llama.dispose();
  }
}
