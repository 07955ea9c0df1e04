import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useState } from 'preact/hooks';
import { engine } from '../engine';
import { formatBytes } from '../../workers/format';
import type { DeviceReport, GpuMemoryReport, Verdict } from '../../workers/device/types';
import { MODEL_FILE_BYTES } from '../../workers/device/requirements';
import { useLang } from '../i18n';
import { formatSize, reasonLabel, t } from './device-strings';
import './device-check.css';

const HEADLINES = {
  resident: 'headlineResident',
  paged: 'headlinePaged',
  'cannot-run': 'headlineCannot',
} as const satisfies Record<Verdict, string>;

/** What asking for persistent storage came to; worded at render time, so a language switch rewords it. */
type PersistNote = { kind: 'granted' } | { kind: 'declined' } | { kind: 'failed'; message: string };

/**
 * "Can my device run it?", the first screen of a first visit: what Lite Coder is, the verdict for the
 * model in one line with its reasons, the next step, and (folded) what the browser and GPU offer.
 */
export function DeviceCheck(props: { onContinue: () => void; onUseServer: () => void }) {
  useLang();
  const [report, setReport] = useState<DeviceReport | null>(null);
  const [probing, setProbing] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const [persistNote, setPersistNote] = useState<PersistNote | null>(null);

  const probe = useCallback(async () => {
    setProbing(true);
    setError(null);
    try {
      setReport(await engine().probeDevice());
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setProbing(false);
    }
  }, []);

  useEffect(() => {
    void probe();
  }, [probe]);

  // persist() exists only on the window's StorageManager, so the UI thread asks, then the worker re-measures.
  const askPersist = async () => {
    setPersistNote(null);
    try {
      const granted = await navigator.storage.persist();
      setPersistNote({ kind: granted ? 'granted' : 'declined' });
    } catch (e) {
      setPersistNote({ kind: 'failed', message: e instanceof Error ? e.message : String(e) });
    }
    await probe();
  };

  const canAskPersist = typeof navigator.storage?.persist === 'function' && report?.storage.persisted !== true;

  return (
    <section class="device-check" aria-busy={probing} data-testid="device-check">
      <h2>{t('title')}</h2>
      {/* What Lite Coder is and the verdict come first, then the way on; the figures behind the verdict fold out. */}
      <p class="device-lead" data-testid="device-intro">
        {t('lead')}
      </p>
      {error && (
        <p class="error" role="alert" data-testid="device-error">
          {t('failed', { msg: error })}
        </p>
      )}
      {!report && probing && <p data-testid="device-probing">{t('probing')}</p>}
      {report && <VerdictView report={report} />}
      {persistNote && (
        <p class="muted" data-testid="persist-note">
          {persistNote.kind === 'granted'
            ? t('persistGranted')
            : persistNote.kind === 'declined'
              ? t('persistDeclined')
              : t('persistFailed', { msg: persistNote.message })}
        </p>
      )}
      <div class="device-actions">
        {canAskPersist && (
          <button class="secondary" data-testid="ask-persist" disabled={probing} onClick={() => void askPersist()}>
            {t('askPersist')}
          </button>
        )}
        {report?.verdict.verdict === 'cannot-run' && (
          <button class="primary" data-testid="use-server" onClick={props.onUseServer}>
            {t('useServer')}
          </button>
        )}
        <button
          class={report?.verdict.verdict === 'cannot-run' ? 'secondary' : 'primary'}
          data-testid="continue"
          onClick={props.onContinue}
        >
          {t('continue')}
        </button>
      </div>
      {report && (
        <details class="device-details" data-testid="device-details">
          <summary>{t('details')}</summary>
          <p class="muted">{t('intro')}</p>
          <ReportView report={report} />
        </details>
      )}
    </section>
  );
}

