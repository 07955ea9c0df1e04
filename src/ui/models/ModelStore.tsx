import { useEffect, useRef, useState } from 'preact/hooks';
import type { ImportProgress, ImportSource, ModelSummary, VerifyResult } from '../../../workers/store/types';
import { Comlink, engine } from '../../engine';
import { useLang } from '../../i18n';
import type { DeviceReport } from '../../../workers/device/types';
import { ConfirmDialog } from '../Dialog';
import { ImportForm } from './ImportForm';
import { diagnoseFetchFailure, isFetchFailure, NetworkFailureError, type NetworkFailure } from './network-failure';
import { ImportProgressView } from './ImportProgressView';
import { ModelList } from './ModelList';
import { t } from './strings';
import './models.css';

/** A message about the last action; worded at render time, so a language switch rewords it. */
type Notice =
  { kind: 'stored'; id: string; name: string; bytes: number } | { kind: 'choose-again'; name: string; files: number };

/** The device check's report, asked for once per page (on a hardware GPU the probe allocates memory). */
let deviceReport: Promise<DeviceReport | null> | null = null;
const reportOnce = () =>
  (deviceReport ??= engine()
    .probeDevice()
    .catch(() => null));

/**
 * The model store screen: import (the published files with one recommended, a URL, a file, a drop),
 * progress, and the stored models. `onStartChat(model)`: open the chat with that model.
 */
export function ModelStore(props: { onStored?: () => void; onStartChat?: (model: ModelSummary) => void }) {
  useLang();
  const [models, setModels] = useState<ModelSummary[] | null>(null);
  const [progress, setProgress] = useState<ImportProgress | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | NetworkFailure | null>(null);
  const [report, setReport] = useState<DeviceReport | null>(null);
  /** the running import reads a file from disk (it is not downloaded) */
  const [local, setLocal] = useState(false);
  const [notice, setNotice] = useState<Notice | null>(null);
  const [verify, setVerify] = useState<Record<string, VerifyResult | 'running'>>({});
  const resumeFile = useRef<HTMLInputElement>(null);
  /** the model the delete dialog asks about */
  const [deleting, setDeleting] = useState<ModelSummary | null>(null);
  // Progress reports travel on their own channel and can arrive after the import has returned:
  // only those of the import still running are shown.
  const importRun = useRef(0);

  const refresh = async () => setModels(await engine().listModels());
  useEffect(() => {
    void refresh();
    void reportOnce().then(setReport);
  }, []);

  const run = async (what: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    setNotice(null);
    try {
      await what();
    } catch (e) {
      setError(e instanceof NetworkFailureError ? e.failure : (e as Error).message);
    } finally {
      setBusy(false);
      setProgress(null);
      await refresh();
    }
  };

  const startImport = (src: ImportSource) =>
    run(async () => {
      // Only the page can ask for persistent storage; without it the browser may evict the model.
      await navigator.storage.persist?.().catch(() => false);
      const id = ++importRun.current;
      let moved = false;
      const onProgress = (p: ImportProgress) => {
        if (importRun.current !== id) return;
        moved ||= p.bytesDone > p.bytesResumed;
        setProgress(p);
      };
      setLocal(src.kind !== 'url');
      try {
        const m = await engine().importModel(src, Comlink.proxy(onProgress));
        setNotice({ kind: 'stored', id: m.id, name: m.name, bytes: m.storedBytes });
        props.onStored?.();
      } catch (e) {
        // "Failed to fetch" says nothing: say whether the page is offline or the server refused it.
        // Once bytes have come, the server was reachable and allowed: a later failure is a drop, as it says.
        if (src.kind === 'url' && isFetchFailure((e as Error).message) && (!moved || !navigator.onLine))
          throw new NetworkFailureError(await diagnoseFetchFailure(src.url));
        throw e;
      } finally {
        importRun.current++;
      }
    });

  const onResume = (m: ModelSummary) => {
    // A split model's URL is its first file's: the others are found from it again.
    if (m.source.kind === 'url') void startImport({ kind: 'url', url: m.source.url });
    else {
      setNotice({ kind: 'choose-again', name: m.source.name, files: m.source.shards?.length ?? 1 });
      resumeFile.current?.click();
    }
  };

  const onVerify = (m: ModelSummary) => {
    setVerify((v) => ({ ...v, [m.id]: 'running' }));
    void engine()
      .verifyModel(
        m.id,
        Comlink.proxy(() => {}),
      )
      .then((r) => setVerify((v) => ({ ...v, [m.id]: r })));
  };

  const onDelete = (m: ModelSummary) => setDeleting(m);

  return (
    <div class="model-store">
      <ImportForm busy={busy} onImport={(src) => void startImport(src)} report={report} />
      <input
        ref={resumeFile}
        type="file"
        accept=".gguf"
        multiple
        class="visually-hidden"
        data-testid="resume-file"
        onChange={(e) => {
          const files = Array.from(e.currentTarget.files ?? []);
          e.currentTarget.value = '';
          if (files.length > 1) void startImport({ kind: 'files', files });
          else if (files[0]) void startImport({ kind: 'file', file: files[0] });
        }}
      />
      {progress && (
        <ImportProgressView progress={progress} local={local} onCancel={() => void engine().cancelImport()} />
      )}
      {error && (
        <p class="error panel" role="alert" data-testid="import-error">
          {typeof error === 'string' ? error : t(error.kind, { host: error.host })}
        </p>
      )}
      {notice && (
        <p class="panel" role="status" data-testid="import-notice">
          {notice.kind === 'stored' ? (
            <>
              {t('stored', { name: notice.name, mb: (notice.bytes / 1e6).toFixed(1) })}{' '}
              {props.onStartChat && (
                <button
                  class="primary"
                  data-testid="start-chatting"
                  onClick={() => {
                    const m = models?.find((x) => x.id === notice.id);
                    if (m) props.onStartChat?.(m);
                  }}
                >
                  {t('startChatting')}
                </button>
              )}
            </>
          ) : notice.files > 1 ? (
            t('chooseAgainSplit', { name: notice.name, n: notice.files })
          ) : (
            t('chooseAgain', { name: notice.name })
          )}
        </p>
      )}
      {deleting && (
        <ConfirmDialog
          title={t('confirmDelete', { name: deleting.name, mb: (deleting.bytesOnDisk / 1e6).toFixed(1) })}
          confirmLabel={t('delete')}
          danger
          onClose={(yes) => {
            const m = deleting;
            setDeleting(null);
            if (yes !== null) void run(() => engine().deleteModel(m.id));
          }}
        />
      )}
      <section aria-labelledby="stored-title">
        <h2 id="stored-title">{t('storedTitle')}</h2>
        {models === null ? (
          <p class="muted">{t('reading')}</p>
        ) : (
          <ModelList
            models={models}
            busy={busy}
            verify={verify}
            onDelete={onDelete}
            onVerify={onVerify}
            onResume={onResume}
            {...(props.onStartChat ? { onUse: props.onStartChat } : {})}
          />
        )}
      </section>
    </div>
  );
}
