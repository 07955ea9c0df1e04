import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useState } from 'preact/hooks';
import { engine } from '../engine';
import type { DeviceReport, GpuMemoryReport, Verdict } from '../../workers/device/types';
import { formatBytes } from '../../workers/device/verdict';
import './device-check.css';

const HEADLINES: Record<Verdict, string> = {
  resident: 'DeepSeek-Coder-V2-Lite can run here: all experts can stay on the GPU.',
  paged: 'DeepSeek-Coder-V2-Lite can run here: experts will be paged from storage.',
  'cannot-run': 'DeepSeek-Coder-V2-Lite cannot run on this device.',
};

/** "Can my device run it?": what the browser and GPU offer, and the verdict for the model. */
export function DeviceCheck(props: { onContinue: () => void }) {
  const [report, setReport] = useState<DeviceReport | null>(null);
  const [probing, setProbing] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const [persistNote, setPersistNote] = useState<string | null>(null);

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
      setPersistNote(
        granted
          ? 'The browser granted persistent storage: it will not evict the model to free space.'
          : 'The browser declined. Browsers grant it more readily to installed or often-visited sites.',
      );
    } catch (e) {
      setPersistNote(`Asking failed: ${e instanceof Error ? e.message : String(e)}`);
    }
    await probe();
  };

  const canAskPersist = typeof navigator.storage?.persist === 'function' && report?.storage.persisted !== true;

  return (
    <section class="device-check" aria-busy={probing} data-testid="device-check">
      <h2>Can my device run it?</h2>
      <p class="muted">What this browser and GPU offer DeepSeek-Coder-V2-Lite, a 16B mixture-of-experts model.</p>
      {error && (
        <p class="error" role="alert" data-testid="device-error">
          The device check failed: {error}
        </p>
      )}
      {!report && probing && <p data-testid="device-probing">Checking your device…</p>}
      {report && <ReportView report={report} />}
      {persistNote && (
        <p class="muted" data-testid="persist-note">
          {persistNote}
        </p>
      )}
      <div class="device-actions">
        {canAskPersist && (
          <button class="secondary" data-testid="ask-persist" disabled={probing} onClick={() => void askPersist()}>
            Ask for persistent storage
          </button>
        )}
        <button class="primary" data-testid="continue" onClick={props.onContinue}>
          Continue to models
        </button>
      </div>
    </section>
  );
}

function ReportView({ report }: { report: DeviceReport }) {
  const { adapter, limits, features, storage } = report;
  return (
    <>
      <div class="panel">
        <h3>GPU</h3>
        <table class="device-table">
          <tbody>
            <Row label="WebGPU" testid="webgpu" value={yesNo(report.webgpu)}>
              {report.webgpu ? 'Available' : 'Not available in this browser'}
            </Row>
            {report.webgpu && !adapter && (
              <Row label="Adapter" testid="adapter-missing">
                None offered{report.adapterError ? `: ${report.adapterError}` : ''}
              </Row>
            )}
            {adapter && (
              <>
                <Row label="Vendor" testid="adapter-vendor">{adapter.vendor || '(not given)'}</Row>
                <Row label="Architecture" testid="adapter-architecture">{adapter.architecture || '(not given)'}</Row>
                <Row label="Description" testid="adapter-description">{adapter.description || '(not given)'}</Row>
                <Row label="Kind" testid="adapter-kind" value={adapter.software ? 'software' : 'hardware'}>
                  {adapter.software ? 'Software renderer (runs on the CPU)' : 'Hardware GPU'}
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
                  {features.shaderF16 ? 'Available' : 'Not available'}
                </Row>
                <Row label="subgroups" testid="feature-subgroups" value={yesNo(features.subgroups)}>
                  {features.subgroups ? 'Available' : 'Not available'}
                </Row>
              </>
            )}
            <Row label="GPU memory" testid="gpu-memory" value={report.gpuMemory.kind}>
              {describeGpuMemory(report.gpuMemory)}
            </Row>
          </tbody>
        </table>
      </div>

      <div class="panel">
        <h3>Storage</h3>
        {storage.estimated ? (
          <table class="device-table">
            <tbody>
              <StorageRow label="Quota" testid="storage-quota" bytes={storage.quota} />
              <StorageRow label="Used" testid="storage-usage" bytes={storage.usage} />
              <StorageRow label="Free" testid="storage-free" bytes={storage.free} />
              <PersistedRow persisted={storage.persisted} />
            </tbody>
          </table>
        ) : (
          <table class="device-table">
            <tbody>
              <Row label="Estimate" testid="storage-estimate">The browser gave no storage estimate</Row>
              <PersistedRow persisted={storage.persisted} />
            </tbody>
          </table>
        )}
      </div>

      <div class={`panel verdict verdict-${report.verdict.verdict}`} data-testid="verdict" data-verdict={report.verdict.verdict}>
        <h3 data-testid="verdict-headline">{HEADLINES[report.verdict.verdict]}</h3>
        <ul data-testid="verdict-reasons">
          {report.verdict.reasons.map((reason) => (
            <li key={reason} data-testid="verdict-reason">
              {reason}
            </li>
          ))}
        </ul>
      </div>
    </>
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
      {props.bytes.toLocaleString('en-US')} bytes ({binary(props.bytes)})
    </Row>
  );
}

function StorageRow(props: { label: string; testid: string; bytes: number | null }) {
  return (
    <Row label={props.label} testid={props.testid} value={props.bytes === null ? undefined : String(props.bytes)}>
      {props.bytes === null ? 'unknown' : formatBytes(props.bytes)}
    </Row>
  );
}

function PersistedRow({ persisted }: { persisted: boolean | null }) {
  const text = persisted === null ? 'Unknown' : persisted ? 'Granted' : 'Not granted: the browser may evict stored models when space runs low';
  return (
    <Row label="Persistent storage" testid="storage-persisted" value={persisted === null ? 'unknown' : yesNo(persisted)}>
      {text}
    </Row>
  );
}

function describeGpuMemory(memory: GpuMemoryReport): string {
  switch (memory.kind) {
    case 'skipped':
      return memory.reason === 'software-adapter'
        ? 'Not measured: on a software renderer the test allocations would come out of system memory.'
        : 'Not measured: there is no GPU adapter.';
    case 'failed':
      return `Could not be measured: ${memory.error}`;
    case 'measured':
      return memory.hitLimit
        ? `About ${formatBytes(memory.bytes)}: the GPU refused more.`
        : `At least ${formatBytes(memory.bytes)}, which is all the model needs, so the test stopped there.`;
  }
}

function binary(bytes: number): string {
  const units: [string, number][] = [['GiB', 2 ** 30], ['MiB', 2 ** 20], ['KiB', 2 ** 10]];
  for (const [unit, size] of units) {
    if (bytes >= size) return `${Number((bytes / size).toFixed(2))} ${unit}`;
  }
  return `${bytes} bytes`;
}

function yesNo(b: boolean): 'yes' | 'no' {
  return b ? 'yes' : 'no';
}
