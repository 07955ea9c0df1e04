import { useState } from 'preact/hooks';
import type { ImportSource } from '../../../workers/store/types';

/** The public Q4_K_M file of DeepSeek-Coder-V2-Lite-Instruct (legacy attention layout). */
export const DEFAULT_MODEL_URL =
  'https://huggingface.co/bartowski/DeepSeek-Coder-V2-Lite-Instruct-GGUF/resolve/main/DeepSeek-Coder-V2-Lite-Instruct-Q4_K_M.gguf';

export function ImportForm(props: { busy: boolean; onImport: (src: ImportSource) => void }) {
  const [url, setUrl] = useState(DEFAULT_MODEL_URL);
  const [dragging, setDragging] = useState(false);
  const pickFile = (files: FileList | null | undefined) => {
    const file = files?.[0];
    if (file) props.onImport({ kind: 'file', file });
  };
  return (
    <section class="panel" aria-labelledby="import-title">
      <h2 id="import-title">Import a model</h2>
      <form
        class="import-url"
        onSubmit={(e) => {
          e.preventDefault();
          props.onImport({ kind: 'url', url: url.trim() });
        }}
      >
        <label for="model-url">From a URL (a .gguf file)</label>
        <div class="row">
          <input id="model-url" type="url" required value={url} onInput={(e) => setUrl(e.currentTarget.value)} data-testid="import-url" />
          <button class="primary" type="submit" disabled={props.busy} data-testid="import-url-button">Download and import</button>
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
          Or drop a .gguf file here, or{' '}
          <span class="linklike">choose one</span>
          <input type="file" accept=".gguf" disabled={props.busy} data-testid="import-file" class="visually-hidden"
            onChange={(e) => { pickFile(e.currentTarget.files); e.currentTarget.value = ''; }} />
        </label>
      </div>
    </section>
  );
}
