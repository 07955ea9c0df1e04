/** The tokenizer as a GGUF file describes it; stored in the model manifest and read by the tokenizer. */
export interface TokenizerData {
  /** tokenizer.ggml.model, e.g. "gpt2" (byte-level BPE) */
  readonly model: string;
  /** tokenizer.ggml.pre, e.g. "deepseek-llm" */
  readonly pre: string;
  readonly tokens: readonly string[];
  /** ggml token types: 1 normal, 2 unknown, 3 control, 4 user-defined, 5 unused, 6 byte */
  readonly tokenTypes: readonly number[];
  /** "a b" pairs, highest priority first */
  readonly merges: readonly string[];
  readonly bosId: number;
  readonly eosId: number;
  readonly addBos: boolean;
  readonly addEos: boolean;
}
