/** The whole model against the float64 reference, for every fixture model. */
import { expect, test } from './support/fixtures';
import { maxAbsDiff, openHarness, reference, runTwoTurns, VARIANTS } from './support/model';

for (const [variant, file] of Object.entries(VARIANTS) as [keyof typeof VARIANTS, string][]) {
  test(`${variant}: greedy tokens and logits match the reference over two turns on one KV cache`, async ({ page, fixtureServer }) => {
    const ref = reference(variant);
    const [t1, t2] = ref.turns as [typeof ref.turns[0], typeof ref.turns[0]];
    await openHarness(page);
    const { r1, r2 } = await runTwoTurns(page, `${fixtureServer.url}/models/${file}`, t1.input_tokens, t2.input_tokens, {});
    expect(r1.ids).toEqual(t1.generated_tokens);
    expect(maxAbsDiff(r1.promptLogits!, ref.logits[0]!)).toBeLessThan(1e-3);
    expect(r2.reusedTokens).toBe(t2.start_pos); // the second call fed only what the cache lacked
    expect(r2.ids).toEqual(t2.generated_tokens);
    expect(maxAbsDiff(r2.promptLogits!, ref.logits[1]!)).toBeLessThan(1e-3);
  });
}
