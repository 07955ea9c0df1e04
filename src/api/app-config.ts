/**
 * web-llm's app config for Lite Coder: `prebuiltAppConfig` lists the common GGUF files of
 * DeepSeek-Coder-V2-Lite-Instruct, so `CreateMLCEngine('DeepSeek-Coder-V2-Lite-Instruct-Q4_K_M')` works
 * as web-llm's prebuilt ids do (the file is imported into the origin's store on first use). A record's
 * `model` is the URL of a GGUF file (any file of a split model), not an MLC model folder; `model_lib`
 * names this engine's runtime, which runs every deepseek2 file (there is no per-model WebAssembly).
 */
import type { AppConfig, ModelRecord } from '@mlc-ai/web-llm';
import {
  HIDDEN_SIZE,
  LARGEST_BOUND_TENSOR_BYTES,
  RESIDENT_WORKING_MARGIN,
  VOCAB_SIZE,
} from '../../workers/device/requirements';
import { modelRecordNotFound } from './errors';

/** A model record, with the file's size beside web-llm's fields (a Lite Coder extension). */
export interface LiteCoderModelRecord extends ModelRecord {
  /** bytes of the GGUF file (all files of a split model): what an import stores */
  file_size_bytes?: number;
}

/** What `model_lib` says in Lite Coder's records: the WebGPU deepseek2 runtime of this module. */
export const LITE_CODER_RUNTIME = 'lite-coder:deepseek2-webgpu';

const HOST = 'https://huggingface.co/bartowski/DeepSeek-Coder-V2-Lite-Instruct-GGUF/resolve/main/';
const MiB = 1024 * 1024;
/** The Q8_0 file keeps the output head in Q8_0 (34 bytes per 32 weights), the others in Q6_K. */
const Q8_0_OUTPUT_BYTES = ((VOCAB_SIZE * HIDDEN_SIZE) / 32) * 34;

/**
 * One published file: its quantization and size in bytes as the host lists it (rounded to 10 MB;
 * the import takes the exact size from the server). Each size agrees with the file's bits per weight:
 * 14.4 B expert weights (gate and up in the named type, down in the fallback of rows 1408 wide) and
 * 1.3 B others, e.g. Q6_K: 9.6 B x 6.5625 / 8 + 4.8 B x 8.5 / 8 (Q8_0) + 1.3 B x 6.5625 / 8 = 14.05 GB.
 * The Q4_K_M and Q4_0 sizes are the project reference's (shared/reference: 10.36 and 8.90 GB); the
 * import screen (src/ui/models/ImportForm.tsx) lists these records too, so there is one list.
 */
function record(quant: string, fileBytes: number): LiteCoderModelRecord {
  return {
    model: `${HOST}DeepSeek-Coder-V2-Lite-Instruct-${quant}.gguf`,
    model_id: `DeepSeek-Coder-V2-Lite-Instruct-${quant}`,
    model_lib: LITE_CODER_RUNTIME,
    // Every expert resident: the file's weights, the KV reserve and the working margin
    // (workers/device/memory.ts). With less, experts are paged from storage.
    vram_required_MB: Math.round((fileBytes + RESIDENT_WORKING_MARGIN) / MiB),
    low_resource_required: false,
    // The largest tensor bound as one storage buffer: the output head.
    buffer_size_required_bytes: quant === 'Q8_0' ? Q8_0_OUTPUT_BYTES : LARGEST_BOUND_TENSOR_BYTES,
    file_size_bytes: fileBytes,
  };
}

/**
 * The common GGUF files of DeepSeek-Coder-V2-Lite-Instruct (bartowski's conversion, the legacy
 * attention layout; every type they use runs here), largest first.
 */
export const prebuiltAppConfig: Omit<AppConfig, 'model_list'> & { model_list: LiteCoderModelRecord[] } = {
  model_list: [
    record('Q8_0', 16_700_000_000),
    record('Q6_K', 14_060_000_000),
    record('Q5_K_M', 11_850_000_000),
    record('Q4_K_M', 10_360_000_000),
    record('Q4_0', 8_900_000_000),
    record('IQ4_XS', 8_570_000_000),
    record('Q3_K_L', 8_450_000_000),
    record('Q3_K_M', 8_130_000_000),
    record('Q2_K', 6_430_000_000),
  ],
};

/** The record of `modelId` in `appConfig`, or undefined. */
export function findRecord(appConfig: AppConfig, modelId: string): ModelRecord | undefined {
  return appConfig.model_list.find((r) => r.model_id === modelId);
}

/** The record of `modelId`; throws web-llm's ModelNotFoundError when the config has none. */
export function requireRecord(appConfig: AppConfig, modelId: string): ModelRecord {
  const r = findRecord(appConfig, modelId);
  if (!r) throw modelRecordNotFound(modelId);
  return r;
}

/** A record's file URL, absolute (a relative `model` is resolved against the page, as web-llm does). */
export function recordUrl(r: ModelRecord): string {
  const base = typeof document !== 'undefined' ? document.URL : globalThis.location.href;
  return new URL(r.model, base).href;
}
