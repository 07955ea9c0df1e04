import type { ModelSummary, VerifyResult } from '../../../workers/store/types';
import { useLang } from '../../i18n';
import { formatBytes } from '../format';
import { t } from './strings';

export interface ModelActions {
  onDelete: (m: ModelSummary) => void;
  onVerify: (m: ModelSummary) => void;
  onResume: (m: ModelSummary) => void;
  /** open the chat with this model; without it, no Use button */
  onUse?: (m: ModelSummary) => void;
}

export function ModelList(
  props: { models: ModelSummary[]; busy: boolean; verify: Record<string, VerifyResult | 'running'> } & ModelActions,
) {
  useLang();
  if (props.models.length === 0)
    return (
      <p class="muted" data-testid="no-models">
        {t('noModels')}
      </p>
    );
  return (
    <table class="model-list" data-testid="model-list">
      <thead>
        <tr>
          <th>{t('colModel')}</th>
          <th>{t('colState')}</th>
          <th>{t('colWeights')}</th>
          <th>{t('colDisk')}</th>
          <th />
        </tr>
      </thead>
      <tbody>
        {props.models.map((m) => (
          <tr key={m.id} data-testid="model-row" data-model-id={m.id}>
            <td>
              <strong data-testid="model-name">{m.name}</strong>
              <div class="muted small model-details">
                {t('details', {
                  layers: m.layers,
                  experts: m.experts,
                  layout: t(m.attentionLayout === 'legacy' ? 'legacyLayout' : 'mlaLayout'),
                })}
                {' · '}
                {m.source.kind === 'url' ? m.source.url : m.source.name}
                {m.source.shards && m.source.shards.length > 1 && ` ${t('splitFiles', { n: m.source.shards.length })}`}
              </div>
              <VerifyLine result={props.verify[m.id]} />
            </td>
            <td data-testid="model-state" data-state={m.state} data-label={t('colState')}>
              {m.state === 'ready'
                ? t('ready')
                : t('incomplete', { pct: Math.floor((100 * m.bytesOnDisk) / m.storedBytes) })}
            </td>
            <td class="small" data-label={t('colWeights')}>
              {m.fileType}
            </td>
            <td data-testid="model-size" data-label={t('colDisk')}>
              {formatBytes(m.bytesOnDisk)}
            </td>
            <td class="actions">
              {m.state !== 'ready' && (
                <button
                  class="primary"
                  disabled={props.busy}
                  onClick={() => props.onResume(m)}
                  data-testid="model-resume"
                >
                  {t('resume')}
                </button>
              )}
              {m.state === 'ready' && props.onUse && (
                <button class="primary" onClick={() => props.onUse?.(m)} data-testid="model-use">
                  {t('use')}
                </button>
              )}
              {m.state === 'ready' && (
                <button
                  class="secondary"
                  disabled={props.busy}
                  onClick={() => props.onVerify(m)}
                  data-testid="model-verify"
                >
                  {t('verify')}
                </button>
              )}
              <button class="danger" disabled={props.busy} onClick={() => props.onDelete(m)} data-testid="model-delete">
                {t('delete')}
              </button>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function VerifyLine(props: { result: VerifyResult | 'running' | undefined }) {
  const r = props.result;
  if (!r) return null;
  if (r === 'running')
    return (
      <div class="muted small" data-testid="verify-result">
        {t('verifying')}
      </div>
    );
  return r.ok ? (
    <div class="ok small" data-testid="verify-result">
      {t('verified', { n: r.checked })}
    </div>
  ) : (
    <div class="error small" data-testid="verify-result">
      {t('verifyFailed', { problems: r.problems.slice(0, 3).join(' ') })}
    </div>
  );
}
