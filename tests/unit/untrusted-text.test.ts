/**
 * Model output and user text are untrusted input: everything that scans them must take time linear
 * in their length. Each scanner gets text crafted against the regular expression it replaced (those
 * took seconds to hours on these inputs: exponential, cubic or quadratic backtracking), with a bound
 * far above what linear code needs. And each must give what that regular expression gave, which
 * random small inputs (where backtracking costs nothing) check against the old expressions, kept
 * here as references.
 */
import { describe, expect, it } from 'vitest';
import { extractArtifacts, type Artifact } from '../../src/artifacts/detect';
import { artifactSrcdoc } from '../../src/artifacts/sandbox';
import { downloadFile } from '../../src/artifacts/download';
import {
  drawingTargets,
  elementLookups,
  externalScripts,
  firstTitle,
  isModuleScript,
  leadingDoctypeEnd,
  linkTexts,
  prologEnd,
  startTags,
  withoutFileNames,
} from '../../src/artifacts/scan';
import { markdownToHtml } from '../../src/chat/markdown/render';
import { TextStream } from '../../workers/engine/text-stream';
import { preTokenize } from '../../workers/model/tokenizer';

const fence = (lang: string, body: string) => `\`\`\`${lang}\n${body}\n\`\`\`\n`;
const artifact = (source: string): Artifact => ({ id: 'html-0', kind: 'html', title: 't', source, blocks: [0] });

/** Milliseconds `f` takes (the best of two, so that one GC pause or a busy neighbour does not count). */
function ms(f: () => unknown): number {
  let best = Infinity;
  for (let i = 0; i < 2; i++) {
    const t = performance.now();
    f();
    best = Math.min(best, performance.now() - t);
  }
  return best;
}

/** Linear code does each of these in a few milliseconds; the regular expressions took seconds or more. */
const GENEROUS_MS = 1000;

describe('artifacts: a run of comments', () => {
  // 22 of them took 0.75 s in the old doctype regex, each more doubled it.
  const comments = '<!---->\n'.repeat(1000);

  it('builds the srcdoc and the download of a block with 1,000 leading comments in under 50 ms', () => {
    const source = `${comments}<p>no doctype</p>`;
    expect(ms(() => artifactSrcdoc(artifact(source), 'c'))).toBeLessThan(50);
    expect(ms(() => downloadFile({ ...artifact(source), title: '<!---->'.repeat(1000) }))).toBeLessThan(50);
    expect(artifactSrcdoc(artifact(source), 'c').endsWith(source)).toBe(true);
    expect(ms(() => extractArtifacts(fence('html', source)))).toBeLessThan(50);
  });

  it('still drops a doctype after them, and keeps comments that never end', () => {
    const doc = `${comments}<!DOCTYPE html><p>x</p>`;
    expect(artifactSrcdoc(artifact(doc), 'c').endsWith('<p>x</p>')).toBe(true);
    expect(artifactSrcdoc(artifact(doc), 'c').match(/<!doctype/gi)).toHaveLength(1);
    const open = `${'<!-- '.repeat(20000)}<!DOCTYPE html>`;
    expect(ms(() => artifactSrcdoc(artifact(open), 'c'))).toBeLessThan(GENEROUS_MS);
    expect(artifactSrcdoc(artifact(open), 'c').endsWith(open)).toBe(true);
  });

  it('finds the doctype the way the HTML parser does: after whitespace, a BOM and comments only', () => {
    expect(leadingDoctypeEnd('\uFEFF \n<!-- a --><!--b--><!doctype html><html>')).toBe(
      '\uFEFF \n<!-- a --><!--b--><!doctype html>'.length,
    );
    expect(leadingDoctypeEnd('<!DOCTYPE html>')).toBe(15);
    expect(leadingDoctypeEnd('<p><!DOCTYPE html>')).toBe(0);
    expect(leadingDoctypeEnd('<!-- a --> x <!-- b --><!doctype html>')).toBe(0); // text comes first
    expect(leadingDoctypeEnd('<!-- never ends <!doctype html>')).toBe(0);
    expect(leadingDoctypeEnd('<!doctype html')).toBe(0);
  });
});

