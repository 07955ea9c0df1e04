import type { ModelSummary, VerifyResult } from '../../../workers/store/types';
import { formatBytes } from '../format';

export interface ModelActions {
  onDelete: (m: ModelSummary) => void;
  onVerify: (m: ModelSummary) => void;
  onResume: (m: ModelSummary) => void;
}

export function ModelList(props: { models: ModelSummary[]; busy: boolean; verify: Record<string, VerifyResult | 'running'> } & ModelActions) {
  if (props.models.length === 0) return <p class="muted" data-testid="no-models">No model is stored yet. Import one above.</p>;
  return (
    <table data-testid="model-list">
      <thead>
        <tr><th>Model</th><th>State</th><th>Weights</th><th>On disk</th><th /></tr>
      </thead>
      <tbody>
        {props.models.map((m) => (
          <tr key={m.id} data-testid="model-row" data-model-id={m.id}>
            <td>
              <strong data-testid="model-name">{m.name}</strong>
              <div class="muted small">{m.layers} layers · {m.experts} experts · {m.attentionLayout === 'legacy' ? 'legacy attn_kv_b layout' : 'MLA layout'} · {m.source.kind === 'url' ? m.source.url : m.source.name}</div>
              <VerifyLine result={props.verify[m.id]} />
            </td>
            <td data-testid="model-state">{m.state === 'ready' ? 'ready' : `incomplete (${Math.floor((100 * m.bytesOnDisk) / m.storedBytes)}%)`}</td>
            <td class="small">{m.fileType}</td>
            <td data-testid="model-size">{formatBytes(m.bytesOnDisk)}</td>
            <td class="actions">
              {m.state !== 'ready' && <button class="primary" disabled={props.busy} onClick={() => props.onResume(m)} data-testid="model-resume">Resume</button>}
              {m.state === 'ready' && <button class="secondary" disabled={props.busy} onClick={() => props.onVerify(m)} data-testid="model-verify">Verify</button>}
              <button class="danger" disabled={props.busy} onClick={() => props.onDelete(m)} data-testid="model-delete">Delete</button>
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
  if (r === 'running') return <div class="muted small" data-testid="verify-result">Verifying…</div>;
  return r.ok
    ? <div class="ok small" data-testid="verify-result">Verified: all {r.checked} records match their checksums.</div>
    : <div class="error small" data-testid="verify-result">Verification failed: {r.problems.slice(0, 3).join(' ')}</div>;
}
