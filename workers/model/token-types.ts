/**
 * Token types as the tokenizer uses them: the file's types, with the control-looking tokens that a
 * file types USER_DEFINED made CONTROL, as llama.cpp does when it loads a vocabulary.
 *
 * DeepSeek GGUF files converted in 2024 (the popular Q4_K_M and Q4_0 among them) store the FIM markers
 * <｜fim▁hole｜>, <｜fim▁begin｜>, <｜fim▁end｜> (ids 100002-100004 in Coder-V2-Lite) as USER_DEFINED.
 * Typed so, they would be matched in user text, so a user or a file could open a FIM section.
 * llama.cpp re-types them when it loads the file ("control-looking token: 100002 '<｜fim▁hole｜>' was
 * not control-type; this is probably a bug in the model. its type will be overridden"); so do we, here,
 * where a Tokenizer is built from stored TokenizerData, so models imported earlier are covered too.
 */

/** ggml token types (gguf's tokenizer.ggml.token_type); 0 means undefined. */
export const TOKEN_TYPE = { normal: 1, unknown: 2, control: 3, userDefined: 4, unused: 5, byte: 6 } as const;

/**
 * Every token text llama.cpp makes CONTROL by text, whatever the file says: llama_vocab::impl::load in
 * src/llama-vocab.cpp, its "auto-detect special tokens by text" loop (EOT, EOM and the FIM
 * prefix/suffix/middle/pad/repo/separator roles) and the end-of-generation list after it. The
 * entries for other model families cost nothing and keep this list comparable with the source.
 */
export const LLAMA_CPP_CONTROL_TEXTS: ReadonlySet<string> = new Set([
  // EOT
  '<|eot_id|>',
  '<|im_end|>',
  '<|end|>',
  '<end_of_turn>',
  '<|endoftext|>',
  '<|end_of_text|>',
  '<EOT>',
  '_<EOT>',
  '[EOT]',
  '<\uFF5Cend\u2581of\u2581sentence\uFF5C>',
  '<end_of_utterance>',
  // EOM
  '<|eom_id|>',
  // FIM prefix (DeepSeek: <｜fim▁begin｜>), suffix (<｜fim▁hole｜>), middle (<｜fim▁end｜>)
  '<|fim_prefix|>',
  '<fim-prefix>',
  '<fim_prefix>',
  '<\uFF5Cfim\u2581begin\uFF5C>',
  '<PRE>',
  '\u2581<PRE>',
  '<|code_prefix|>',
  '<|prefix|>',
  '<|fim_suffix|>',
  '<fim-suffix>',
  '<fim_suffix>',
  '<\uFF5Cfim\u2581hole\uFF5C>',
  '<SUF>',
  '\u2581<SUF>',
  '<|code_suffix|>',
  '<|suffix|>',
  '<|fim_middle|>',
  '<fim-middle>',
  '<fim_middle>',
  '<\uFF5Cfim\u2581end\uFF5C>',
  '<MID>',
  '\u2581<MID>',
  '<|code_middle|>',
  '<|middle|>',
  // FIM pad, repo, file separator
  '<|fim_pad|>',
  '<fim-pad>',
  '<fim_pad>',
  '<PAD>',
  '[PAD]',
  '<|fim_repo|>',
  '<|repo_name|>',
  '<fim-repo>',
  '<REPO>',
  '<reponame>',
  '<|file_sep|>',
  // end of generation
  '<|return|>',
  '<|call|>',
  '<|flush|>',
  '<|calls|>',
  '</s>',
  '[EOS]',
  '<eos>',
  '<turn|>',
  '<|tool_response>',
  '[e~[',
]);

/**
 * Whether a token's text has the form of a control token: `<｜…｜>` (fullwidth bars, DeepSeek's
 * spelling) or `<|…|>`, with something between the bars. Plain string checks, no regular expression.
 */
export function looksLikeControl(text: string): boolean {
  for (const [open, close] of [
    ['<\uFF5C', '\uFF5C>'],
    ['<|', '|>'],
  ] as const) {
    if (text.length > open.length + close.length && text.startsWith(open) && text.endsWith(close)) return true;
  }
  return false;
}

/**
 * The types the tokenizer works with: `types` (one per token, from the file), with every
 * USER_DEFINED token whose text llama.cpp re-types, or that looks like a control token, made CONTROL.
 * Returns `types` itself when nothing changes.
 *
 * Only USER_DEFINED tokens are re-typed. llama.cpp also adds the CONTROL flag to a NORMAL token with
 * one of its texts (none exists in DeepSeek vocabularies); BPE merges can produce a NORMAL token, so
 * keeping those NORMAL keeps the rule that encoding text never yields a control token. llama.cpp
 * leaves a USER_DEFINED `<|…|>` token outside its list matchable in text; we make it CONTROL too,
 * because text that looks like a control token must never become one.
 */
export function effectiveTokenTypes(tokens: readonly string[], types: readonly number[]): readonly number[] {
  let out: number[] | undefined;
  for (let id = 0; id < types.length; id++) {
    if (types[id] !== TOKEN_TYPE.userDefined) continue;
    const text = tokens[id]!;
    if (!LLAMA_CPP_CONTROL_TEXTS.has(text) && !looksLikeControl(text)) continue;
    out ??= [...types];
    out[id] = TOKEN_TYPE.control;
  }
  return out ?? types;
}
