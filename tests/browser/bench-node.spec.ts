/**
 * The runtime outside the browser (npm run bench:node: Dawn in Node, the store in memory), against the
 * same runtime in Chromium and against llama.cpp (node-llama-cpp, CPU), at a small scale. Needs the
 * Node build (vite.node.config.ts → dist-node/, made by npm test's build step).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from './support/fixtures';
import { reference, VARIANTS } from './support/model';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

interface Run {
  budget: string;
  resident: boolean;
  ids: number[];
  hit_rate: number | null;
  ram_hits_per_tok: number;
  prefetched_per_tok: number;
  upload_mb_per_tok: number;
  store_mb_per_tok: number;
  store_reads: number;
}
interface BenchJson {
  prompt_ids: number[];
  ids: number[];
  prefill_tok_s: number;
  decode_tok_s: number;
  runs: Run[];
  llama_cpu?: { ids?: number[]; prefill_tok_s?: number; decode_tok_s?: number; error?: string };
  llama_ids_equal: Record<string, boolean>;
}

/** npm run bench:node's last JSON line, as a user runs it (through the Vulkan launcher). */
function benchNode(args: string[]): BenchJson {
  if (!existsSync(`${ROOT}/dist-node/bench-node.mjs`))
    throw new Error('dist-node/bench-node.mjs is missing: npm run build:node');
  const r = spawnSync('node', ['scripts/node-vulkan.mjs', 'dist-node/bench-node.mjs', ...args, '--json'], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 240_000,
  });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as BenchJson;
}

test.describe.configure({ timeout: 300_000 });

/** Runs on the Q4_0 fixture: the reference's prompt, 32 tokens, one identical warm-up generation first. */
const q4Args = () => {
  const turn = reference('q4_0').turns[0]!;
  return [
    '--model',
    'tests/fixtures/models/ds2-pub-q4_0.gguf',
    '--tokens',
    turn.input_tokens.join(','),
    '--max-tokens',
    '32',
    '--warmup',
    '1',
    '--llama',
    'none',
  ];
};
let q4Default: BenchJson | undefined;
/**
 * Resident, then paged at 1x (room for the active experts of each MoE layer and one slot more, of the
 * fixture's 4) with the default RAM tier and prefetch: one process for three tests (a Node process
 * spends most of its time compiling pipelines on SwiftShader).
 */
const q4ResidentAndPaged = () => (q4Default ??= benchNode([...q4Args(), '--budgets', 'resident,1x']));

// The reference's tokens are the browser's too (model.spec.ts checks them there): equal to them, Node
// gives the browser's greedy tokens without running the browser again.
test("bench:node gives the reference's (and so the browser's) greedy tokens, and llama.cpp's on the f32 fixture", () => {
  const f32 = reference('f32').turns[0]!;
  const node = benchNode([
    '--model',
    `tests/fixtures/models/${VARIANTS.f32}`,
    '--tokens',
    f32.input_tokens.join(','),
    '--max-tokens',
    '32',
    '--llama',
    'cpu',
    '--llama-threads',
    '1',
  ]);
  expect(node.prompt_ids).toEqual(f32.input_tokens);
  expect(node.ids, 'f32').toEqual(f32.generated_tokens);
  expect(node.prefill_tok_s).toBeGreaterThan(0);
  expect(node.decode_tok_s).toBeGreaterThan(0);
  // llama.cpp's CPU build is an independent runtime: on the f32 file its greedy tokens are ours
  expect(node.llama_cpu?.error).toBeUndefined();
  expect(node.llama_cpu?.ids).toEqual(node.ids);
  expect(node.llama_ids_equal).toEqual({ cpu: true });
  expect(node.llama_cpu?.decode_tok_s).toBeGreaterThan(0);
  const q4 = reference('q4_0').turns[0]!;
  const q4Run = q4ResidentAndPaged();
  expect(q4Run.prompt_ids).toEqual(q4.input_tokens);
  expect(q4Run.runs[0]!.resident).toBe(true);
  expect(q4Run.runs[0]!.ids, 'q4_0').toEqual(q4.generated_tokens);
});

