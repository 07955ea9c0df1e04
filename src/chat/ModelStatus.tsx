import { loadModel, type ModelSession } from './session';
import { t } from './strings';

/** What stands between the user and a chat: no model, a model loading, or one that failed. */
export function ModelStatus(props: { session: ModelSession; onImport: () => void; onServer?: () => void }) {
  const s = props.session;
  if (s.kind === 'none') {
    return (
      <div class="panel model-status" data-testid="no-model">
        <p>{t('noModel')}</p>
        <button class="primary" onClick={props.onImport} data-testid="go-import">
          {t('goImport')}
        </button>
        {props.onServer && (
          <button class="secondary" onClick={props.onServer} data-testid="go-server">
            {t('goServer')}
          </button>
        )}
      </div>
    );
  }
  if (s.kind === 'loading') {
    return (
      <div class="panel model-status" data-testid="model-loading">
        <p>{t('loading', { name: s.model.name, pct: Math.floor(s.progress * 100) })}</p>
        <progress max={1} value={s.progress} />
      </div>
    );
  }
  if (s.kind === 'elsewhere') {
    return (
      <div class="panel model-status" data-testid="model-elsewhere">
        <p>{t('elsewhere', { name: s.model.name })}</p>
        <button class="primary" onClick={() => void loadModel(s.model, true)} data-testid="model-take-over">
          {t('takeOver')}
        </button>
      </div>
    );
  }
  if (s.kind === 'unavailable') {
    return (
      <div class="panel model-status error" role="alert" data-testid="store-unavailable">
        <p>{t('storeUnavailable', { msg: s.message })}</p>
      </div>
    );
  }
  if (s.kind === 'error') {
    return (
      <div class="panel model-status error" role="alert" data-testid="model-error">
        <p>{t('loadFailed', { msg: s.message })}</p>
        <button class="primary" onClick={() => void loadModel(s.model)} data-testid="model-retry">
          {t('retry')}
        </button>
      </div>
    );
  }
  if (s.kind === 'ready' && s.contextLength > 0) {
    return (
      <p class="muted small model-context" data-testid="model-context">
        {t('contextSize', { n: s.contextLength.toLocaleString() })}
      </p>
    );
  }
  return null;
}
