/**
 * response_format through grammar-constrained decoding, with @mlc-ai/web-xgrammar (the library web-llm
 * itself uses), loaded the first time a request asks for a format: JSON (`json_object`), a JSON schema
 * (`json_object` with `schema`, as web-llm takes it, or OpenAI's `json_schema`), an EBNF grammar
 * (`grammar`) or xgrammar's structural tags (`structural_tag`). Each step, the matcher gives the
 * bitmask of tokens the format allows next; the GPU sampler applies it to the logits (sample_prep),
 * so a random-weight model still writes valid JSON. Compiled grammars are kept per model and format.
 */
import type { ResponseFormat } from '@mlc-ai/web-llm';
import type { CompiledGrammar, GrammarCompiler } from '@mlc-ai/web-xgrammar';
import { GrammarMatcherInitError } from '../errors';
import type { Tokenizer } from '../model/tokenizer';
import type { TokenConstraint } from './engine';

type Xgrammar = typeof import('@mlc-ai/web-xgrammar');

/** Compiled grammars kept per model (a JSON schema takes milliseconds to seconds to compile). */
const KEEP = 8;

/** The grammar machinery of one loaded model. */
export class Grammars {
  private compiler: Promise<{ xg: Xgrammar; compiler: GrammarCompiler }> | undefined;
  private readonly compiled = new Map<string, Promise<CompiledGrammar>>();

  constructor(
    private readonly tok: Tokenizer,
    private readonly vocabSize: number,
  ) {}

  /**
   * The constraint a response format puts on generation, or undefined for plain text. Throws
   * GrammarMatcherInitError naming the problem when the schema or grammar does not compile.
   */
  async constraint(format: ResponseFormat | undefined): Promise<TokenConstraint | undefined> {
    const spec = formatSpec(format);
    if (!spec) return undefined;
    const t0 = performance.now();
    const { xg, compiler } = await this.load();
    let compiled = this.compiled.get(spec.key);
    if (!compiled) {
      compiled = spec.compile(compiler).catch((e: unknown) => {
        this.compiled.delete(spec.key);
        throw new GrammarMatcherInitError(
          `The response format could not be compiled: ${e instanceof Error ? e.message : String(e)}`,
        );
      });
      this.compiled.set(spec.key, compiled);
      while (this.compiled.size > KEEP) this.compiled.delete(this.compiled.keys().next().value!);
    }
    const matcher = await xg.GrammarMatcher.createGrammarMatcher(await compiled, [this.tok.eosId]);
    const initS = (performance.now() - t0) / 1000;
    let disposed = false;
    let spent = 0;
    let tokens = 0;
    return {
      timing: { initS, perTokenS: () => (tokens ? spent / tokens / 1000 : 0) },
      nextMask: async () => {
        const t = performance.now();
        const mask = matcher.isTerminated() ? null : await matcher.getNextTokenBitmask();
        spent += performance.now() - t;
        return mask as Int32Array<ArrayBuffer> | null;
      },
      accept: (id) => {
        const t = performance.now();
        matcher.acceptToken(id);
        spent += performance.now() - t;
        tokens++;
        return matcher.isTerminated();
      },
      dispose: () => {
        if (!disposed) matcher.dispose();
        disposed = true;
      },
    };
  }

  private load() {
    this.compiler ??= (async () => {
      const xg = await import('@mlc-ai/web-xgrammar');
      const info = await xg.TokenizerInfo.createTokenizerInfo(
        this.tok.vocabularyTexts(),
        'byte_level',
        false,
        this.vocabSize,
        [this.tok.eosId],
      );
      return { xg, compiler: await xg.GrammarCompiler.createGrammarCompiler(info) };
    })();
    return this.compiler;
  }
}

interface FormatSpec {
  /** what identifies the compiled grammar */
  readonly key: string;
  compile(c: GrammarCompiler): Promise<CompiledGrammar>;
}

/** What a response format asks to compile; undefined for plain text. */
function formatSpec(f: ResponseFormat | undefined): FormatSpec | undefined {
  if (!f) return undefined;
  const type = (f as { type?: string }).type;
  if (type === 'json_object') {
    if (f.schema) {
      const schema = f.schema;
      return { key: `schema:${schema}`, compile: (c) => c.compileJSONSchema(schema) };
    }
    return { key: 'json', compile: (c) => c.compileBuiltinJSONGrammar() };
  }
  if (type === 'json_schema') {
    const schema = JSON.stringify((f as { json_schema: { schema: unknown } }).json_schema.schema);
    return { key: `schema:${schema}`, compile: (c) => c.compileJSONSchema(schema) };
  }
  if (type === 'grammar' && f.grammar) {
    const grammar = f.grammar;
    return { key: `ebnf:${grammar}`, compile: (c) => c.compileGrammar(grammar) };
  }
  if (type === 'structural_tag' && f.structural_tag) {
    const tag = typeof f.structural_tag === 'string' ? f.structural_tag : JSON.stringify(f.structural_tag);
    return { key: `tag:${tag}`, compile: (c) => c.compileStructuralTag(tag) };
  }
  return undefined;
}
