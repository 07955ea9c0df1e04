/**
 * The full-size twin's path at a reduced scale (issue 15): `npm run twin -- --reduced` writes the real
 * file's structure (legacy attention layout, the Q4_K_M type rules and their fallbacks, the MoE
 * layers) small enough for the suite, and `npm run infer --stats` imports it through the store by
 * Range requests, loads it paged within an expert budget, generates, and prints the figures the
 * full-size run reports (README: the twin). The full-size table itself is checked in
 * tests/unit/twin.test.ts; the full-size run is a documented command, too big for CI.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const run = (script: string, args: string[]) =>
  spawnSync('npx', ['tsx', `scripts/${script}.ts`, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 300_000 });

test("a reduced twin imports, loads paged within a budget and generates, with the run's figures", () => {
  test.setTimeout(360_000);
  const dir = mkdtempSync(join(tmpdir(), 'lc-twin-'));
  try {
    const file = join(dir, 'twin.gguf');
    const w = run('twin', ['--out', file, '--reduced', '--type', 'Q4_K_M']);
    expect(w.status, w.stderr).toBe(0);
    expect(w.stdout).toMatch(/3 layers, /);
    for (const type of ['Q4_K', 'Q5_0', 'Q8_0', 'Q6_K', 'F32']) expect(w.stdout).toMatch(new RegExp(`\\d+ ${type}\\b`));
    // 2 MB holds 10 of the 16 routed experts (two MoE layers of 8): paged; no RAM tier, so that the
    // misses read IndexedDB as the full-size twin's do (its experts are more than a tier holds)
    const r = run('infer', [
      '--model',
      file,
      '--chat',
      'write a quick sort in python',
      '--max-tokens',
      '4',
      '--expert-budget',
      '2',
      '--ram-tier',
      '0',
      '--stats',
      '--json',
    ]);
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as {
      ids: number[];
      top: [number, number][][];
      stats: Record<string, number | boolean | string>;
    };
    expect(out.ids).toHaveLength(4);
    expect(out.top.flat().every(([, logit]) => Number.isFinite(logit))).toBe(true);
    const s = out.stats;
    expect(s.resident).toBe(false);
    expect(s.expert_slots).toBeLessThan(16);
    for (const k of [
      'import_mb_per_s',
      'import_peak_mb',
      'load_s',
      'load_peak_mb',
      'time_to_first_token_s',
      'decode_tokens_per_s',
      'idb_mb_per_decoded_token',
    ]) {
      expect(s[k], k).toBeGreaterThan(0);
    }
    expect(s.expert_hit_rate).toBeGreaterThanOrEqual(0);
    expect(s.expert_hit_rate).toBeLessThan(1);
    // the figures are printed for a person too
    expect(r.stderr).toMatch(/import: .* MB\/s\), peak browser memory \d+ MB/);
    expect(r.stderr).toMatch(/generate: .*decode [\d.]+ tok\/s; IndexedDB [\d.]+ MB per decoded token/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
