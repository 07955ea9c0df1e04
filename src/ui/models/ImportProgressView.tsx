import type { ImportProgress } from '../../../workers/store/types';
import { useLang } from '../../i18n';
import { formatBytes, formatDuration } from '../format';
import { noteLabel, phaseLabel, t } from './strings';

/** An import under way; `local`: a file from disk, which is read, not downloaded. */
export function ImportProgressView(props: { progress: ImportProgress; local?: boolean; onCancel: () => void }) {
  useLang();
  const p = props.progress;
  const fraction = p.bytesTotal > 0 ? p.bytesDone / p.bytesTotal : 0;
  return (
    <section class="panel" aria-live="polite" data-testid="import-progress">
      <h2>{t('importing', { name: p.name })}</h2>
      <progress max={1} value={fraction} aria-label={t('importProgress')} />
      <p>
        <span data-testid="import-phase" data-phase={p.phase}>
          {phaseLabel(p.phase, props.local)}
        </span>{' '}
        ·{' '}
        <span data-testid="import-bytes">
          {t('bytesOf', { done: formatBytes(p.bytesDone), total: formatBytes(p.bytesTotal) })}
        </span>{' '}
        · {Math.floor(fraction * 100)}% · {t('perSecond', { rate: formatBytes(p.bytesPerSecond) })} ·{' '}
        {t('left', { eta: formatDuration(p.etaSeconds) })}
      </p>
      {p.bytesResumed > 0 && (
        <p class="muted" data-testid="import-resumed">
          {t('resumed', { bytes: formatBytes(p.bytesResumed) })}
        </p>
      )}
      {p.note && (
        <p class="warn" data-testid="import-note">
          {noteLabel(p.note)}
        </p>
      )}
      <button class="secondary" onClick={props.onCancel} data-testid="import-cancel">
        {t('cancel')}
      </button>
    </section>
  );
}
