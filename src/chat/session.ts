/**
 * The model the chat talks to, and where it runs: on this device's GPU (a stored model, loaded by the
 * in-browser engine) or on a server the user pointed the app at (an OpenAI-compatible endpoint:
 * Ollama, llama.cpp's server, vLLM...). One engine client for the whole page, `client`, whichever it
 * is; components follow the session with useModelSession().
 *
 * The server's API key is kept in this origin's storage only (SERVER_KEY), sent only to that server,
 * and never exported with the conversations.
 */
import { useEffect, useState } from 'preact/hooks';
import { LiteCoderEngine } from '../api/engine-client';
import { RemoteEngine, type ChatCreate, type CompletionCreate } from '../api/remote-engine';
import { engine } from '../engine';
import { acquireGpuLock } from './gpu-lock';
import type { ModelSummary } from '../../workers/store/types';
import { getPref, setPref } from '../prefs';

/** A model a session runs: one stored on this device, or one a server offers. */
export type SessionModel =
  | { readonly engine: 'device'; readonly id: string; readonly name: string; readonly stored: ModelSummary }
  | { readonly engine: 'server'; readonly id: string; readonly name: string; readonly endpoint: string; readonly host: string };

export type ModelSession =
  | { kind: 'checking' }
  | { kind: 'none' }
  | { kind: 'loading'; model: SessionModel; progress: number }
  /** contextLength: tokens this device's context holds (0 for a server: the server decides) */
  | { kind: 'ready'; model: SessionModel; contextLength: number; resident?: boolean }
  | { kind: 'error'; model: SessionModel; message: string }
  /** another tab of the app holds the model on the GPU */
  | { kind: 'elsewhere'; model: SessionModel }
  /** the model store cannot be opened at all (storage blocked, as for some embedded frames) */
  | { kind: 'unavailable'; message: string };

/** Where answers come from. */
export type EngineChoice = { readonly kind: 'device' } | { readonly kind: 'server'; readonly endpoint: string; readonly model: string };

const LAST_MODEL = 'lite-coder.model';
const ENGINE = 'lite-coder.engine';
/** The server's API key: this origin's storage only. */
export const SERVER_KEY = 'lite-coder.server-key';
/** An optional cap on the context (tokens), applied when a model is loaded; less KV cache memory. */
export const CONTEXT_LIMIT = 'lite-coder.context-limit';

/** What the chat asks of an engine: the same on the device and on a server (web-llm's shapes). */
export interface ChatClient {
  readonly chat: { readonly completions: { readonly create: ChatCreate } };
  readonly completions: { readonly create: CompletionCreate };
  interruptGenerate(): void;
  resetChat(): Promise<void>;
}

const device = new LiteCoderEngine(undefined, engine());
/** The engine that answers now (a live binding: it changes when the user picks a server or the device). */
export let client: ChatClient = device;

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

/** The engine choice saved in this origin's storage (the device unless a server was set). */
export function engineChoice(): EngineChoice {
  try {
    const c = JSON.parse(getPref(ENGINE) ?? 'null') as EngineChoice | null;
    if (c?.kind === 'server' && typeof c.endpoint === 'string' && typeof c.model === 'string') return c;
  } catch {
    // not JSON: the default
  }
  return { kind: 'device' };
}

/** The stored models this device can load (complete imports). */
export async function readyModels(): Promise<ModelSummary[]> {
  return device.models.list();
}

export const deviceModel = (m: ModelSummary): SessionModel => ({ engine: 'device', id: m.id, name: m.name, stored: m });

/** Start with the saved engine: the server, or the last used stored model (or the first one). */
export async function startSession(): Promise<void> {
  if (state.kind === 'loading' || state.kind === 'ready' || state.kind === 'elsewhere') return;
  const choice = engineChoice();
  if (choice.kind === 'server') return connectServer(choice.endpoint, choice.model, getPref(SERVER_KEY) ?? '');
  let models: ModelSummary[];
  try {
    models = await readyModels();
  } catch (e) {
    return setState({ kind: 'unavailable', message: (e as Error).message });
  }
  const chosen = models.find((m) => m.id === getPref(LAST_MODEL)) ?? models[0];
  if (!chosen) return setState({ kind: 'none' });
  await loadModel(deviceModel(chosen));
}

