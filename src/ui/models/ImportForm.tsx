import { useState } from 'preact/hooks';
import type { ImportSource } from '../../../workers/store/types';
import { useLang } from '../../i18n';
import { t } from './strings';

/** The public Q4_K_M file of DeepSeek-Coder-V2-Lite-Instruct (legacy attention layout). */
export const DEFAULT_MODEL_URL =
  'https://huggingface.co/bartowski/DeepSeek-Coder-V2-Lite-Instruct-GGUF/resolve/main/DeepSeek-Coder-V2-Lite-Instruct-Q4_K_M.gguf';

export function ImportForm(props: { busy: boolean; onImport: (src: ImportSource) => void }) {
  useLang();
  const [url, setUrl] = useState(DEFAULT_MODEL_URL);
  const [dragging, setDragging] = useState(false);
  const pickFile = (files: FileList | null | undefined) => {
    const list = Array.from(files ?? []);
    // Several files are the files of one split model (name-00001-of-00003.gguf, ...).
    if (list.length > 1) props.onImport({ kind: 'files', files: list });
    else if (list[0]) props.onImport({ kind: 'file', file: list[0] });
  };
  return (
    <section class="panel" aria-labelledby="import-title">
      <h2 id="import-title">{t('importTitle')}</h2>
      <form
        class="import-url"
        onSubmit={(e) => {
          e.preventDefault();
          props.onImport({ kind: 'url', url: url.trim() });
        }}
      >
        <label for="model-url">{t('fromUrl')}</label>
        <div class="row">
          <input id="model-url" type="url" required value={url} onInput={(e) => setUrl(e.currentTarget.value)} data-testid="import-url" />
          <button class="primary" type="submit" disabled={props.busy} data-testid="import-url-button">{t('downloadImport')}</button>
        </div>
      </form>
      <div
        class={dragging ? 'dropzone dragging' : 'dropzone'}
        data-testid="dropzone"
        onDragOver={(e) => { e.preventDefault(); setDragging(true); }}
        onDragLeave={() => setDragging(false)}
        onDrop={(e) => { e.preventDefault(); setDragging(false); if (!props.busy) pickFile(e.dataTransfer?.files); }}
      >
        <label>
          {t('dropHere')}{' '}
          <span class="linklike">{t('chooseOne')}</span>
          <input type="file" accept=".gguf" multiple disabled={props.busy} data-testid="import-file" class="visually-hidden"
            onChange={(e) => { pickFile(e.currentTarget.files); e.currentTarget.value = ''; }} />
        </label>
      </div>
    </section>
  );
}
