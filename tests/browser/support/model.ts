/** Reference outputs of the fixture models, and a helper to run a fixture through the worker API. */
import { readFileSync } from 'node:fs';
import type { Page } from '@playwright/test';
import type { LoadedModel, LoadRequest, TokenResult } from '../../../workers/api';
import { FIXTURE_DIR } from './fixtures';

export const VARIANTS = {
  f32: 'ds2-pub-f32.gguf',
  'legacy-f32': 'ds2-pub-legacy-f32.gguf',
  q8_0: 'ds2-pub-q8_0.gguf',
  q4_0: 'ds2-pub-q4_0.gguf',
  q4_k_m: 'ds2-pub256-q4_k_m.gguf',
} as const;

export interface ReferenceTurn {
  input_tokens: number[];
  fed_tokens: number[];
  start_pos: number;
  generated_tokens: number[];
  generation_top5: [number, number][][];
}

export function reference(variant: keyof typeof VARIANTS): { turns: ReferenceTurn[]; logits: Float32Array[] } {
  const json = JSON.parse(readFileSync(`${FIXTURE_DIR}models/reference-${variant}.json`, 'utf8')) as {
    turns: ReferenceTurn[];
  };
  const logits = [1, 2].map((n) => {
    const b = readFileSync(`${FIXTURE_DIR}models/reference-${variant}.turn${n}.logits.f32`);
    return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength)); // small Buffers share a pool
  });
  return { turns: json.turns, logits };
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

export async function openHarness(page: Page): Promise<void> {
  await page.goto('/tests/harness/harness.html');
  await page.waitForSelector('body[data-ready="1"]', { state: 'attached' });
}

/** Import a fixture by URL, load it, and run both reference turns on one KV cache, `maxTokens` greedy tokens each. */
export async function runTwoTurns(
  page: Page,
  url: string,
  turn1: number[],
  turn2: number[],
  load: LoadRequest,
  maxTokens = 32,
): Promise<{ r1: TokenResult; r2: TokenResult; loaded: LoadedModel }> {
  return page.evaluate(
    async ({ url, turn1, turn2, load, maxTokens }) => {
      const { engine, Comlink } = window.liteCoderHarness;
      const e = engine();
      const m = await e.importModel(
        { kind: 'url', url },
        Comlink.proxy(() => {}),
      );
      const loaded = await e.loadModel(
        m.id,
        load,
        Comlink.proxy(() => {}),
      );
      const r1 = await e.generateTokens({ promptIds: turn1, maxTokens, stopIds: [], wantPromptLogits: true });
      const r2 = await e.generateTokens({
        promptIds: [...turn1, ...r1.ids, ...turn2],
        maxTokens,
        stopIds: [],
        wantPromptLogits: true,
      });
      return { r1, r2, loaded };
    },
    { url, turn1, turn2, load, maxTokens },
  );
}

export const QUANT_MIXES = ['q5_k_m', 'q3_k_l', 'q2_k', 'iq4_xs', 'iq3_m', 'iq2_m', 'iq1_m'] as const;
export type QuantMix = (typeof QUANT_MIXES)[number];

/** The float64 reference of a quant-mix model (tests/fixtures/quant-models/): one turn, last-position logits. */
export function quantReference(mix: QuantMix): { turn: ReferenceTurn; logits: Float32Array } {
  const json = JSON.parse(readFileSync(`${FIXTURE_DIR}quant-models/reference-${mix}.json`, 'utf8')) as {
    turns: ReferenceTurn[];
  };
  const b = readFileSync(`${FIXTURE_DIR}quant-models/reference-${mix}.turn1.logits.f32`);
  return { turn: json.turns[0]!, logits: new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength)) };
}

/** Import a fixture by URL, load it, and run one turn of `maxTokens` greedy tokens. */
export async function runOneTurn(
  page: Page,
  url: string,
  prompt: number[],
  maxTokens: number,
  load: LoadRequest,
): Promise<{ r: TokenResult; loaded: LoadedModel }> {
  return page.evaluate(
    async ({ url, prompt, maxTokens, load }) => {
      const { engine, Comlink } = window.liteCoderHarness;
      const e = engine();
      const m = await e.importModel(
        { kind: 'url', url },
        Comlink.proxy(() => {}),
      );
      const loaded = await e.loadModel(
        m.id,
        load,
        Comlink.proxy(() => {}),
      );
      const r = await e.generateTokens({ promptIds: prompt, maxTokens, stopIds: [], wantPromptLogits: true });
      return { r, loaded };
    },
    { url, prompt, maxTokens, load },
  );
}
