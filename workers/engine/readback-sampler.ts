/**
 * Greedy choice from logits read back whole. Used where the full logits are wanted anyway
 * (--dump-logits, tests); generation uses the GPU sampler, which reads back only the chosen id.
 */
export interface Choice {
  id: number;
  /** the five largest raw logits, [id, logit], largest first */
  top: [number, number][];
}

export function greedyChoice(logits: Float32Array): Choice {
  const top: [number, number][] = [];
  for (let i = 0; i < logits.length; i++) {
    const v = logits[i]!;
    if (top.length < 5 || v > top[top.length - 1]![1]) {
      top.push([i, v]);
      top.sort((a, b) => b[1] - a[1] || a[0] - b[0]);
      if (top.length > 5) top.pop();
    }
  }
  return { id: top[0]![0], top };
}
