import type { ImportProgress } from '../../../workers/store/types';
import { formatBytes, formatDuration } from '../format';

export function ImportProgressView(props: { progress: ImportProgress; onCancel: () => void }) {
  const p = props.progress;
  const fraction = p.bytesTotal > 0 ? p.bytesDone / p.bytesTotal : 0;
  return (
    <section class="panel" aria-live="polite" data-testid="import-progress">
      <h2>Importing {p.name}</h2>
      <progress max={1} value={fraction} aria-label="Import progress" />
      <p>
        <span data-testid="import-phase">{p.phase}</span> · <span data-testid="import-bytes">{formatBytes(p.bytesDone)} of {formatBytes(p.bytesTotal)}</span> ·{' '}
        {Math.floor(fraction * 100)}% · {formatBytes(p.bytesPerSecond)}/s · {formatDuration(p.etaSeconds)} left
      </p>
      {p.bytesResumed > 0 && <p class="muted" data-testid="import-resumed">Resumed: {formatBytes(p.bytesResumed)} were already stored and are not downloaded again.</p>}
      {p.note && <p class="warn" data-testid="import-note">{p.note}</p>}
      <button class="secondary" onClick={props.onCancel} data-testid="import-cancel">Cancel</button>
    </section>
  );
}
