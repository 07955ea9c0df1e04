import { useEffect, useState } from 'preact/hooks';
import { formatBytes } from '../ui/format';
import type { ModelSummary } from '../../workers/store/types';
import { t } from './engine-strings';
import { deviceModel, loadModel, readyModels, type ModelSession } from './session';

/**
 * The chat header's engine badge (this device, or which server) and model picker: every stored
 * model with its quantization and size, the loaded one marked resident or paged; picking one loads it.
 */
export function ModelPicker(props: { session: ModelSession; onPicked?: (modelId: string) => void }) {
  const s = props.session;
  const [stored, setStored] = useState<ModelSummary[]>([]);
  useEffect(() => {
    void readyModels().then(setStored, () => setStored([]));
  }, [s.kind, 'model' in s ? s.model.id : '']);
  const current = 'model' in s ? s.model : undefined;
  const server = current?.engine === 'server' ? current : undefined;
  const label = (m: ModelSummary) => {
    const loaded =
      s.kind === 'ready' && current?.id === m.id && s.resident !== undefined
        ? ` · ${t('loaded')}, ${s.resident ? t('resident') : t('paged')}`
        : '';
    return `${m.name} · ${m.fileType.split(' ')[0]?.replace(/^\d+×/, '') ?? ''} · ${formatBytes(m.bytesOnDisk)}${loaded}`;
  };
  return (
    <span class="model-picker">
      <span
        class={`engine-badge ${server ? 'server' : 'device'}`}
        data-testid="engine-indicator"
        data-engine={server ? 'server' : 'device'}
      >
        {server ? t('serverBadge', { host: server.host }) : t('deviceBadge')}
      </span>
      {server ? (
        <span class="small" data-testid="model-name">
          {server.id}
        </span>
      ) : (
        <select
          aria-label={t('pickModel')}
          data-testid="model-picker"
          value={current?.id ?? ''}
          disabled={stored.length === 0 || s.kind === 'loading'}
          onChange={(e) => {
            const m = stored.find((x) => x.id === e.currentTarget.value);
            if (!m) return;
            props.onPicked?.(m.id);
            void loadModel(deviceModel(m));
          }}
        >
          {!current && <option value="">—</option>}
          {stored.map((m) => (
            <option key={m.id} value={m.id}>
              {label(m)}
            </option>
          ))}
        </select>
      )}
    </span>
  );
}
