import { useEffect, useState } from 'preact/hooks';
import { prebuiltAppConfig, recordUrl, type LiteCoderModelRecord } from '../../api/app-config';
import type { DeviceReport } from '../../../workers/device/types';
import type { ImportSource } from '../../../workers/store/types';
import { useLang } from '../../i18n';
import { formatBytes } from '../format';
import { DEFAULT_QUANT, quantOf, recommend } from './recommend';
import { t } from './strings';

/** The published files, largest first: the app config's list (src/api/app-config.ts), the one list of them. */
const FILES: readonly LiteCoderModelRecord[] = prebuiltAppConfig.model_list;

/** The public Q4_K_M file of DeepSeek-Coder-V2-Lite-Instruct (legacy attention layout). */
export const DEFAULT_MODEL_URL = recordUrl(FILES.find((r) => quantOf(r) === DEFAULT_QUANT)!);

/**
 * Import by URL (the published files to pick from, each with its size, one recommended for this
 * device from `report`) or from disk (choose or drop).
 */
export function ImportForm(props: {
  busy: boolean;
  onImport: (src: ImportSource) => void;
  report: DeviceReport | null;
}) {
  useLang();
  const rec = recommend(FILES, props.report);
  const [url, setUrl] = useState(DEFAULT_MODEL_URL);
  // The field follows the recommendation until the user types or picks something else.
  const [touched, setTouched] = useState(false);
  useEffect(() => {
    if (!touched && rec) setUrl(recordUrl(rec.record));
  }, [rec?.record.model_id, touched]);
  const [dragging, setDragging] = useState(false);
  const chosen = FILES.find((r) => recordUrl(r) === url.trim());
  const pickFile = (files: FileList | null | undefined) => {
    const list = Array.from(files ?? []);
    // Several files are the files of one split model (name-00001-of-00003.gguf, ...).
    if (list.length > 1) props.onImport({ kind: 'files', files: list });
    else if (list[0]) props.onImport({ kind: 'file', file: list[0] });
  };
  return (
    <section class="panel" aria-labelledby="import-title">
      <h2 id="import-title">{t('importTitle')}</h2>
      <p class="muted small">{t('filesIntro')}</p>
      <div class="quant-options" role="group" aria-label={t('filesIntro')}>
        {FILES.map((r) => (
          <button
            key={r.model_id}
            type="button"
            class={chosen === r ? 'quant-option chosen' : 'quant-option'}
            aria-pressed={chosen === r}
            data-testid="quant-option"
            data-quant={quantOf(r)}
            data-recommended={rec?.record === r ? '1' : undefined}
            onClick={() => {
              setTouched(true);
              setUrl(recordUrl(r));
            }}
          >
            <strong>{quantOf(r)}</strong> <span class="muted">{formatBytes(r.file_size_bytes ?? 0)}</span>
            {rec?.record === r && <span class="quant-badge">{t('recommended')}</span>}
          </button>
        ))}
      </div>
      <p class="small" data-testid="quant-recommendation">
        {rec
          ? t(`rec:${rec.why}`, { quant: quantOf(rec.record), size: formatBytes(rec.record.file_size_bytes ?? 0) })
          : t('recNone', { free: formatBytes(props.report?.storage.free ?? 0) })}
      </p>
      <form
        class="import-url"
        onSubmit={(e) => {
          e.preventDefault();
          props.onImport({ kind: 'url', url: url.trim() });
        }}
      >
        <label for="model-url">{t('fromUrl')}</label>
        <div class="row">
          <input
            id="model-url"
            type="url"
            required
            value={url}
            onInput={(e) => {
              setTouched(true);
              setUrl(e.currentTarget.value);
            }}
            data-testid="import-url"
          />
          <button class="primary" type="submit" disabled={props.busy} data-testid="import-url-button">
            {chosen ? t('downloadImportSize', { size: formatBytes(chosen.file_size_bytes ?? 0) }) : t('downloadImport')}
          </button>
        </div>
      </form>
      <div
        class={dragging ? 'dropzone dragging' : 'dropzone'}
        data-testid="dropzone"
        onDragOver={(e) => {
          e.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={(e) => {
          e.preventDefault();
          setDragging(false);
          if (!props.busy) pickFile(e.dataTransfer?.files);
        }}
      >
        <label>
          {t('dropHere')} <span class="linklike">{t('chooseOne')}</span>
          <input
            type="file"
            accept=".gguf"
            multiple
            disabled={props.busy}
            data-testid="import-file"
            class="visually-hidden"
            onChange={(e) => {
              pickFile(e.currentTarget.files);
              e.currentTarget.value = '';
            }}
          />
        </label>
      </div>
    </section>
  );
}
