import { useState } from 'preact/hooks';
import { getPref } from '../prefs';
import { t } from './engine-strings';
import {
  connectServer,
  endpointOrigin,
  engineChoice,
  SERVER_KEY,
  serverModels,
  switchToDevice,
  type ModelSession,
} from './session';

/**
 * Settings: where answers come from. This device's GPU, or a server with an OpenAI-compatible API
 * (its address, an optional API key, and one of the models it lists).
 */
export function EngineSettings(props: { session: ModelSession; serverSetup: boolean }) {
  const session = props.session;
  const saved = engineChoice();
  const [kind, setKind] = useState<'device' | 'server'>(props.serverSetup ? 'server' : saved.kind);
  const [endpoint, setEndpoint] = useState(saved.kind === 'server' ? saved.endpoint : '');
  // The saved key belongs to the saved server: it leaves the field when the address moves to another
  // origin, so it is never sent to a server it was not given for.
  const [apiKey, setApiKey] = useState(() => (saved.kind === 'server' ? (getPref(SERVER_KEY) ?? '') : ''));
  const [keySaved, setKeySaved] = useState(apiKey !== '');
  const [models, setModels] = useState<string[]>(saved.kind === 'server' ? [saved.model] : []);
  const [model, setModel] = useState(saved.kind === 'server' ? saved.model : '');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const act = async (work: () => Promise<void>) => {
    setBusy(true);
    setError('');
    try {
      await work();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  const ready = session.kind === 'ready' ? session : undefined;
  return (
    <fieldset class="engine-settings" data-testid="engine-settings">
      <legend>{t('where')}</legend>
      <label class="inline">
        <input
          type="radio"
          name="engine"
          checked={kind === 'device'}
          data-testid="engine-device"
          onChange={() => setKind('device')}
        />{' '}
        {t('onDevice')}
      </label>
      <label class="inline">
        <input
          type="radio"
          name="engine"
          checked={kind === 'server'}
          data-testid="engine-server"
          onChange={() => setKind('server')}
        />{' '}
        {t('onServer')}
      </label>
      {kind === 'device' && ready?.model.engine === 'server' && (
        <button class="secondary" disabled={busy} data-testid="use-device" onClick={() => void act(switchToDevice)}>
          {t('useDevice')}
        </button>
      )}
      {kind === 'server' && (
        <div class="server-fields">
          <label title={t('endpointHelp')}>
            {t('endpoint')}
            <input
              type="url"
              value={endpoint}
              placeholder="http://localhost:11434/v1"
              data-testid="server-endpoint"
              onInput={(e) => {
                const v = e.currentTarget.value;
                setEndpoint(v);
                if (keySaved && saved.kind === 'server' && endpointOrigin(v) !== endpointOrigin(saved.endpoint)) {
                  setApiKey('');
                  setKeySaved(false);
                }
              }}
            />
          </label>
          <p class="muted small">{t('endpointHelp')}</p>
          <label>
            {t('apiKey')}
            <input
              type="password"
              autoComplete="off"
              value={apiKey}
              data-testid="server-key"
              onInput={(e) => {
                setApiKey(e.currentTarget.value);
                setKeySaved(false);
              }}
            />
          </label>
          <p class="muted small">{t('apiKeyHelp')}</p>
          <div class="settings-row">
            <button
              class="secondary"
              disabled={busy || !endpoint.trim()}
              data-testid="server-list"
              onClick={() =>
                void act(async () => {
                  const list = await serverModels(endpoint.trim(), apiKey);
                  setModels(list);
                  if (!list.includes(model)) setModel(list[0] ?? '');
                })
              }
            >
              {t('listModels')}
            </button>
            {models.length > 0 && (
              <label>
                {t('serverModel')}{' '}
                <select value={model} data-testid="server-model" onChange={(e) => setModel(e.currentTarget.value)}>
                  {models.map((m) => (
                    <option key={m} value={m}>
                      {m}
                    </option>
                  ))}
                </select>
              </label>
            )}
            <button
              class="primary"
              disabled={busy || !endpoint.trim()}
              data-testid="server-connect"
              onClick={() =>
                void act(async () => {
                  await connectServer(endpoint.trim(), model, apiKey);
                })
              }
            >
              {t('connect')}
            </button>
          </div>
          {ready?.model.engine === 'server' && (
            <p class="small" data-testid="server-connected">
              {t('connected', { host: ready.model.host })}
            </p>
          )}
        </div>
      )}
      {(error || session.kind === 'error') && kind === 'server' && (
        <p class="error small" role="alert" data-testid="server-error">
          {error || (session.kind === 'error' ? session.message : '')}
        </p>
      )}
    </fieldset>
  );
}
