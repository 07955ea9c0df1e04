import { useState } from 'preact/hooks';
import { startSession } from '../chat/session';
import { useLang } from '../i18n';
import { ModelStore } from '../ui/models/ModelStore';
import { storageAccessSupported, requestAppStorage } from './storage-access';
import { t } from './strings';

type Outcome = null | 'asking' | 'unsupported' | 'none-there' | { denied: string };

/**
 * No model in the widget's storage: explain why (a widget on another site has storage of its own),
 * and offer the three ways on: the app's stored model (Storage Access), an import here, the full app.
 */
export function NoModelPanel(props: {
  appUrl: string;
  /** the browser refuses this frame any storage */ blocked: boolean;
}) {
  useLang();
  const [outcome, setOutcome] = useState<Outcome>(null);
  const [importing, setImporting] = useState(false);
  const embedded = window.parent !== window;
  const canAsk = storageAccessSupported();

  const ask = async () => {
    setOutcome('asking');
    const r = await requestAppStorage();
    if (r.kind === 'unsupported') return setOutcome('unsupported');
    if (r.kind === 'denied') return setOutcome({ denied: r.reason });
    await startSession({ kind: 'device' });
    setOutcome('none-there'); // shown only if the session found no model there (this panel stays)
  };

  return (
    <div class="panel embed-no-model" data-testid="no-model">
      <p>{props.blocked ? t('blocked') : embedded ? t('partitioned') : t('noModelTop')}</p>
      {outcome === 'unsupported' && (
        <p class="error" role="alert" data-testid="access-result">
          {t(props.blocked ? 'unsupportedBlocked' : 'unsupported')}
        </p>
      )}
      {outcome !== null && typeof outcome === 'object' && (
        <p class="error" role="alert" data-testid="access-result">
          {t(props.blocked ? 'deniedBlocked' : 'denied', { reason: outcome.denied })}
        </p>
      )}
      {outcome === 'none-there' && (
        <p class="muted" role="status" data-testid="access-result">
          {t('noneThere')}
        </p>
      )}
      <div class="embed-actions">
        {canAsk && (
          <button
            class="primary"
            onClick={() => void ask()}
            disabled={outcome === 'asking'}
            title={t('useStoredHint')}
            data-testid="use-stored"
          >
            {outcome === 'asking' ? t('asking') : t('useStored')}
          </button>
        )}
        {!props.blocked && (
          <button
            class="secondary"
            onClick={() => setImporting(!importing)}
            aria-expanded={importing}
            title={t('importHereHint')}
            data-testid="import-here"
          >
            {importing ? t('hideImport') : t('importHere')}
          </button>
        )}
        <a
          class="button secondary"
          href={props.appUrl}
          target="_blank"
          rel="noopener"
          title={t('openAppHint')}
          data-testid="open-app"
        >
          {t('openApp')} ↗
        </a>
      </div>
      {embedded && <p class="muted small">{t('appHint')}</p>}
      {importing && <ModelStore onStored={() => void startSession({ kind: 'device' })} />}
    </div>
  );
}
