/** Reading a GGUF file's header from disk, for the command-line tools. */
import { openSync, readSync, closeSync, fstatSync } from 'node:fs';
import { readGgufHeader, type GgufHeader } from '../workers/gguf/parse';

export async function readHeaderFromFile(path: string): Promise<GgufHeader> {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const { header } = await readGgufHeader(async (offset, length) => {
      const b = new Uint8Array(length);
      readSync(fd, b, 0, length, offset);
      return b;
    }, size);
    return header;
  } finally {
    closeSync(fd);
  }
}

/** `--name value` pairs and `--flag`s. */
export function parseArgs(argv: string[], flags: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) throw new Error(`unexpected argument "${a}"`);
    const name = a.slice(2);
    if (flags.includes(name)) out.set(name, 'true');
    else {
      const v = argv[++i];
      if (v === undefined) throw new Error(`--${name} needs a value`);
      out.set(name, v);
    }
  }
  return out;
}

export function fail(message: string): never {
  process.stderr.write(`error: ${message.split('\n')[0]}\n`);
  process.exit(1);
}
