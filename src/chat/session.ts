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
import { LiteCoderEngine, type PrefillProgressCallback } from '../api/engine-client';
import { RemoteEngine, type ChatCreate, type CompletionCreate } from '../api/remote-engine';
import { engine } from '../engine';
import { acquireGpuLock } from './gpu-lock';
import type { ModelSummary } from '../../workers/store/types';
import { getPref, setPref } from '../prefs';

/** A model a session runs: one stored on this device, or one a server offers. */
export type SessionModel =
  | { readonly engine: 'device'; readonly id: string; readonly name: string; readonly stored: ModelSummary }
  | {
      readonly engine: 'server';
      readonly id: string;
      readonly name: string;
      readonly endpoint: string;
      readonly host: string;
    };

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
export type EngineChoice =
  { readonly kind: 'device' } | { readonly kind: 'server'; readonly endpoint: string; readonly model: string };

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
  /** the device's engine only: a long prompt's progress before its first token (engine-client.ts) */
  setPrefillProgressCallback?(cb: PrefillProgressCallback | undefined): void;
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
    return () => {
      listeners.delete(set);
    };
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

/**
 * Whether engine and model choices are saved to this origin's storage (the app: yes). The widget
 * turns it off: its engine comes from its host's settings, and must not change the app's.
 */
let persist = true;
/** The API key of the server connected last (for a Retry), kept in memory only. */
let serverKey = '';
/** Counts engine changes (a device load, a connect, back to the device): only the latest one's outcome counts. */
let changes = 0;

/** Save engine and model choices (the default), or keep them to this page (the widget). */
export function persistChoices(on: boolean): void {
  persist = on;
}

function save(key: string, value: string | null): void {
  if (persist) setPref(key, value);
}

/**
 * Start with `choice` (by default the saved one): a server, or the last used stored model (or the
 * first one). `apiKey` is the server's bearer token (by default the saved one).
 */
export async function startSession(
  choice: EngineChoice = engineChoice(),
  apiKey = getPref(SERVER_KEY) ?? '',
): Promise<void> {
  if (state.kind === 'loading' || state.kind === 'ready' || state.kind === 'elsewhere') return;
  if (choice.kind === 'server') return connectServer(choice.endpoint, choice.model, apiKey);
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
  if (model.engine === 'server') return connectServer(model.endpoint, model.id, serverKey);
  const attempt = ++changes;
  save(ENGINE, null);
  client = device;
  const mine = await acquireGpuLock(takeOver, () => {
    void device.unload();
    setState({ kind: 'elsewhere', model });
  });
  if (!mine) return setState({ kind: 'elsewhere', model });
  save(LAST_MODEL, model.id);
  setState({ kind: 'loading', model, progress: 0 });
  device.setInitProgressCallback((r) => {
    if (state.kind === 'loading') setState({ ...state, progress: r.progress });
  });
  try {
    const limit = Number(getPref(CONTEXT_LIMIT));
    await device.reload(model.id, limit > 0 ? { contextLength: limit } : {});
    if (attempt !== changes) {
      // another choice came while this loaded; if it was a server, the GPU is not needed
      if (client !== device) void device.unload().catch(() => {});
      return;
    }
    const loaded = await device.loadedModel();
    setState({
      kind: 'ready',
      model,
      contextLength: loaded?.contextLength ?? 0,
      ...(loaded ? { resident: loaded.resident } : {}),
    });
  } catch (e) {
    if (attempt === changes) setState({ kind: 'error', model, message: (e as Error).message });
  }
}

/**
 * Answer from the server at `endpoint` with its model `model` (empty: its first), `apiKey` as its
 * bearer token (empty: none). Once the server has answered, the device's engine lets go of the GPU
 * and the choice is saved (unless choices are not persisted).
 * Throws the remote engine's named error when a model was ready on this device: that session is
 * kept (a mistyped address must not lose it); otherwise the session shows the error, with a Retry.
 */
export async function connectServer(endpoint: string, model: string, apiKey: string): Promise<void> {
  const before = state;
  const keepDevice = before.kind === 'ready' && before.model.engine === 'device';
  let remote: RemoteEngine;
  let host = endpoint;
  serverKey = apiKey;
  try {
    remote = new RemoteEngine({ endpoint, apiKey, model });
    host = new URL(endpoint).host;
  } catch (e) {
    if (keepDevice) throw e;
    return setState({
      kind: 'error',
      model: { engine: 'server', id: model, name: model || endpoint, endpoint, host },
      message: (e as Error).message,
    });
  }
  const pending: SessionModel = {
    engine: 'server',
    id: model,
    name: model ? `${model} (${host})` : host,
    endpoint,
    host,
  };
  // A later choice wins: an answer to an earlier one that comes after it changes nothing.
  const attempt = ++changes;
  setState({ kind: 'loading', model: pending, progress: 0 });
  try {
    await remote.reload(model);
    if (attempt !== changes) return;
    void device.unload().catch(() => {});
    const chosen: SessionModel = { ...pending, id: remote.modelId, name: `${remote.modelId} (${host})` };
    client = remote;
    save(ENGINE, JSON.stringify({ kind: 'server', endpoint, model: remote.modelId } satisfies EngineChoice));
    save(SERVER_KEY, apiKey || null);
    setState({ kind: 'ready', model: chosen, contextLength: 0 });
  } catch (e) {
    if (attempt !== changes) return;
    if (!keepDevice) return setState({ kind: 'error', model: pending, message: (e as Error).message });
    setState(before);
    throw e;
  }
}

/** Back to this device's GPU: the last used stored model. */
export async function switchToDevice(): Promise<void> {
  changes++;
  save(ENGINE, null);
  client = device;
  state = { kind: 'checking' };
  await startSession({ kind: 'device' });
}

/** The origin of an endpoint address ('' for none or not a URL): an API key belongs to one. */
export function endpointOrigin(endpoint: string): string {
  try {
    return endpoint.trim() ? new URL(endpoint.trim()).origin : '';
  } catch {
    return '';
  }
}

/** The models a server offers (for the settings' list). Throws the remote engine's named errors. */
export async function serverModels(endpoint: string, apiKey: string): Promise<string[]> {
  return (await new RemoteEngine({ endpoint, apiKey }).models.list()).map((m) => m.id);
}

/** After a lost GPU or a failed request that killed the engine: show the error with a Retry. */
export function sessionFailed(message: string): void {
  if (state.kind === 'ready' || state.kind === 'loading') setState({ kind: 'error', model: state.model, message });
}
