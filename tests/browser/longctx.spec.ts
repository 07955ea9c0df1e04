/**
 * Long prompts are as exact as short ones (issue 15): the long-context fixture (tests/fixtures/longctx/:
 * a 4,201-token prompt past YaRN's original context of 4,096, then a 200-token second turn on the same
 * KV cache, on ds2-pub-f32.gguf) against the float64 reference: every greedy token identical and the
 * last fed position's logits within 1e-3, for both turns.
 */
import { readFileSync } from 'node:fs';
import { expect, FIXTURE_DIR, test } from './support/fixtures';
import { maxAbsDiff, openHarness, runTwoTurns, type ReferenceTurn } from './support/model';

const DIR = `${FIXTURE_DIR}longctx/`;

function longReference(): { t1: number[]; t2: number[]; turns: ReferenceTurn[]; logits: Float32Array[] } {
  const prompt = JSON.parse(readFileSync(`${DIR}prompt.json`, 'utf8')) as { t1: number[]; t2: number[] };
  const json = JSON.parse(readFileSync(`${DIR}reference-f32.json`, 'utf8')) as { turns: ReferenceTurn[] };
  const logits = [1, 2].map((n) => {
    const b = readFileSync(`${DIR}reference-f32.turn${n}.logits.f32`);
    return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
  });
  return { ...prompt, turns: json.turns, logits };
}

test('a 4,201-token prompt and a 200-token second turn match the float64 reference (tokens and logits)', async ({
  page,
  fixtureServer,
}) => {
  test.setTimeout(1_800_000);
  const ref = longReference();
  const [turn1, turn2] = ref.turns as [ReferenceTurn, ReferenceTurn];
  expect(ref.t1.length).toBe(4201);
  await openHarness(page);
  const t0 = Date.now();
  const { r1, r2 } = await runTwoTurns(
    page,
    `${fixtureServer.url}/models/ds2-pub-f32.gguf`,
    ref.t1,
    ref.t2,
    { kvType: 'F32' },
    turn1.generated_tokens.length,
  );
  console.log(
    `long context: turn 1 prefill ${(r1.prefillMs / 1000).toFixed(1)} s (${ref.t1.length} tokens), turn 2 prefill ${(r2.prefillMs / 1000).toFixed(1)} s (${r2.promptTokens - r2.reusedTokens} tokens), decode ${(r1.decodeMs / 1000).toFixed(1)} + ${(r2.decodeMs / 1000).toFixed(1)} s, all ${((Date.now() - t0) / 1000).toFixed(0)} s`,
  );
  console.log(
    `long context: logit differences ${maxAbsDiff(r1.promptLogits!, ref.logits[0]!).toExponential(2)}, ${maxAbsDiff(r2.promptLogits!, ref.logits[1]!).toExponential(2)}`,
  );
  expect(r1.ids).toEqual(turn1.generated_tokens);
  expect(maxAbsDiff(r1.promptLogits!, ref.logits[0]!)).toBeLessThan(1e-3);
  expect(r2.reusedTokens).toBe(turn2.start_pos);
  expect(r2.ids).toEqual(turn2.generated_tokens);
  expect(maxAbsDiff(r2.promptLogits!, ref.logits[1]!)).toBeLessThan(1e-3);
});