function ReportView({ report }: { report: DeviceReport }) {
  const { adapter, limits, features, storage } = report;
  return (
    <>
      <div class="panel">
        <h3>{t('gpu')}</h3>
        <table class="device-table">
          <tbody>
            <Row label="WebGPU" testid="webgpu" value={yesNo(report.webgpu)}>
              {report.webgpu ? t('available') : t('noWebgpu')}
            </Row>
            {report.webgpu && !adapter && (
              <Row label={t('adapter')} testid="adapter-missing">
                {report.adapterError ? t('noAdapterWhy', { msg: report.adapterError }) : t('noAdapter')}
              </Row>
            )}
            {adapter && (
              <>
                <Row label={t('vendor')} testid="adapter-vendor">
                  {adapter.vendor || t('notGiven')}
                </Row>
                <Row label={t('architecture')} testid="adapter-architecture">
                  {adapter.architecture || t('notGiven')}
                </Row>
                <Row label={t('description')} testid="adapter-description">
                  {adapter.description || t('notGiven')}
                </Row>
                <Row label={t('kind')} testid="adapter-kind" value={adapter.software ? 'software' : 'hardware'}>
                  {adapter.software ? t('software') : t('hardware')}
                </Row>
              </>
            )}
            {limits && (
              <>
                <BytesRow label="maxBufferSize" testid="limit-max-buffer-size" bytes={limits.maxBufferSize} />
                <BytesRow
                  label="maxStorageBufferBindingSize"
                  testid="limit-max-storage-buffer-binding-size"
                  bytes={limits.maxStorageBufferBindingSize}
                />
              </>
            )}
            {features && (
              <>
                <Row label="shader-f16" testid="feature-shader-f16" value={yesNo(features.shaderF16)}>
                  {features.shaderF16 ? t('available') : t('notAvailable')}
                </Row>
                <Row label="subgroups" testid="feature-subgroups" value={yesNo(features.subgroups)}>
                  {features.subgroups ? t('available') : t('notAvailable')}
                </Row>
              </>
            )}
            <Row label={t('gpuMemory')} testid="gpu-memory" value={report.gpuMemory.kind}>
              {describeGpuMemory(report.gpuMemory)}
            </Row>
          </tbody>
        </table>
      </div>

      <div class="panel">
        <h3>{t('storage')}</h3>
        {storage.estimated ? (
          <table class="device-table">
            <tbody>
              <StorageRow label={t('quota')} testid="storage-quota" bytes={storage.quota} />
              <StorageRow label={t('used')} testid="storage-usage" bytes={storage.usage} />
              <StorageRow label={t('free')} testid="storage-free" bytes={storage.free} />
              <PersistedRow persisted={storage.persisted} />
            </tbody>
          </table>
        ) : (
          <table class="device-table">
            <tbody>
              <Row label={t('estimate')} testid="storage-estimate">
                {t('noEstimate')}
              </Row>
              <PersistedRow persisted={storage.persisted} />
            </tbody>
          </table>
        )}
      </div>
    </>
  );
}

/** The verdict in one line ("Your GPU can run DeepSeek-Coder-V2-Lite: ..."), then its reasons. */
function VerdictView({ report }: { report: DeviceReport }) {
  return (
    <div
      class={`panel verdict verdict-${report.verdict.verdict}`}
      data-testid="verdict"
      data-verdict={report.verdict.verdict}
    >
      <h3 data-testid="verdict-headline">
        {t(HEADLINES[report.verdict.verdict], { size: formatSize(MODEL_FILE_BYTES) })}
      </h3>
      {report.verdict.contextTokens !== null && (
        <p data-testid="verdict-context">{t('contextTokens', { n: report.verdict.contextTokens.toLocaleString() })}</p>
      )}
      <ul data-testid="verdict-reasons">
        {report.verdict.reasons.map((reason) => (
          <li key={reason.code} data-testid="verdict-reason" data-code={reason.code}>
            {reasonLabel(reason)}
          </li>
        ))}
      </ul>
    </div>
  );
}

function Row(props: { label: string; testid: string; value?: string; children: ComponentChildren }) {
  return (
    <tr>
      <th scope="row">{props.label}</th>
      <td data-testid={props.testid} data-value={props.value}>
        {props.children}
      </td>
    </tr>
  );
}

/** GPU limits: the raw byte count, then the power-of-two size the limits are usually set at. */
function BytesRow(props: { label: string; testid: string; bytes: number }) {
  return (
    <Row label={props.label} testid={props.testid} value={String(props.bytes)}>
      {t('bytes', { n: props.bytes.toLocaleString('en-US'), binary: formatBytes(props.bytes, 'binary') })}
    </Row>
  );
}

function StorageRow(props: { label: string; testid: string; bytes: number | null }) {
  return (
    <Row label={props.label} testid={props.testid} value={props.bytes === null ? undefined : String(props.bytes)}>
      {props.bytes === null ? t('unknownLower') : formatSize(props.bytes)}
    </Row>
  );
}

function PersistedRow({ persisted }: { persisted: boolean | null }) {
  const text = persisted === null ? t('unknown') : persisted ? t('granted') : t('notGranted');
  return (
    <Row label={t('persistent')} testid="storage-persisted" value={persisted === null ? 'unknown' : yesNo(persisted)}>
      {text}
    </Row>
  );
}

function describeGpuMemory(memory: GpuMemoryReport): string {
  switch (memory.kind) {
    case 'skipped':
      return memory.reason === 'software-adapter' ? t('memSkippedSoftware') : t('memSkippedNoAdapter');
    case 'failed':
      return t('memFailed', { msg: memory.error });
    case 'measured':
      return t(memory.hitLimit ? 'memHitLimit' : 'memEnough', { bytes: formatSize(memory.bytes) });
  }
}

function yesNo(b: boolean): 'yes' | 'no' {
  return b ? 'yes' : 'no';
}
