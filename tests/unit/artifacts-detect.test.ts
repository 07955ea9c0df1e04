import { describe, expect, it } from 'vitest';
import { extractArtifacts, type Artifact } from '../../src/artifacts/detect';
import { ARTIFACT_CSP, artifactSrcdoc, isArtifactMessage, MAX_TEXT } from '../../src/artifacts/sandbox';
import { downloadFile, fileStem } from '../../src/artifacts/download';
import { withoutDeclarativeShadowRoots } from '../../src/artifacts/harden';

const fence = (lang: string, body: string) => `\`\`\`${lang}\n${body}\n\`\`\`\n`;

const GAME_DOC = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Snake &amp; Ladders</title>
</head>
<body><canvas id="c"></canvas><script>document.getElementById('c').getContext('2d');</script></body>
</html>`;

describe('extractArtifacts: which blocks are artifacts', () => {
  it('takes a whole HTML document as it is, titled by its <title>', () => {
    const [a, ...rest] = extractArtifacts(`# Game\n\n${fence('html', GAME_DOC)}`);
    expect(rest).toEqual([]);
    expect(a).toEqual({ id: 'html-0', kind: 'html', title: 'Snake & Ladders', source: GAME_DOC, blocks: [0] });
  });

  it('wraps an HTML fragment in a minimal document titled by the heading before it', () => {
    const [a] = extractArtifacts(
      `## A counter\n\nTry this:\n\n${fence('html', '<button onclick="n.textContent++">+</button><span id="n">0</span>')}`,
    );
    expect(a!.kind).toBe('html');
    expect(a!.title).toBe('A counter');
    expect(a!.source).toMatch(/^<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8">/);
    expect(a!.source).toContain('<title>A counter</title>');
    expect(a!.source).toMatch(
      /<body>\n<button onclick="n.textContent\+\+">\+<\/button><span id="n">0<\/span>\n<\/body>/,
    );
  });

  it('shows an svg block, or an xml block that is an SVG, centred on a blank page', () => {
    const svg = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><circle r="4" cx="5" cy="5"/></svg>';
    const found = extractArtifacts(
      `${fence('svg', svg)}\n${fence('xml', `<?xml version="1.0"?>\n<!-- icon -->\n${svg}`)}\n${fence('xml', '<config><a/></config>')}`,
    );
    expect(found.map((a) => [a.id, a.kind, a.title, a.blocks])).toEqual([
      ['svg-0', 'svg', 'SVG image', [0]],
      ['svg-1', 'svg', 'SVG image', [1]],
    ]);
    expect(found[0]!.source).toContain(`<body>\n${svg}\n</body>`);
    expect(found[0]!.source).toMatch(/body\{display:flex;align-items:center;justify-content:center\}/);
    // The XML declaration would be a bogus comment inside HTML.
    expect(found[1]!.source).not.toContain('<?xml');
  });

  it('titles an SVG by its own <title>', () => {
    const [a] = extractArtifacts(fence('svg', '<svg><title>Logo</title><rect width="1" height="1"/></svg>'));
    expect(a!.title).toBe('Logo');
  });

  it('takes an unlabelled block only when it is a whole HTML document', () => {
    expect(extractArtifacts(fence('', GAME_DOC)).map((a) => a.kind)).toEqual(['html']);
    expect(extractArtifacts(fence('', '<p>just a paragraph</p>'))).toEqual([]);
  });

  it('does not run a lone JS block without DOM use, nor CSS alone, nor other languages', () => {
    const md = `${fence('js', 'function add(a, b) { return a + b; }\nconsole.log(add(1, 2));')}\n${fence('css', 'body { color: red; }')}\n${fence('python', 'print(1)')}`;
    expect(extractArtifacts(md)).toEqual([]);
  });

  it('does not run a lone DOM-using JS block: without CSS or HTML it is a snippet, not a page', () => {
    expect(extractArtifacts(fence('js', "document.querySelector('.btn').addEventListener('click', go);"))).toEqual([]);
  });
});

