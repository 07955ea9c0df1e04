/**
 * The names of a split model's files, as llama.cpp's llama_split_path writes them:
 * `<prefix>-<i>-of-<n>.gguf`, i counting from 1, both numbers zero-padded to at least five digits
 * ("DeepSeek-Coder-V2-Lite-Instruct-Q8_0-00001-of-00002.gguf"). Plain string scanning, no regex.
 */

/** A file name read as one file of a split set. */
export interface ShardName {
  readonly prefix: string;
  /** 1-based, as in the name */
  readonly index: number;
  readonly count: number;
}

const SUFFIX = '.gguf';
const MIN_DIGITS = 5;

function number(digits: string): number | undefined {
  if (digits.length < MIN_DIGITS || digits.length > 9) return undefined;
  for (const c of digits) if (c < '0' || c > '9') return undefined;
  return Number(digits);
}

/** `name` read as `<prefix>-<i>-of-<n>.gguf`, or undefined when it is not named so (or 0 < i <= n fails). */
export function parseShardName(name: string): ShardName | undefined {
  if (!name.endsWith(SUFFIX)) return undefined;
  const stem = name.slice(0, -SUFFIX.length);
  const of = stem.lastIndexOf('-of-');
  if (of < 0) return undefined;
  const count = number(stem.slice(of + 4));
  const dash = stem.lastIndexOf('-', of - 1);
  if (dash <= 0 || count === undefined) return undefined;
  const index = number(stem.slice(dash + 1, of));
  if (index === undefined || index < 1 || index > count) return undefined;
  return { prefix: stem.slice(0, dash), index, count };
}

/** The file name of shard `index` (1-based) of `count`, as llama_split_path writes it. */
export function shardFileName(prefix: string, index: number, count: number): string {
  const pad = (n: number) => String(n).padStart(MIN_DIGITS, '0');
  return `${prefix}-${pad(index)}-of-${pad(count)}${SUFFIX}`;
}

/**
 * Every shard's URL, in order, when `url`'s last path segment names a file of a split set; otherwise
 * undefined. The query and fragment are kept (hosts such as Hugging Face add `?download=true`).
 */
export function shardUrls(url: string): string[] | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return undefined;
  }
  const slash = u.pathname.lastIndexOf('/');
  const shard = parseShardName(u.pathname.slice(slash + 1));
  if (!shard) return undefined;
  const dir = u.pathname.slice(0, slash + 1);
  return Array.from({ length: shard.count }, (_, i) => {
    const v = new URL(u.href);
    v.pathname = dir + shardFileName(shard.prefix, i + 1, shard.count);
    return v.href;
  });
}
