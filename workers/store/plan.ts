/**
 * The record plan: which IndexedDB records a model is stored as, and which file bytes make each one.
 * Dense tensors become chunks of whole rows; each routed expert of each layer becomes one record.
 */
import type { DeepSeek2Hparams } from '../gguf/deepseek2';
import type { GgufHeader, GgufTensorInfo } from '../gguf/parse';
import { ggmlTypeByName } from '../gguf/ggml-types';
import { storedRowBytes, transcodeRows } from './layout';
import { denseKey, expertKey } from './keys';
import type { DenseTensor, ExpertLayer, PlannedRecord, RecordSlice, StoredTensor } from './types';

/** Dense chunks stay near this size, so an import holds only a few chunks in memory at a time. */
export const CHUNK_BYTES = 8 * 1024 * 1024;

const EXPERT_PARTS = ['gate', 'up', 'down'] as const;

function storedTensor(t: GgufTensorInfo): StoredTensor {
  return {
    name: t.name,
    type: t.type.name,
    ne: t.ne,
    rowWeights: t.ne[0]!,
    nRows: t.nRows,
    rowStride: storedRowBytes(t.type, t.ne[0]!),
    fileOffset: t.offset,
    fileBytes: t.byteSize,
  };
}

export interface RecordPlan {
  dense: DenseTensor[];
  experts: ExpertLayer[];
  records: PlannedRecord[];
  storedBytes: number;
}

export function planRecords(modelId: string, header: GgufHeader, hp: DeepSeek2Hparams): RecordPlan {
  const byName = new Map(header.tensors.map((t) => [t.name, t]));
  const expertTensors = new Set<string>();
  const experts: ExpertLayer[] = [];
  for (let l = hp.nLeadingDense; l < hp.nLayer; l++) {
    const parts = EXPERT_PARTS.map((p) => storedTensor(byName.get(`blk.${l}.ffn_${p}_exps.weight`)!));
    parts.forEach((p) => expertTensors.add(p.name));
    const [gate, up, down] = parts as [StoredTensor, StoredTensor, StoredTensor];
    const rows = (t: StoredTensor) => t.nRows / hp.nExpert;
    const partRows = { gate: rows(gate), up: rows(up), down: rows(down) };
    const partOffsets = {
      gate: 0,
      up: partRows.gate * gate.rowStride,
      down: partRows.gate * gate.rowStride + partRows.up * up.rowStride,
    };
    experts.push({
      layer: l,
      gate,
      up,
      down,
      partRows,
      partOffsets,
      recordBytes: partOffsets.down + partRows.down * down.rowStride,
    });
  }

  const dense: DenseTensor[] = header.tensors
    .filter((t) => !expertTensors.has(t.name))
    .map((t) => {
      const s = storedTensor(t);
      const rowsPerChunk = Math.max(1, Math.floor(CHUNK_BYTES / s.rowStride));
      return { ...s, rowsPerChunk, chunks: Math.ceil(s.nRows / rowsPerChunk) };
    });

  const records: PlannedRecord[] = [];
  for (const t of dense) {
    const fileRow = t.fileBytes / t.nRows;
    for (let c = 0; c < t.chunks; c++) {
      const rows = Math.min(t.rowsPerChunk, t.nRows - c * t.rowsPerChunk);
      const slice: RecordSlice = {
        tensor: t,
        rows,
        fileOffset: t.fileOffset + c * t.rowsPerChunk * fileRow,
        fileBytes: rows * fileRow,
      };
      records.push({ key: denseKey(modelId, t.name, c), bytes: rows * t.rowStride, slices: [slice] });
    }
  }
  for (const layer of experts) {
    for (let e = 0; e < hp.nExpert; e++) {
      const slices = EXPERT_PARTS.map((p): RecordSlice => {
        const t = layer[p];
        const rows = layer.partRows[p];
        const fileRow = t.fileBytes / t.nRows;
        return { tensor: t, rows, fileOffset: t.fileOffset + e * rows * fileRow, fileBytes: rows * fileRow };
      });
      records.push({ key: expertKey(modelId, layer.layer, e), bytes: layer.recordBytes, slices });
    }
  }
  return { dense, experts, records, storedBytes: records.reduce((s, r) => s + r.bytes, 0) };
}

/** The stored bytes of one record, built from the file bytes of each of its slices. */
export function buildRecord(record: PlannedRecord, sliceBytes: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(record.bytes);
  let at = 0;
  record.slices.forEach((s, i) => {
    const part = transcodeRows(ggmlTypeByName(s.tensor.type), s.tensor.rowWeights, sliceBytes[i]!, s.rows);
    out.set(part, at);
    at += part.byteLength;
  });
  return out;
}