/**
 * The user chose a stored model (the Models screen's Use, or Start chatting after an import): it is
 * the one the chat uses from now on. Loaded now if the chat already has a model (another one, or one
 * that failed); otherwise when the chat starts its session (startSession reads the choice), so that
 * the two never load at once.
 */
export function chooseStoredModel(m: ModelSummary): void {
  setPref(ENGINE, null);
  setPref(LAST_MODEL, m.id);
  if ('model' in state && (state.model.id !== m.id || state.kind === 'error')) void loadModel(deviceModel(m));
}

/** Use `model`: a stored one is loaded onto the GPU (takeOver moves it from another tab); a server's is connected to. */
export async function loadModel(model: SessionModel, takeOver = false): Promise<void> {
  if (model.engine === 'server') return connectServer(model.endpoint, model.id, getPref(SERVER_KEY) ?? '');
  setPref(ENGINE, null);
  client = device;
  const mine = await acquireGpuLock(takeOver, () => {
    void device.unload();
    setState({ kind: 'elsewhere', model });
  });
  if (!mine) return setState({ kind: 'elsewhere', model });
  setPref(LAST_MODEL, model.id);
  setState({ kind: 'loading', model, progress: 0 });
  device.setInitProgressCallback((r) => { if (state.kind === 'loading') setState({ ...state, progress: r.progress }); });
  try {
    const limit = Number(getPref(CONTEXT_LIMIT));
    await device.reload(model.id, limit > 0 ? { contextLength: limit } : {});
    const loaded = await device.loadedModel();
    setState({ kind: 'ready', model, contextLength: loaded?.contextLength ?? 0, ...(loaded ? { resident: loaded.resident } : {}) });
  } catch (e) {
    setState({ kind: 'error', model, message: (e as Error).message });
  }
}

/**
 * Answer from the server at `endpoint` with its model `model` (empty: its first), `apiKey` as its
 * bearer token (empty: none). The device's engine lets go of the GPU. Saves the choice.
 */
export async function connectServer(endpoint: string, model: string, apiKey: string): Promise<void> {
  let remote: RemoteEngine;
  let host = endpoint;
  try {
    remote = new RemoteEngine({ endpoint, apiKey, model });
    host = new URL(endpoint).host;
  } catch (e) {
    return setState({ kind: 'error', model: { engine: 'server', id: model, name: model || endpoint, endpoint, host }, message: (e as Error).message });
  }
  const pending: SessionModel = { engine: 'server', id: model, name: model ? `${model} (${host})` : host, endpoint, host };
  setState({ kind: 'loading', model: pending, progress: 0 });
  void device.unload().catch(() => {});
  try {
    await remote.reload(model);
    const chosen: SessionModel = { ...pending, id: remote.modelId, name: `${remote.modelId} (${host})` };
    client = remote;
    setPref(ENGINE, JSON.stringify({ kind: 'server', endpoint, model: remote.modelId } satisfies EngineChoice));
    setPref(SERVER_KEY, apiKey || null);
    setState({ kind: 'ready', model: chosen, contextLength: 0 });
  } catch (e) {
    setState({ kind: 'error', model: pending, message: (e as Error).message });
  }
}

/** Back to this device's GPU: the last used stored model. */
export async function switchToDevice(): Promise<void> {
  setPref(ENGINE, null);
  client = device;
  state = { kind: 'checking' };
  await startSession();
}

/** The models a server offers (for the settings' list). Throws the remote engine's named errors. */
export async function serverModels(endpoint: string, apiKey: string): Promise<string[]> {
  return (await new RemoteEngine({ endpoint, apiKey }).models.list()).map((m) => m.id);
}

/** After a lost GPU or a failed request that killed the engine: show the error with a Retry. */
export function sessionFailed(message: string): void {
  if (state.kind === 'ready' || state.kind === 'loading') setState({ kind: 'error', model: state.model, message });
}