describe('extractArtifacts: block indices', () => {
  it('counts every fenced block, artifact or not, in document order, the way the renderer does', () => {
    const md = [
      '# Setup',
      fence('bash', 'npm install'),
      fence('js', 'const x = 1;'),
      '    indented code is no fenced block',
      '',
      '- a list item with a fence:',
      '',
      '  ```python',
      '  print(1)',
      '  ```',
      '',
      '> ```html',
      '> <p>quoted html</p>',
      '> ```',
      '',
      fence('svg', '<svg></svg>'),
      fence('html', GAME_DOC),
    ].join('\n');
    expect(extractArtifacts(md).map((a) => [a.kind, a.blocks])).toEqual([
      ['html', [3]],
      ['svg', [4]],
      ['html', [5]],
    ]);
  });

  it('counts a tilde fence and a fence with extra info words', () => {
    const md = `~~~text\nhi\n~~~\n\n${fence('html title="demo"', '<b>x</b>')}`;
    expect(extractArtifacts(md).map((a) => a.blocks)).toEqual([[1]]);
  });
});

describe('extractArtifacts: pages over several blocks', () => {
  const css = 'canvas { border: 1px solid; }';
  const js =
    "const canvas = document.getElementById('game');\nconst ctx = canvas.getContext('2d');\nconst start = document.getElementById('start-btn');\nrequestAnimationFrame(function loop() { requestAnimationFrame(loop); });";

  it('joins DOM-using JS and CSS into one page with the elements the JS looks up', () => {
    const md = `# Breakout\n\n## CSS\n\n${fence('css', css)}\n## JavaScript\n\n${fence('javascript', js)}`;
    const [page, ...rest] = extractArtifacts(md);
    expect(rest).toEqual([]);
    expect(page!.kind).toBe('page');
    expect(page!.id).toBe('page-0');
    expect(page!.title).toBe('Breakout');
    expect(page!.blocks).toEqual([0, 1]);
    expect(page!.source).toContain(`<style>\n${css}\n</style>\n</head>`);
    expect(page!.source).toContain('<canvas id="game" width="480" height="320"></canvas>');
    expect(page!.source).toContain('<button id="start-btn">start</button>');
    // The script comes last in body, after the elements it looks up.
    expect(page!.source).toMatch(/<canvas id="game"[\s\S]*<script>\nconst canvas[\s\S]*<\/script>\n<\/body>/);
  });

  it('gives a bare canvas to JS that looks one up by tag', () => {
    const [page] = extractArtifacts(
      `${fence('css', css)}${fence('js', "const c = document.querySelector('canvas'); c.getContext('2d');")}`,
    );
    expect(page!.source).toContain('<body>\n<canvas width="480" height="320"></canvas>\n<script>');
  });

  it('uses the HTML fragment of the message as the body, and the fragment is no artifact of its own', () => {
    const html = '<canvas id="game"></canvas>\n<button id="start-btn" onclick="go()">Go</button>';
    const md = `Some text\n\n${fence('python', 'x = 1')}\n${fence('html', html)}\n${fence('css', css)}\n${fence('js', js)}`;
    const found = extractArtifacts(md);
    expect(found).toHaveLength(1);
    expect(found[0]!.kind).toBe('page');
    expect(found[0]!.blocks).toEqual([1, 2, 3]);
    expect(found[0]!.title).toBe('Web page');
    expect(found[0]!.source).toContain(`<body>\n${html}\n<script>`);
    expect(found[0]!.source).not.toContain('width="480"');
  });

  it('joins an HTML fragment and DOM-using JS without CSS too', () => {
    const found = extractArtifacts(
      `${fence('html', '<p id="out"></p>')}${fence('js', "document.getElementById('out').textContent = 'hi';")}`,
    );
    expect(found.map((a) => [a.kind, a.blocks])).toEqual([['page', [0, 1]]]);
  });

  it('fills a document that links style.css and script.js with the CSS and JS blocks', () => {
    const doc =
      '<!DOCTYPE html>\n<html>\n<head>\n<title>Pong</title>\n<link rel="stylesheet" href="style.css">\n<link rel="stylesheet" href="https://cdn.example/x.css">\n</head>\n<body>\n<canvas id="game"></canvas>\n<script src="script.js"></script>\n</body>\n</html>';
    const code = "document.getElementById('game').getContext('2d'); const s = 'a$&b$1';";
    const [page, ...rest] = extractArtifacts(`${fence('html', doc)}${fence('css', css)}${fence('js', code)}`);
    expect(rest).toEqual([]);
    expect(page!.title).toBe('Pong');
    expect(page!.blocks).toEqual([0, 1, 2]);
    expect(page!.source).toContain(
      `<style>\n${css}\n</style>\n<link rel="stylesheet" href="https://cdn.example/x.css">`,
    );
    // Replacement patterns in the model's code stay literal.
    expect(page!.source).toContain(`<script>\n${code}\n</script>\n</body>`);
    expect(page!.source).not.toContain('script.js');
  });

  it('leaves out Node code and keeps a complete document that links nothing as its own artifact', () => {
    const md = `${fence('html', GAME_DOC)}${fence('js', "const fs = require('fs');\nfs.writeFileSync('x', document);")}${fence('css', css)}`;
    expect(extractArtifacts(md).map((a) => [a.kind, a.blocks])).toEqual([['html', [0]]]);
  });

  it('runs plain-logic helper JS as part of the page it belongs to', () => {
    const md = `${fence('js', 'function clamp(x) { return Math.max(0, x); }')}${fence('css', css)}${fence('js', 'document.body.textContent = clamp(-1);')}`;
    const [page] = extractArtifacts(md);
    expect(page!.blocks).toEqual([0, 1, 2]);
    expect(page!.source.indexOf('function clamp')).toBeLessThan(page!.source.indexOf('document.body.textContent'));
  });

  it('uses a module script for JS with import syntax, and keeps </script> in the code from ending the element', () => {
    const md = `${fence('css', css)}${fence('js', "import { x } from './x.js';\ndocument.body.innerHTML = '</script>';")}`;
    const [page] = extractArtifacts(md);
    expect(page!.source).toContain('<script type="module">');
    expect(page!.source).toContain("innerHTML = '<\\/script>'");
  });
});