describe('artifact detection on crafted blocks', () => {
  const page = (js: string) => fence('css', 'body { margin: 0; }') + fence('js', js);
  const cases: Record<string, string> = {
    'a link tag that never closes, 30,000 times': fence('html', `<!DOCTYPE html><html>${'<link '.repeat(30000)}`),
    'a script tag with src that never closes, 20,000 times (cubic before)': fence(
      'html',
      `<!DOCTYPE html><html><body>${'<script src=x '.repeat(20000)}`,
    ),
    'a title tag that never closes, 30,000 times': fence('html', `<p>${'<title '.repeat(30000)}</p>`),
    '30,000 import lines without a semicolon': page(`document.body;\n${'import x\n'.repeat(30000)}`),
    '100,000 blank lines': page(`document.body;\n${' \n'.repeat(100000)}`),
    'a 200,000-character word': page(`document.getElementById('c');${'a'.repeat(200000)}`),
    '20,000 element lookups': page(
      Array.from({ length: 20000 }, (_, i) => `document.getElementById('e${i}');`).join('\n'),
    ),
    "a heading of 100,000 ['s": `# ${'['.repeat(100000)}\n\n${fence('html', '<p>x</p>')}`,
    'a heading of 50,000 empty links without a target': `# ${'[]('.repeat(50000)}\n\n${fence('html', '<p>x</p>')}`,
    'a heading that is one 200,000-character word': `# ${'a'.repeat(200000)}\n\n${fence('html', '<p>x</p>')}`,
  };
  for (const [name, markdown] of Object.entries(cases)) {
    it(`is linear on ${name}`, () => {
      expect(ms(() => extractArtifacts(markdown))).toBeLessThan(GENEROUS_MS);
    });
  }
});

describe('Markdown that marked cannot parse', () => {
  // marked recurses once per level of nesting: these overflow the stack (RangeError) inside it.
  const deep = {
    quotes: '>'.repeat(50000),
    'list markers': `${'* '.repeat(20000)}x`,
    emphasis: `${'*'.repeat(20000)}a${'*'.repeat(20000)}`,
  };
  for (const [name, text] of Object.entries(deep)) {
    it(`shows ${name} nested tens of thousands deep as plain text, and finds no artifact in it, instead of throwing`, () => {
      expect(markdownToHtml(text)).toBe(`<p class="md-raw-html">${text.replace(/>/g, '&gt;')}</p>\n`);
      expect(extractArtifacts(`${text}\n\n${fence('html', '<p>x</p>')}`)).toEqual([]);
    });
  }
});

describe('user text in the tokenizer and stop strings', () => {
  it('pre-tokenizes 200,000 spaces before a digit in linear time, as llama.cpp splits them', () => {
    const text = `${' '.repeat(200000)}1`;
    expect(ms(() => preTokenize(text))).toBeLessThan(GENEROUS_MS);
    expect(preTokenize(text)).toEqual([' '.repeat(200000), '1']);
    expect(preTokenize(`a  \t\n b   `)).toEqual(['a', '  \t', '\n', ' b', '   ']);
  });

  it('holds back a tail of a 20,000-character stop string in time linear in the string', () => {
    // Every candidate prefix longer than 10,000 matches the tail for 10,000 characters first.
    const stop = `${'a'.repeat(10000)}b${'a'.repeat(10000)}`;
    const pieces = Array.from({ length: 300 }, () => 'a'.repeat(100));
    let held = '';
    const took = ms(() => {
      const s = new TextStream({ push: (id) => pieces[id]!, flush: () => '' }, [stop]);
      held = pieces.map((_, i) => s.push(i)).join('');
    });
    expect(took).toBeLessThan(GENEROUS_MS);
    expect(held).toBe('a'.repeat(30000 - 10000)); // the last 10,000 could still begin the stop string
  });
});

/** A small seeded generator (mulberry32), so that a failure can be reproduced. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** 3,000 strings of up to 14 pieces of `alphabet`. */
function samples(alphabet: string[], seed: number): string[] {
  const next = random(seed);
  return Array.from({ length: 3000 }, () => {
    let s = '';
    for (let n = Math.floor(next() * 15); n > 0; n--) s += alphabet[Math.floor(next() * alphabet.length)];
    return s;
  });
}

