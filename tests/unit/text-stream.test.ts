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
