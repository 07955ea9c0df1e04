import { describe, expect, test } from 'vitest';
import { TextStream } from '../../workers/engine/text-stream';

/** A decoder whose token i is the i-th piece. */
function stream(pieces: string[], stops: string[], trimLeadingSpace = false) {
  const s = new TextStream({ push: (id) => pieces[id]!, flush: () => '' }, stops, trimLeadingSpace);
  const deltas = pieces.map((_, i) => s.push(i));
  deltas.push(s.finish());
  return { deltas, full: s.full, stopped: s.stopped };
}

describe('text stream with stop strings', () => {
  test('without stops, every piece is sent as it comes', () => {
    expect(stream(['a', 'b', 'c'], []).deltas).toEqual(['a', 'b', 'c', '']);
  });

  test('a stop string split over tokens is never shown, not even in part', () => {
    const r = stream(['x = 1', '\n#', '## end', 'more'], ['\n### end']);
    expect(r.deltas.join('')).toBe('x = 1');
    expect(r.full).toBe('x = 1');
    expect(r.stopped).toBe(true);
  });

  test('held-back text that turns out not to be a stop string is released', () => {
    const r = stream(['a\n', '#', 'b'], ['\n##']);
    expect(r.deltas).toEqual(['a', '', '\n#b', '']);
    expect(r.stopped).toBe(false);
  });

  test('the earliest of several stop strings wins', () => {
    expect(stream(['one TWO three'], ['three', 'TWO']).full).toBe('one ');
  });
});

describe('a chat reply drops the space its first token carries', () => {
  test('one leading space, once, even when the first piece is empty or only the space', () => {
    expect(stream([' Hello', ' world'], [], true).full).toBe('Hello world');
    expect(stream(['', ' ', 'Hi', ' x'], [], true).deltas).toEqual(['', '', 'Hi', ' x', '']);
    expect(stream(['  two'], [], true).full).toBe(' two');
    expect(stream(['none'], [], true).full).toBe('none');
  });

  test('a plain completion keeps its text as generated', () => {
    expect(stream([' Hello'], []).full).toBe(' Hello');
  });
});

/** The reply's length must not enter the cost of a token: 80k tokens of 4 characters, 2 stop strings. */
describe('a long reply streams in linear time', () => {
  // Pieces that keep a stop string's prefix pending now and then, so the hold-back path runs too.
  const piece = (i: number) =>
    i % 97 === 0 ? '\n##' : i % 89 === 0 ? '<|EO' : 'ab' + String.fromCharCode(97 + (i % 26)) + ' ';
  const STOPS = ['\n### end', '<|EOT|>'];
  function run(n: number): { ms: number; text: string; deltas: number } {
    const s = new TextStream({ push: piece, flush: () => '' }, STOPS);
    let text = '';
    let deltas = 0;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) {
      const d = s.push(i);
      if (d) deltas++;
      text += d;
    }
    text += s.finish();
    const ms = performance.now() - t0;
    expect(s.full).toBe(text);
    return { ms, text, deltas };
  }

  test('80k tokens cost about 4x what 20k do, and the text is every piece in order', () => {
    run(20_000); // warm up the JIT
    const small = Math.min(run(20_000).ms, run(20_000).ms);
    const big = run(80_000);
    let expected = '';
    for (let i = 0; i < 80_000; i++) expected += piece(i);
    expect(big.text).toBe(expected);
    expect(big.deltas).toBeGreaterThan(70_000);
    // Linear is 4x; quadratic was ~90x (20k: 129 ms, 80k: 11.8 s). Generous for a busy machine.
    expect(big.ms).toBeLessThan(Math.max(small, 5) * 12);
  });

  test('a stop string far into a long reply still cuts it exactly', () => {
    const pieces = Array.from({ length: 50_000 }, (_, i) =>
      i === 40_000 ? 'x\n### e' : i === 40_001 ? 'nd tail' : 'abcd',
    );
    const s = new TextStream({ push: (i) => pieces[i]!, flush: () => '' }, STOPS);
    let text = '';
    for (let i = 0; i < pieces.length && !s.stopped; i++) text += s.push(i);
    text += s.finish();
    expect(text).toBe('abcd'.repeat(40_000) + 'x');
    expect(s.full).toBe(text);
    expect(s.stopped).toBe(true);
  });
});
