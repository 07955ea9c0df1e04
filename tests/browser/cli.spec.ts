/** The command-line tools, as a user runs them (after the build that npm test does). */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';
import { maxAbsDiff, reference } from './support/model';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const tool = (script: string, args: string[]) =>
  spawnSync('npx', ['tsx', `scripts/${script}.ts`, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
const lastJson = (stdout: string) => JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;

test('infer --tokens reproduces the reference tokens, top-5 and logits', () => {
  const ref = reference('q8_0');
  const t1 = ref.turns[0]!;
  const dir = mkdtempSync(join(tmpdir(), 'lc-'));
  const r = tool('infer', [
    '--model',
    'tests/fixtures/models/ds2-pub-q8_0.gguf',
    '--tokens',
    t1.input_tokens.join(','),
    '--max-tokens',
    '32',
    '--json',
    '--kv',
    'f32',
    '--dump-logits',
    join(dir, 'l.f32'),
  ]);
  expect(r.status, r.stderr).toBe(0);
  const out = lastJson(r.stdout) as { prompt_ids: number[]; ids: number[]; top: [number, number][][] };
  expect(out.prompt_ids).toEqual(t1.input_tokens);
  expect(out.ids).toEqual(t1.generated_tokens);
  expect(out.top.map((s) => s.map(([id]) => id))).toEqual(t1.generation_top5.map((s) => s.map(([id]) => id)));
  const b = readFileSync(join(dir, 'l.f32'));
  expect(maxAbsDiff(new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4), ref.logits[0]!)).toBeLessThan(1e-3);
});

test('infer --prompt tokenizes after BOS; --expert-budget pages and reports the cache', () => {
  const ref = reference('q4_0');
  const r = tool('infer', [
    '--model',
    'tests/fixtures/models/ds2-pub-q4_0.gguf',
    '--prompt',
    'def fib(n):\n    return n + 1',
    '--max-tokens',
    '6',
    '--json',
    '--expert-budget',
    '0.01',
  ]);
  expect(r.status, r.stderr).toBe(0);
  const out = lastJson(r.stdout) as { prompt_ids: number[]; ids: number[]; experts: { hits: number; misses: number } };
  expect(out.prompt_ids).toEqual(ref.turns[0]!.input_tokens);
  expect(out.ids).toEqual(ref.turns[0]!.generated_tokens.slice(0, 6));
  expect(out.experts.misses).toBeGreaterThan(0);
});

test('infer on a file that cannot be loaded exits non-zero with one line naming the problem', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lc-'));
  const bad = join(dir, 'bad.gguf');
  writeFileSync(bad, readFileSync(join(ROOT, 'tests/fixtures/models/ds2-pub-q4_0.gguf')).subarray(0, 40_000));
  const r = tool('infer', ['--model', bad, '--prompt', 'x', '--max-tokens', '2', '--json']);
  expect(r.status).not.toBe(0);
  expect(
    r.stderr
      .trim()
      .split('\n')
      .filter((l) => l.startsWith('error:')),
  ).toEqual([expect.stringMatching(/truncated/)]);
});

test('tokenize prints one ids line per input, no BOS, special-token text as plain text', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lc-'));
  const input = join(dir, 'in.jsonl');
  writeFileSync(
    input,
    ['User: write a quick sort in python\n\nAssistant:', '<｜end▁of▁sentence｜>']
      .map((text) => JSON.stringify({ text }))
      .join('\n'),
  );
  const r = tool('tokenize', ['--model', 'tests/fixtures/tokenizer/ggml-vocab-deepseek-llm.gguf', '--jsonl', input]);
  expect(r.status, r.stderr).toBe(0);
  const lines = r.stdout
    .trim()
    .split('\n')
    .map((l) => (JSON.parse(l) as { ids: number[] }).ids);
  expect(lines[0]).toEqual([5726, 25, 3708, 245, 3399, 3734, 279, 9934, 185, 185, 77398, 25]);
  expect(lines[1]).not.toContain(100001);
  expect(lines[1]!.length).toBeGreaterThan(3);
});