describe('extractArtifacts: titles and ids', () => {
  it('skips headings that only name a language or file', () => {
    const md = `# Tetris clone\n\n### index.html\n\n${fence('html', '<div id="board"></div>')}\n## Step 2: HTML 代码\n\n${fence('html', '<p>2</p>')}`;
    expect(extractArtifacts(md).map((a) => a.title)).toEqual(['Tetris clone', 'Tetris clone']);
  });

  it('takes the nearest meaningful heading before the block, plain text only', () => {
    const md = `# Demos\n\n## The **bouncing** \`ball\`\n\n${fence('html', '<p>ball</p>')}\n## A [clock](http://x)\n\n${fence('html', '<p>clock</p>')}`;
    expect(extractArtifacts(md).map((a) => a.title)).toEqual(['The bouncing ball', 'A clock']);
  });

  it('falls back to a name for the kind', () => {
    const messages = [
      fence('html', '<p>x</p>'),
      fence('svg', '<svg></svg>'),
      `${fence('css', 'p{}')}${fence('js', 'document.body.append(1)')}`,
    ];
    expect(messages.map((md) => extractArtifacts(md)[0]!.title)).toEqual(['HTML page', 'SVG image', 'Web page']);
  });

  it('gives the same ids for the same text, numbered within each kind', () => {
    const md = `${fence('html', '<p>a</p>')}${fence('svg', '<svg></svg>')}${fence('html', '<p>b</p>')}`;
    const ids = extractArtifacts(md).map((a) => a.id);
    expect(ids).toEqual(['html-0', 'svg-0', 'html-1']);
    expect(extractArtifacts(md).map((a) => a.id)).toEqual(ids);
  });

  it('keeps the id of a revised artifact, so that versions match across messages', () => {
    const v1 = `# Game\n\n${fence('html', '<canvas></canvas>')}`;
    const v2 = `Fixed the bug:\n\n${fence('svg', '<svg></svg>')}${fence('html', '<canvas></canvas><p>score</p>')}`;
    expect(extractArtifacts(v1)[0]!.id).toBe(extractArtifacts(v2).find((a) => a.kind === 'html')!.id);
  });
});

/** What a browser makes of the start of a srcdoc: everything up to the model's first byte. */
function prefix(srcdoc: string, source: string): string {
  const at = srcdoc.indexOf(source.replace(/^(?:\s|<!--[\s\S]*?-->)*<!doctype[^>]*>/i, ''));
  expect(at).toBeGreaterThan(0);
  return srcdoc.slice(0, at);
}

const artifact = (source: string): Artifact => ({ id: 'html-0', kind: 'html', title: 't', source, blocks: [0] });
const CSP_META = `<meta http-equiv="Content-Security-Policy" content="${ARTIFACT_CSP}">`;

