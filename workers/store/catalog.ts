/** Managing stored models: list them with their size on disk, delete one, verify one. */
import { allManifests, deleteModelData, getManifest, getRecord, storedKeys, sweepOrphans } from './db';
import { keyString } from './keys';
import { sha256Hex } from './hash';
import type { ModelManifest, ModelSummary, VerifyResult } from './types';

export async function listModels(): Promise<ModelSummary[]> {
  const manifests = await allManifests();
  await sweepOrphans(new Set(manifests.map((m) => m.id)));
  const out = await Promise.all(manifests.map(summarize));
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

async function summarize(m: ModelManifest): Promise<ModelSummary> {
  let bytesOnDisk = m.storedBytes;
  if (m.state !== 'ready') {
    const present = new Set((await storedKeys(m.id)).map(keyString));
    bytesOnDisk = m.records.filter((r) => present.has(keyString(r.key))).reduce((n, r) => n + r.bytes, 0);
  }
  return {
    id: m.id,
    name: m.name,
    state: m.state,
    fileType: m.fileType,
    fileSize: m.fileSize,
    storedBytes: m.storedBytes,
    bytesOnDisk,
    source: m.source,
    layers: m.hparams.nLayer,
    experts: m.hparams.nExpert,
    attentionLayout: m.hparams.attentionLayout,
  };
}

export async function deleteModel(id: string): Promise<void> {
  await deleteModelData(id);
}

/** Re-read every record and compare its size and SHA-256 with what the import recorded. */
export async function verifyModel(
  id: string,
  onProgress: (done: number, total: number) => void,
): Promise<VerifyResult> {
  const m = await getManifest(id);
  if (!m) return { ok: false, checked: 0, problems: ['This model is not in the store.'] };
  const problems: string[] = [];
  if (m.state !== 'ready') problems.push('The import of this model has not finished.');
  let checked = 0;
  for (const r of m.records) {
    const k = keyString(r.key);
    const rec = await getRecord(r.key);
    if (!rec) problems.push(`Record ${k} is missing.`);
    else if (rec.data.byteLength !== r.bytes)
      problems.push(`Record ${k} has ${rec.data.byteLength} bytes instead of ${r.bytes}.`);
    else if ((await sha256Hex(new Uint8Array(rec.data))) !== m.checksums[k])
      problems.push(`Record ${k} does not match its checksum.`);
    checked++;
    if (checked % 16 === 0 || checked === m.records.length) onProgress(checked, m.records.length);
  }
  return { ok: problems.length === 0, checked, problems };
}
