import { useState } from 'preact/hooks';
import { setLang, useLang, type Lang } from '../i18n';
import { EngineSettings } from './EngineSettings';
import type { ModelSession } from './session';
import { CONTEXT_LIMIT } from './session';
import type { ChatSettings, Conversation } from './conversation';
import { t } from './strings';
import { getPref, setPref } from '../prefs';

/** A setting's one-line explanation, under its field. */
function Help(props: { text: string }) {
  return (
    <small class="setting-help muted" data-testid="setting-help">
      {props.text}
    </small>
  );
}

/** Per-conversation system prompt and sampling, and the interface language; each value explained. */
export function SettingsPanel(props: {
  conversation: Conversation;
  onChange: (c: Conversation) => void;
  serverSetup?: boolean | undefined;
  session: ModelSession;
  onClose: () => void;
}) {
  const lang = useLang();
  const c = props.conversation;
  const set = (patch: Partial<ChatSettings>) => props.onChange({ ...c, settings: { ...c.settings, ...patch } });
  const [limit, setLimit] = useState(() => getPref(CONTEXT_LIMIT) ?? '');
  const num = (v: string, fallback: number) => (Number.isFinite(Number(v)) && v.trim() !== '' ? Number(v) : fallback);
  return (
    <section class="settings panel" data-testid="settings" aria-label={t('settings')}>
      <div class="settings-head">
        <strong>{t('settings')}</strong>
        <button
          type="button"
          class="secondary"
          aria-label={t('settingsClose')}
          title={t('settingsClose')}
          onClick={props.onClose}
          data-testid="settings-close"
        >
          ✕
        </button>
      </div>
      <label>
        {t('systemPrompt')}
        <textarea
          rows={3}
          value={c.systemPrompt}
          data-testid="system-prompt"
          onInput={(e) => props.onChange({ ...c, systemPrompt: e.currentTarget.value })}
        />
        <Help text={t('systemPromptHelp')} />
      </label>
      <div class="settings-row">
        <label>
          {t('temperature')}{' '}
          <input
            type="number"
            min={0}
            max={2}
            step={0.05}
            value={c.settings.temperature}
            data-testid="temperature"
            onChange={(e) => set({ temperature: Math.max(0, num(e.currentTarget.value, 0.3)) })}
          />
          <Help text={t('temperatureHelp')} />
        </label>
        <label>
          {t('topP')}{' '}
          <input
            type="number"
            min={0.05}
            max={1}
            step={0.05}
            value={c.settings.top_p}
            onChange={(e) => set({ top_p: Math.min(1, Math.max(0.05, num(e.currentTarget.value, 0.95))) })}
          />
          <Help text={t('topPHelp')} />
        </label>
        <label>
          {t('maxTokens')}{' '}
          <input
            type="number"
            min={1}
            step={64}
            value={c.settings.max_tokens}
            data-testid="max-tokens"
            onChange={(e) => set({ max_tokens: Math.max(1, Math.round(num(e.currentTarget.value, 2048))) })}
          />
          <Help text={t('maxTokensHelp')} />
        </label>
        <label>
          {t('seed')}{' '}
          <input
            type="number"
            step={1}
            value={c.settings.seed ?? ''}
            onChange={(e) =>
              set({ seed: e.currentTarget.value.trim() === '' ? null : Math.round(num(e.currentTarget.value, 0)) })
            }
          />
          <Help text={t('seedHelp')} />
        </label>
        <label>
          {t('contextLimit')}{' '}
          <input
            type="number"
            min={64}
            step={512}
            value={limit}
            data-testid="context-limit"
            onChange={(e) => {
              const v = e.currentTarget.value.trim();
              setLimit(v);
              setPref(CONTEXT_LIMIT, v === '' || !(Number(v) > 0) ? null : String(Math.round(Number(v))));
            }}
          />
          <Help text={t('contextLimitHelp')} />
        </label>
        <label>
          {t('language')}{' '}
          <select value={lang} data-testid="language" onChange={(e) => setLang(e.currentTarget.value as Lang)}>
            <option value="en">English</option>
            <option value="zh">简体中文</option>
          </select>
          <Help text={t('languageHelp')} />
        </label>
      </div>
      <EngineSettings session={props.session} serverSetup={props.serverSetup ?? false} />
    </section>
  );
}
