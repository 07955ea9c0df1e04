/**
 * Which of the published files this device should import, from the device check's report: the GPU
 * memory it measured (if any) and the storage the browser allows. Pure.
 *
 * Q4_K_M is the usual balance of quality and size (llama.cpp's and the GGUF publishers' default).
 * A device whose measured GPU memory holds no file up to Q4_K_M with every expert resident is better
 * served by the largest file that is resident, when there is one: paging experts from storage costs far
 * more per token than the few bits per weight a smaller quantization gives up. The probe stops once
 * Q4_K_M fits resident (workers/device/probe.ts), so nothing above Q4_K_M is ever known to fit: larger
 * files are never recommended, only offered.
 */
import type { LiteCoderModelRecord } from '../../api/app-config';
import type { DeviceReport } from '../../../workers/device/types';

/** The usual choice. */
export const DEFAULT_QUANT = 'Q4_K_M';

const MiB = 1024 * 1024;

export type RecommendationWhy =
  /** the largest file up to Q4_K_M whose experts all fit the measured GPU memory */
  | 'resident'
  /** Q4_K_M, with its experts paged: no file fits the GPU with every expert resident */
  | 'paged'
  /** Q4_K_M: the browser says nothing of the GPU's memory (a software adapter, no probe) */
  | 'usual'
  /** the largest file that fits the storage left, smaller than the GPU would allow */
  | 'storage';

export interface Recommendation {
  record: LiteCoderModelRecord;
  why: RecommendationWhy;
}

/** The quantization in a record's id ("DeepSeek-Coder-V2-Lite-Instruct-Q4_K_M" → "Q4_K_M"). */
export const quantOf = (r: LiteCoderModelRecord): string => r.model_id.slice(r.model_id.lastIndexOf('-') + 1);

/**
 * The file to recommend among `records`, or null when none fits the storage the browser allows.
 * `report` null: nothing is known yet (the usual choice).
 */
export function recommend(
  records: readonly LiteCoderModelRecord[],
  report: DeviceReport | null,
): Recommendation | null {
  const size = (r: LiteCoderModelRecord) => r.file_size_bytes ?? Infinity;
  const free = report?.storage.free ?? null;
  const bySize = [...records].sort((a, b) => size(b) - size(a));
  const usual = bySize.find((r) => quantOf(r) === DEFAULT_QUANT);
  const cap = usual ? size(usual) : Infinity;
  const fitting = bySize.filter((r) => size(r) <= cap && (free === null || size(r) <= free));
  if (fitting.length === 0) return null;
  const mem = report?.gpuMemory;
  if (mem?.kind === 'measured' && mem.hitLimit) {
    const resident = fitting.find((r) => (r.vram_required_MB ?? Infinity) * MiB <= mem.bytes);
    if (resident) return { record: resident, why: 'resident' };
    return usual && fitting[0] === usual ? { record: usual, why: 'paged' } : { record: fitting[0]!, why: 'storage' };
  }
  if (usual && fitting[0] === usual) return { record: usual, why: mem?.kind === 'measured' ? 'resident' : 'usual' };
  return { record: fitting[0]!, why: 'storage' };
}
