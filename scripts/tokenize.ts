/**
 * npm run tokenize -- --model <file.gguf> --jsonl <file>
 * Reads lines {"text": "..."} and prints {"ids": [...]} for each: no BOS, and special-token text is
 * plain text. Only the file's header (the tokenizer) is read.
 */
import { readFileSync } from 'node:fs';
import { tokenizerDataFromMetadata } from '../workers/model/tokenizer-from-gguf';
import { Tokenizer } from '../workers/model/tokenizer';
import { fail, parseArgs, readHeaderFromFile } from './gguf-file';

async function main() {
  const args = parseArgs(process.argv.slice(2), []);
  const model = args.get('model');
  const jsonl = args.get('jsonl');
  if (!model || !jsonl) fail('usage: npm run tokenize -- --model <file.gguf> --jsonl <file>');
  const tok = new Tokenizer(tokenizerDataFromMetadata((await readHeaderFromFile(model)).metadata));
  const lines = readFileSync(jsonl, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '');
  for (const [i, line] of lines.entries()) {
    let text: unknown;
    try {
      text = (JSON.parse(line) as { text?: unknown }).text;
    } catch {
      fail(`line ${i + 1} of ${jsonl} is not JSON`);
    }
    if (typeof text !== 'string') fail(`line ${i + 1} of ${jsonl} has no "text" string`);
    process.stdout.write(`${JSON.stringify({ ids: tok.encode(text) })}\n`);
  }
}

main().catch((e: Error) => fail(e.message));
