/**
 * The whole model against the float64 reference, for every fixture model: with an f32 KV cache, tokens
 * and logits; with the f16 cache (the default), the greedy tokens.
 */
import { readDeepSeek2 } from '../../workers/gguf/deepseek2';
import { parseGgufHeader } from '../../workers/gguf/parse';
import { planRecords } from '../../workers/store/plan';
import { expect, test } from './support/fixtures';
import { fixtureFile } from './support/store';
import {
  maxAbsDiff,
  openHarness,
  QUANT_MIXES,
  quantReference,
  reference,
  runOneTurn,
  runTwoTurns,
  VARIANTS,
} from './support/model';

for (const [variant, file] of Object.entries(VARIANTS) as [keyof typeof VARIANTS, string][]) {
  test(`${variant}: greedy tokens and logits match the reference over two turns on one KV cache`, async ({
    page,
    fixtureServer,
  }) => {
    const ref = reference(variant);
    const [t1, t2] = ref.turns as [(typeof ref.turns)[0], (typeof ref.turns)[0]];
    await openHarness(page);
    const { r1, r2 } = await runTwoTurns(
      page,
      `${fixtureServer.url}/models/${file}`,
      t1.input_tokens,
      t2.input_tokens,
      { kvType: 'F32' },
    );
    expect(r1.ids).toEqual(t1.generated_tokens);
    expect(maxAbsDiff(r1.promptLogits!, ref.logits[0]!)).toBeLessThan(1e-3);
    expect(r2.reusedTokens).toBe(t2.start_pos); // the second call fed only what the cache lacked
    expect(r2.ids).toEqual(t2.generated_tokens);
    expect(maxAbsDiff(r2.promptLogits!, ref.logits[1]!)).toBeLessThan(1e-3);
  });
}

test('paged mode with a budget of a quarter of the experts gives the resident tokens', async ({
  page,
  fixtureServer,
}) => {
  const file = fixtureFile('ds2-pub256-q4_k_m.gguf');
  const header = parseGgufHeader(file, file.byteLength);
  const hp = readDeepSeek2(header);
  const { experts } = planRecords('x', header, hp);
  const quarter = Math.ceil((experts.length * hp.nExpert) / 4);
  const budgetMB = (quarter * Math.max(...experts.map((l) => l.recordBytes))) / 1e6;
  const ref = reference('q4_k_m');
  const [t1, t2] = ref.turns as [(typeof ref.turns)[0], (typeof ref.turns)[0]];
  await openHarness(page);
  const { r1, r2, loaded } = await runTwoTurns(
    page,
    `${fixtureServer.url}/models/ds2-pub256-q4_k_m.gguf`,
    t1.input_tokens,
    t2.input_tokens,
    { expertBudgetMB: budgetMB, kvType: 'F32' },
  );
  expect(loaded.resident).toBe(false);
  expect(loaded.slots).toBe(quarter);
  expect(r1.ids).toEqual(t1.generated_tokens);
  expect(r2.ids).toEqual(t2.generated_tokens);
  expect(maxAbsDiff(r2.promptLogits!, ref.logits[1]!)).toBeLessThan(1e-3);
  // Each routed step of each layer either found its experts or read them from IndexedDB.
  expect(r1.experts.misses).toBeGreaterThan(0);
  expect(r1.experts.hits + r1.experts.misses).toBeGreaterThanOrEqual(32 * experts.length * hp.nExpertUsed);
  expect(r1.experts.bytesRead).toBeGreaterThan(0);
});

// The KV cache's form does not depend on the weights' types: npm test runs the f16 cache on both
// attention layouts and a K-quant mix (two turns, the second on the cache); LC_SLOW_TESTS=1 runs every
// fixture and quant-mix model (about three minutes on CI's two cores).
const ALL_MODELS = process.env.LC_SLOW_TESTS === '1';
const F16_VARIANTS: readonly (keyof typeof VARIANTS)[] = ALL_MODELS
  ? (Object.keys(VARIANTS) as (keyof typeof VARIANTS)[])
  : ['f32', 'legacy-f32', 'q4_k_m'];

test(`an f16 KV cache gives the reference's greedy tokens on ${ALL_MODELS ? 'every fixture model' : 'f32, legacy-f32 and q4_k_m'}; the logit differences are reported`, async ({
  page,
  fixtureServer,
}) => {
  test.setTimeout(600_000);
  const report: string[] = [];
  await openHarness(page);
  for (const variant of F16_VARIANTS) {
    const file = VARIANTS[variant];
    const ref = reference(variant);
    const [t1, t2] = ref.turns as [(typeof ref.turns)[0], (typeof ref.turns)[0]];
    const { r1, r2, loaded } = await runTwoTurns(
      page,
      `${fixtureServer.url}/models/${file}`,
      t1.input_tokens,
      t2.input_tokens,
      { kvType: 'F16' },
    );
    expect(loaded.kvType).toBe('F16');
    expect(r1.ids, `${variant}, turn 1`).toEqual(t1.generated_tokens);
    expect(r2.ids, `${variant}, turn 2`).toEqual(t2.generated_tokens);
    report.push(
      `${variant}: ${maxAbsDiff(r1.promptLogits!, ref.logits[0]!).toExponential(2)}, ${maxAbsDiff(r2.promptLogits!, ref.logits[1]!).toExponential(2)}`,
    );
  }
  for (const mix of ALL_MODELS ? QUANT_MIXES : []) {
    const { turn, logits } = quantReference(mix);
    const { r } = await runOneTurn(
      page,
      `${fixtureServer.url}/quant-models/ds2-pub-${mix}.gguf`,
      turn.input_tokens,
      turn.generated_tokens.length,
      { kvType: 'F16' },
    );
    expect(r.ids, mix).toEqual(turn.generated_tokens);
    report.push(`${mix}: ${maxAbsDiff(r.promptLogits!, logits).toExponential(2)}`);
  }
  console.log(
    `f16 KV cache, max |logit - reference| at the last prompt position (turn 1, turn 2):\n  ${report.join('\n  ')}`,
  );
});