describe('the scanners find what the regular expressions they replace found', () => {
  it('prologEnd: leading whitespace, comments, XML declarations and doctypes', () => {
    const old = /^(?:\s|<\?xml[^>]*\?>|<!doctype[^>]*>|<!--[\s\S]*?-->)*/i;
    for (const s of samples(
      [' ', '\n', '\uFEFF', '<!--', '-->', '-', '>', '<?xml', '<?XML', '?>', '?', '<!doctype', '<!DocType', 'x', '<'],
      1,
    )) {
      expect(prologEnd(s), JSON.stringify(s)).toBe(old.exec(s)![0].length);
    }
  });

  it('startTags and externalScripts: link and script tags', () => {
    const ranges = (re: RegExp, s: string) =>
      [...s.matchAll(re)].map((m) => ({ start: m.index, end: m.index + m[0].length }));
    for (const s of samples(['<link', '<LINK', '<linked', ' ', '>', 'x', '<', 'rel=stylesheet'], 2)) {
      expect(startTags(s, 'link'), JSON.stringify(s)).toEqual(ranges(/<link\b[^>]*>/gi, s));
    }
    for (const s of samples(
      ['<script', '<SCRIPT', ' src', 'src', '=', ' ', '>', '</script', '</script >', '</SCRIPT>', 'x', '\n'],
      3,
    )) {
      expect(externalScripts(s), JSON.stringify(s)).toEqual(
        ranges(/<script\b[^>]*\bsrc\s*=[^>]*>\s*<\/script\s*>/gi, s),
      );
    }
  });

  it('firstTitle', () => {
    for (const s of samples(['<title', '<TITLE', '<titles', '>', 'x', '</title', ' ', '</title>', '</Title >'], 4)) {
      expect(firstTitle(s), JSON.stringify(s)).toBe(/<title\b[^>]*>([\s\S]*?)<\/title\s*>/i.exec(s)?.[1] ?? null);
    }
  });

  it('isModuleScript', () => {
    const old = /^\s*(?:import\s+(?:[\w*{][^;]*?\s+from\s+)?['"]|export\s)/m;
    for (const s of samples(
      ['import', 'export', ' ', '\n', '\r', '\t', 'x', '{', '*', "'", '"', 'from', ';', 'y'],
      5,
    )) {
      expect(isModuleScript(s), JSON.stringify(s)).toBe(old.test(s));
    }
  });

  it('elementLookups and drawingTargets: the elements a script expects', () => {
    const lookup =
      /(?:(?:const|let|var)\s+)?(?:(\w+)\s*=\s*)?document\s*\.\s*(?:getElementById\s*\(\s*['"]([\w-]+)['"]|querySelector\s*\(\s*['"]#([\w-]+)['"])/g;
    const alphabet = [
      'document',
      '.',
      ' ',
      'getElementById',
      'querySelector',
      '(',
      ')',
      "'",
      '"',
      '#',
      'a',
      'b-c',
      '=',
      '==',
      'const ',
      'x',
      '\n',
      'getContext',
      "getElementById('a')",
    ];
    for (const s of samples(alphabet, 6)) {
      const expected = [...s.matchAll(lookup)].map((m) =>
        m[1] ? { id: m[2] ?? m[3]!, variable: m[1] } : { id: m[2] ?? m[3]! },
      );
      expect(elementLookups(s), JSON.stringify(s)).toEqual(expected);
      const drawing = drawingTargets(s);
      for (const { id, variable } of expected) {
        const drawn =
          (variable !== undefined && new RegExp(`\\b${variable}\\s*\\.\\s*getContext\\b`).test(s)) ||
          new RegExp(`getElementById\\(\\s*['"]${id}['"]\\s*\\)\\s*\\.\\s*getContext`).test(s);
        expect(
          (variable !== undefined && drawing.variables.has(variable)) || drawing.ids.has(id),
          JSON.stringify(s),
        ).toBe(drawn);
      }
    }
  });

  it('TextStream: the same deltas as the indexOf / endsWith version', () => {
    /** The previous implementation, as a reference. */
    function reference(pieces: string[], stops: string[]): string[] {
      let text = '';
      let sent = 0;
      let stopped = false;
      const advance = (piece: string, final: boolean) => {
        if (stopped) return '';
        text += piece;
        let end = text.length;
        for (const s of stops) {
          const at = text.indexOf(s, Math.max(0, sent - s.length + 1));
          if (at >= 0 && at < end) {
            end = at;
            stopped = true;
          }
        }
        if (!stopped && !final) {
          let hold = 0;
          for (const s of stops) {
            for (let n = Math.min(s.length - 1, text.length); n > hold; n--)
              if (text.endsWith(s.slice(0, n))) {
                hold = n;
                break;
              }
          }
          end -= Math.min(hold, text.length - sent);
        }
        text = text.slice(0, stopped ? end : text.length);
        const out = text.slice(sent, end);
        sent = end;
        return out;
      };
      return [...pieces.map((p) => advance(p, false)), advance('', true)];
    }
    const next = random(9);
    const word = (max: number) =>
      Array.from({ length: Math.floor(next() * max) }, () => 'ab\n'[Math.floor(next() * 3)]).join('');
    for (let n = 0; n < 3000; n++) {
      const pieces = Array.from({ length: Math.floor(next() * 8) }, () => word(4));
      const stops = Array.from({ length: Math.floor(next() * 3) }, () => word(5));
      const s = new TextStream({ push: (id) => pieces[id]!, flush: () => '' }, stops);
      const deltas = [...pieces.map((_, i) => s.push(i)), s.finish()];
      expect(deltas, JSON.stringify({ pieces, stops })).toEqual(reference(pieces, stops));
    }
  });

  it('linkTexts and withoutFileNames: what a heading says', () => {
    for (const s of samples(['[', ']', '(', ')', 'a', ' ', '](', '[x]'], 7)) {
      expect(linkTexts(s), JSON.stringify(s)).toBe(s.replace(/\[([^\]]*)\]\([^)]*\)/g, '$1'));
    }
    for (const s of samples(
      ['a', '-', '_', '.', '.js', '.json', '.html', '.htm', '.css', '.mjs', '.svg', ' ', 'x'],
      8,
    )) {
      expect(withoutFileNames(s), JSON.stringify(s)).toBe(s.replace(/[\w-]+\.(?:html?|css|js|mjs|svg)\b/g, ''));
    }
  });
});
