/**
 * The model the chat talks to: which stored model is loaded, and how loading went. One engine client
 * for the whole page; components follow its state with useModelSession().
 */
import { useEffect, useState } from 'preact/hooks';
import { LiteCoderEngine } from '../api/engine-client';
import { engine } from '../engine';
import { acquireGpuLock } from './gpu-lock';
import type { ModelSummary } from '../../workers/store/types';
import { getPref, setPref } from '../prefs';

export type ModelSession =
  | { kind: 'checking' }
  | { kind: 'none' }
  | { kind: 'loading'; model: ModelSummary; progress: number }
  | { kind: 'ready'; model: ModelSummary; contextLength: number }
  | { kind: 'error'; model: ModelSummary; message: string }
  /** another tab of the app holds the model on the GPU */
  | { kind: 'elsewhere'; model: ModelSummary }
  /** the model store cannot be opened at all (storage blocked, as for some embedded frames) */
  | { kind: 'unavailable'; message: string };

const LAST_MODEL = 'lite-coder.model';
/** An optional cap on the context (tokens), applied when a model is loaded; less KV cache memory. */
export const CONTEXT_LIMIT = 'lite-coder.context-limit';
export const client = new LiteCoderEngine(undefined, engine());
let state: ModelSession = { kind: 'checking' };
const listeners = new Set<(s: ModelSession) => void>();

function setState(s: ModelSession): void {
  state = s;
  listeners.forEach((f) => f(s));
}

export function useModelSession(): ModelSession {
  const [s, set] = useState(state);
  useEffect(() => {
    listeners.add(set);
    set(state);
    return () => { listeners.delete(set); };
  }, []);
  return s;
}

export async function readyModels(): Promise<ModelSummary[]> {
  return client.models.list();
}

/** Load the last used model (or the first stored one) unless one is loaded or loading already. */
export async function startSession(): Promise<void> {
  if (state.kind === 'loading' || state.kind === 'ready' || state.kind === 'elsewhere') return;
  let models: ModelSummary[];
  try {
    models = await readyModels();
  } catch (e) {
    return setState({ kind: 'unavailable', message: (e as Error).message });
  }
  const chosen = models.find((m) => m.id === getPref(LAST_MODEL)) ?? models[0];
  if (!chosen) return setState({ kind: 'none' });
  await loadModel(chosen);
}

/**
 * Load `model` onto the GPU, unless another tab holds it there; `takeOver` moves it to this tab
 * (the other tab unloads its engine).
 */
export async function loadModel(model: ModelSummary, takeOver = false): Promise<void> {
  const mine = await acquireGpuLock(takeOver, () => {
    void client.unload();
    setState({ kind: 'elsewhere', model });
  });
  if (!mine) return setState({ kind: 'elsewhere', model });
  setPref(LAST_MODEL, model.id);
  setState({ kind: 'loading', model, progress: 0 });
  client.setInitProgressCallback((r) => { if (state.kind === 'loading') setState({ ...state, progress: r.progress }); });
  try {
    const limit = Number(getPref(CONTEXT_LIMIT));
    await client.reload(model.id, limit > 0 ? { contextLength: limit } : {});
    const loaded = await client.loadedModel();
    setState({ kind: 'ready', model, contextLength: loaded?.contextLength ?? 0 });
  } catch (e) {
    setState({ kind: 'error', model, message: (e as Error).message });
  }
}

/** After a lost GPU or a failed request that killed the engine: show the error with a Retry. */
export function sessionFailed(message: string): void {
  if (state.kind === 'ready' || state.kind === 'loading') setState({ kind: 'error', model: state.model, message });
}
