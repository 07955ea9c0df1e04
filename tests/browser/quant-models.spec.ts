/**
 * The seven quant-mix models (tests/fixtures/quant-models/: every type a downloadable
 * DeepSeek-Coder-V2-Lite GGUF uses, in routed experts and in dense tensors) against the float64
 * reference: all 24 greedy tokens identical and the last prompt position's logits within 1e-3, each
 * resident through the worker API, two of them paged at a quarter of the experts, and one through
 * `npm run infer`'s script.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readDeepSeek2 } from '../../workers/gguf/deepseek2';
import { parseGgufHeader } from '../../workers/gguf/parse';
import { planRecords } from '../../workers/store/plan';
import { expect, FIXTURE_DIR, test } from './support/fixtures';
import { maxAbsDiff, openHarness, QUANT_MIXES, quantReference, runOneTurn, type QuantMix } from './support/model';

const file = (mix: QuantMix) => `ds2-pub-${mix}.gguf`;

// npm test: the mixes no other test here runs end to end (q3_k_l and iq2_m run paged below, iq1_m
// through the infer script); LC_SLOW_TESTS=1 runs every mix resident too.
const RESIDENT =
  process.env.LC_SLOW_TESTS === '1'
    ? QUANT_MIXES
    : QUANT_MIXES.filter((m) => !['q3_k_l', 'iq2_m', 'iq1_m'].includes(m));
for (const mix of RESIDENT) {
  test(`${mix}: resident, greedy tokens and last-position logits match the reference`, async ({
    page,
    fixtureServer,
  }) => {
    const { turn, logits } = quantReference(mix);
    await openHarness(page);
    const { r, loaded } = await runOneTurn(
      page,
      `${fixtureServer.url}/quant-models/${file(mix)}`,
      turn.input_tokens,
      turn.generated_tokens.length,
      { kvType: 'F32' },
    );
    expect(loaded.resident).toBe(true);
    expect(r.ids).toEqual(turn.generated_tokens);
    expect(maxAbsDiff(r.promptLogits!, logits)).toBeLessThan(1e-3);
  });
}

for (const mix of ['iq2_m', 'q3_k_l'] as const) {
  test(`${mix}: paged at a quarter of the experts, the same tokens`, async ({ page, fixtureServer }) => {
    const bytes = new Uint8Array(readFileSync(`${FIXTURE_DIR}quant-models/${file(mix)}`));
    const header = parseGgufHeader(bytes, bytes.byteLength);
    const hp = readDeepSeek2(header);
    const { experts } = planRecords('x', header, hp);
    const quarter = Math.ceil((experts.length * hp.nExpert) / 4);
    const budgetMB = (quarter * Math.max(...experts.map((l) => l.recordBytes))) / 1e6;
    const { turn, logits } = quantReference(mix);
    await openHarness(page);
    const { r, loaded } = await runOneTurn(
      page,
      `${fixtureServer.url}/quant-models/${file(mix)}`,
      turn.input_tokens,
      turn.generated_tokens.length,
      { expertBudgetMB: budgetMB, kvType: 'F32' },
    );
    expect(loaded.resident).toBe(false);
    expect(loaded.slots).toBe(quarter);
    expect(r.ids).toEqual(turn.generated_tokens);
    expect(maxAbsDiff(r.promptLogits!, logits)).toBeLessThan(1e-3);
    expect(r.experts.misses).toBeGreaterThan(0);
  });
}

test('iq1_m through the infer script: tokens and dumped logits match the reference', () => {
  const { turn, logits } = quantReference('iq1_m');
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const dir = mkdtempSync(join(tmpdir(), 'lc-'));
  const r = spawnSync(
    'npx',
    [
      'tsx',
      'scripts/infer.ts',
      '--model',
      `tests/fixtures/quant-models/${file('iq1_m')}`,
      '--tokens',
      turn.input_tokens.join(','),
      '--max-tokens',
      String(turn.generated_tokens.length),
      '--json',
      '--kv',
      'f32',
      '--dump-logits',
      join(dir, 'l.f32'),
    ],
    { cwd: root, encoding: 'utf8', timeout: 120_000 },
  );
  expect(r.status, r.stderr).toBe(0);
  const out = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { ids: number[] };
  expect(out.ids).toEqual(turn.generated_tokens);
  const b = readFileSync(join(dir, 'l.f32'));
  expect(maxAbsDiff(new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4), logits)).toBeLessThan(1e-3);
});