test('paged decode after warm-up reads nothing from the store when the RAM tier holds the experts', () => {
  const turn = reference('q4_0').turns[0]!;
  const without = benchNode([...q4Args(), '--budgets', '1x', '--ram-tier', '0']).runs[0]!;
  const [resident, paged] = q4ResidentAndPaged().runs as [Run, Run];
  expect(resident.resident).toBe(true);
  expect(paged.resident).toBe(false);
  expect(without.resident).toBe(false);
  // the same tokens whatever the budget and tier
  expect(paged.ids).toEqual(resident.ids);
  expect(without.ids).toEqual(resident.ids);
  expect(paged.ids).toEqual(turn.generated_tokens);
  // without a RAM tier, the GPU cache's misses read the store during the measured generation
  expect(without.hit_rate).toBeLessThan(1);
  expect(without.store_reads).toBeGreaterThan(0);
  expect(without.store_mb_per_tok).toBeGreaterThan(0);
  // with one, the same misses are uploaded from memory and the store is not read at all
  expect(paged.hit_rate).toBeLessThan(1);
  expect(paged.ram_hits_per_tok).toBeGreaterThan(0);
  expect(paged.upload_mb_per_tok).toBeGreaterThan(0);
  expect(paged.store_reads).toBe(0);
  expect(paged.store_mb_per_tok).toBe(0);
});

test("paged decode prefetches the next layer's predicted experts: more hits, the same tokens, no extra read-back", () => {
  const turn = reference('q4_0').turns[0]!;
  type Counted = Run & { readbacks_per_tok: number; submits_per_tok: number };
  const on = q4ResidentAndPaged().runs[1]! as Counted;
  const off = benchNode([...q4Args(), '--budgets', '1x', '--no-prefetch']).runs[0]! as Counted;
  expect(on.resident).toBe(false);
  expect(on.ids).toEqual(turn.generated_tokens);
  expect(off.ids).toEqual(turn.generated_tokens);
  expect(off.prefetched_per_tok).toBe(0);
  expect(on.prefetched_per_tok).toBeGreaterThan(0);
  // the prediction rides on the routing's read-back: no extra read-back or submit per token
  expect(on.readbacks_per_tok).toBe(off.readbacks_per_tok);
  expect(on.submits_per_tok).toBe(off.submits_per_tok);
  // on this fixture, deterministically, the predicted experts turn misses into hits
  expect(on.hit_rate!).toBeGreaterThan(off.hit_rate!);
});

test('bench:node on a file that cannot be loaded exits non-zero with one line naming the problem', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lc-'));
  const bad = join(dir, 'bad.gguf');
  writeFileSync(bad, readFileSync(join(ROOT, 'tests/fixtures/models/ds2-pub-q4_0.gguf')).subarray(0, 40_000));
  const r = spawnSync(
    'node',
    [
      'scripts/node-vulkan.mjs',
      'dist-node/bench-node.mjs',
      '--model',
      bad,
      '--tokens',
      '1,2',
      '--max-tokens',
      '2',
      '--llama',
      'none',
      '--json',
    ],
    { cwd: ROOT, encoding: 'utf8', timeout: 120_000 },
  );
  expect(r.status).not.toBe(0);
  expect(
    r.stderr
      .trim()
      .split('\n')
      .filter((l) => l.startsWith('error:')),
  ).toEqual([expect.stringMatching(/truncated/)]);
  const usage = spawnSync(
    'node',
    ['scripts/node-vulkan.mjs', 'dist-node/bench-node.mjs', '--tokens', '1', '--max-tokens', '2'],
    { cwd: ROOT, encoding: 'utf8', timeout: 60_000 },
  );
  expect(usage.status).not.toBe(0);
  expect(usage.stderr).toMatch(/error: give one of --model and --synthetic/);
});