describe('artifactSrcdoc', () => {
  const cases: Record<string, string> = {
    'a document with its own head and meta': GAME_DOC.replace(
      '<meta charset="utf-8">',
      '<meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="default-src *">',
    ),
    'a wrapped fragment': extractArtifacts(fence('html', '<p>x</p><script>1</script>'))[0]!.source,
    'markup without html or head': '<p>hello</p><script>console.log(1)</script>',
    'a comment with a <head> lookalike before the real one':
      '<!-- <head> --><!DOCTYPE html><html><head><script>evil()</script></head></html>',
    'a script before <head>': '<html><script>early()</script><head></head><body></body></html>',
  };
  for (const [name, source] of Object.entries(cases)) {
    it(`puts the CSP first in <head>, then the console capture, before the model's code: ${name}`, () => {
      const doc = artifactSrcdoc(artifact(source), 'artifact-abc');
      const head = prefix(doc, source);
      // Nothing of the model's precedes these, so the parser puts them first in the one <head>.
      expect(head.startsWith(`<!DOCTYPE html><html><head>${CSP_META}`)).toBe(true);
      expect(head).toContain('"artifact-abc"');
      expect(head).toContain('unhandledrejection');
      expect(doc.match(/<!doctype/gi)).toHaveLength(1);
    });
  }

  it("keeps the model's line numbers, so that errors point at the source it wrote", () => {
    const doc = artifactSrcdoc(artifact(GAME_DOC), 'c');
    const line = (text: string, needle: string) => text.split('\n').findIndex((l) => l.includes(needle));
    expect(line(doc, "getContext('2d')")).toBe(line(GAME_DOC, "getContext('2d')"));
    expect(line(doc, "getContext('2d')")).toBeGreaterThan(0);
  });

  it('allows no network: no source list names a scheme or host', () => {
    expect(ARTIFACT_CSP).toMatch(/^default-src 'none'/);
    expect(ARTIFACT_CSP).toContain("connect-src 'none'");
    expect(ARTIFACT_CSP).toContain("form-action 'none'");
    expect(ARTIFACT_CSP).not.toMatch(/https?:|\*|'self'/);
  });

  it('makes no declarative shadow root, whose frames the hardening could not see, and keeps columns', () => {
    const source =
      '<div><template shadowrootmode="closed"><iframe srcdoc="x"></iframe></template></div>\n' +
      '<DIV><TEMPLATE SHADOWROOTMODE=open></TEMPLATE></DIV><script>t.shadowRootMode = "open";</script>';
    const renamed = withoutDeclarativeShadowRoots(source);
    expect(renamed).toBe(
      source
        .replace('shadowrootmode', 'shadowrootmod_')
        .replace('SHADOWROOTMODE', 'SHADOWROOTMOD_')
        .replace('shadowRootMode', 'shadowRootMod_'),
    );
    expect(renamed).toHaveLength(source.length);
    const doc = artifactSrcdoc(artifact(source), 'c');
    expect(doc.slice(doc.indexOf('<div><template'))).toBe(renamed);
  });

  it('keeps the channel from closing the script element', () => {
    const doc = artifactSrcdoc(artifact('<p>x</p>'), '</script><script>alert(1)</script>');
    // The capture and hardening scripts close where they should, and nowhere earlier.
    expect(doc.match(/<\/script/gi)).toHaveLength(2);
    expect(doc).not.toContain('</script><script>alert(1)');
  });

  it('injects scripts that parse', () => {
    const doc = artifactSrcdoc(artifact('<p>x</p>'), 'c');
    const scripts = [...doc.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]!);
    expect(scripts).toHaveLength(2);
    for (const s of scripts) expect(() => new Function(s)).not.toThrow();
  });
});

