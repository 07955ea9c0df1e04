/** The model store's records and the shapes the UI sees. */
import type { DeepSeek2Hparams } from '../gguf/deepseek2';
import type { TokenizerData } from '../model/tokenizer-data';

/**
 * What the user imports: a URL (of a file, or of any file of a split model, whose other files are found
 * by their names), a local file, or several local files (all the files of one split model, in any order).
 */
export type ImportSource =
  { kind: 'url'; url: string } | { kind: 'file'; file: File } | { kind: 'files'; files: File[] };

/** How a stored tensor's rows are laid out (see layout.ts). */
export interface StoredTensor {
  readonly name: string;
  /** ggml type name, e.g. "Q4_K" */
  readonly type: string;
  readonly ne: readonly number[];
  /** weights per row (ne[0]) and number of rows (the product of the other dimensions) */
  readonly rowWeights: number;
  readonly nRows: number;
  /** bytes of one stored row */
  readonly rowStride: number;
  /**
   * where the tensor's bytes start in the GGUF file, and their length there (for a split model, the
   * offset is into its files laid end to end, in order)
   */
  readonly fileOffset: number;
  readonly fileBytes: number;
}

/** A dense tensor is stored as chunks of whole rows: chunk i holds rows [i*rowsPerChunk, ...). */
export interface DenseTensor extends StoredTensor {
  readonly rowsPerChunk: number;
  readonly chunks: number;
}

/**
 * Routed experts: each layer's three stacked tensors (gate, up, down) are cut per expert, and expert
 * e of layer l is one record holding its gate rows, then its up rows, then its down rows.
 */
export interface ExpertLayer {
  readonly layer: number;
  readonly gate: StoredTensor;
  readonly up: StoredTensor;
  readonly down: StoredTensor;
  /** rows per expert in each part, and the byte offset of each part inside an expert record */
  readonly partRows: { readonly gate: number; readonly up: number; readonly down: number };
  readonly partOffsets: { readonly gate: number; readonly up: number; readonly down: number };
  readonly recordBytes: number;
}

/**
 * Where a stored model came from. For a split model: the first file's URL or name (with its ETag and
 * dates), and `shards`, every file in order.
 */
export type SourceInfo =
  | {
      kind: 'url';
      url: string;
      etag: string | null;
      lastModified: string | null;
      rangeSupported: boolean;
      shards?: readonly ShardSource[];
    }
  | { kind: 'file'; name: string; lastModified: number; shards?: readonly ShardSource[] };

/** One file of a split model: its URL or file name, its size in bytes, and its ETag (null when unknown). */
export interface ShardSource {
  readonly name: string;
  readonly size: number;
  readonly etag: string | null;
}

export type ModelState = 'importing' | 'ready';

export interface ModelManifest {
  /** derived from the file's header and size, so the same file always maps to the same model */
  readonly id: string;
  readonly name: string;
  readonly architecture: 'deepseek2';
  readonly fileType: string;
  /** bytes of the file (of all files together, for a split model) */
  readonly fileSize: number;
  readonly source: SourceInfo;
  state: ModelState;
  readonly createdAt: number;
  updatedAt: number;
  readonly hparams: DeepSeek2Hparams;
  readonly tokenizer: TokenizerData;
  readonly dense: readonly DenseTensor[];
  readonly experts: readonly ExpertLayer[];
  /** every record the model is made of, with its size; each record carries its own SHA-256 */
  readonly records: readonly PlannedRecord[];
  readonly storedBytes: number;
  /** SHA-256 of each record's bytes, filled in when the import completes */
  checksums: Record<string, string>;
}

export type RecordKey =
  | [modelId: string, kind: 'd', tensor: string, chunk: number]
  | [modelId: string, kind: 'x', layer: number, expert: number];

export interface RecordSlice {
  /** where the rows are in the GGUF file (a split model's files laid end to end) */
  readonly fileOffset: number;
  readonly fileBytes: number;
  readonly tensor: StoredTensor;
  readonly rows: number;
}

export interface PlannedRecord {
  readonly key: RecordKey;
  readonly bytes: number;
  /** the file ranges the record is made of, in record order */
  readonly slices: readonly RecordSlice[];
}

export interface StoredRecord {
  readonly sha256: string;
  readonly data: ArrayBuffer;
}

export interface ImportProgress {
  readonly modelId: string;
  readonly name: string;
  readonly phase: 'reading header' | 'checking space' | 'downloading' | 'finishing' | 'done';
  /** file bytes whose records are stored, and the total that will be */
  readonly bytesDone: number;
  readonly bytesTotal: number;
  /** bytes already stored by an earlier attempt and not fetched again */
  readonly bytesResumed: number;
  readonly bytesPerSecond: number;
  readonly etaSeconds: number | null;
  readonly canResume: boolean;
  readonly note?: string;
}

export interface ModelSummary {
  readonly id: string;
  readonly name: string;
  readonly state: ModelState;
  readonly fileType: string;
  readonly fileSize: number;
  readonly storedBytes: number;
  /** bytes of records present now (equals storedBytes when ready) */
  readonly bytesOnDisk: number;
  readonly source: SourceInfo;
  readonly layers: number;
  readonly experts: number;
  readonly attentionLayout: string;
}

export interface VerifyResult {
  readonly ok: boolean;
  readonly checked: number;
  readonly problems: string[];
}