describe('the console capture', () => {
  /** Runs the capture script against stand-ins for the browser globals it uses. */
  function capture() {
    const posted: unknown[] = [];
    const listeners: Record<string, (e: unknown) => void> = {};
    const noop = (..._args: unknown[]) => {};
    const consoleStub = { log: noop, info: noop, warn: noop, error: noop, debug: noop };
    const windowStub = {
      parent: {
        postMessage: (m: unknown, origin: string) => {
          expect(origin).toBe('*');
          posted.push(m);
        },
      },
    };
    class ErrorEvent {
      constructor(
        public error: unknown,
        public message: string,
        public lineno: number,
        public colno: number,
      ) {}
    }
    const src = /<script>([\s\S]*?)<\/script>/.exec(artifactSrcdoc(artifact('<p>x</p>'), 'chan'))![1]!;
    new Function('window', 'console', 'addEventListener', 'ErrorEvent', src)(
      windowStub,
      consoleStub,
      (type: string, f: (e: unknown) => void) => {
        listeners[type] = f;
      },
      ErrorEvent,
    );
    return { posted, console: consoleStub, fire: (type: string, e: unknown) => listeners[type]!(e), ErrorEvent };
  }

  it('posts each console call with its level and safely serialized arguments', () => {
    const c = capture();
    const cyclic: Record<string, unknown> = {
      a: 1,
      big: 2n,
      f: function named() {},
      u: undefined,
      m: new Map([[1, 'x']]),
    };
    cyclic.self = cyclic;
    const shared = { s: 1 };
    c.console.warn('n', 1, null, undefined, 3n, cyclic, [shared, shared]);
    expect(c.posted).toEqual([
      {
        channel: 'chan',
        type: 'console',
        level: 'warn',
        text: 'n 1 null undefined 3n {"a":1,"big":"2n","f":"[Function named]","u":"[undefined]","m":{"[Map]":[[1,"x"]]},"self":"[Circular]"} [{"s":1},{"s":1}]',
      },
    ]);
  });

  it('prints errors with their stack, and caps long text', () => {
    const c = capture();
    const e = new RangeError('too far');
    c.console.error(e);
    c.console.log('x'.repeat(MAX_TEXT + 10));
    c.console.log(Array.from({ length: 150 }, (_, i) => i));
    const [err, long, arr] = c.posted as { text: string }[];
    expect(err!.text).toMatch(/^RangeError: too far\n\s+at /);
    expect(long!.text).toHaveLength(MAX_TEXT + '… (10 more characters)'.length);
    expect(arr!.text).toMatch(/,99,"… 50 more"\]$/);
  });

  it('reports uncaught errors with their place, and unhandled rejections', () => {
    const c = capture();
    c.fire('error', new c.ErrorEvent(new TypeError('x is not a function'), 'Uncaught TypeError', 12, 5));
    c.fire('error', { message: 'a resource failed' });
    c.fire('unhandledrejection', { reason: 'nope' });
    expect(c.posted).toHaveLength(2);
    expect(c.posted[0]).toMatchObject({ channel: 'chan', type: 'error', line: 12, col: 5 });
    expect((c.posted[0] as { text: string }).text).toMatch(/^TypeError: x is not a function/);
    expect(c.posted[1]).toEqual({
      channel: 'chan',
      type: 'error',
      text: 'Unhandled promise rejection: nope',
      line: 0,
      col: 0,
    });
  });
});

describe('downloadFile', () => {
  it('is the page as written (after a byte order mark), named from its title', () => {
    const f = downloadFile({ ...artifact(GAME_DOC), title: 'Snake & Ladders' });
    expect(f.text).toBe(`\uFEFF${GAME_DOC}`);
    expect(f.name).toBe('Snake-Ladders.html');
  });
  it('names an untitled page, and keeps names a file system takes', () => {
    expect(downloadFile({ ...artifact('<p>x</p>'), title: 'HTML page' }).name).toBe('untitled-page.html');
    expect(downloadFile({ ...artifact('<svg/>'), kind: 'svg', title: 'SVG image' }).name).toBe('untitled-image.html');
    expect(fileStem('  ../../etc/passwd: "x" ')).toBe('etc-passwd-x');
    expect(fileStem('贪吃蛇 游戏')).toBe('贪吃蛇-游戏');
    expect(fileStem('CON')).toBe('CON-page');
    expect(fileStem('a'.repeat(200))).toHaveLength(60);
  });
});

describe('isArtifactMessage', () => {
  it('accepts only well-formed messages of its channel', () => {
    expect(isArtifactMessage({ channel: 'c', type: 'console', level: 'log', text: 'x' }, 'c')).toBe(true);
    expect(isArtifactMessage({ channel: 'c', type: 'error', text: 'x', line: 1, col: 2 }, 'c')).toBe(true);
    expect(isArtifactMessage({ channel: 'c', type: 'escape' }, 'c')).toBe(true);
    expect(isArtifactMessage({ channel: 'd', type: 'console', level: 'log', text: 'x' }, 'c')).toBe(false);
    expect(isArtifactMessage({ channel: 'c', type: 'console', level: 'trace', text: 'x' }, 'c')).toBe(false);
    expect(isArtifactMessage({ channel: 'c', type: 'console', level: 'log', text: 1 }, 'c')).toBe(false);
    expect(isArtifactMessage({ channel: 'c', type: 'error', text: 'x' }, 'c')).toBe(false);
    expect(isArtifactMessage('c', 'c')).toBe(false);
    expect(isArtifactMessage(null, 'c')).toBe(false);
  });
});
