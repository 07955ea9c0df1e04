/**
 * The DOM-free half of src/chat/markdown/render.ts: code block numbering (codeBlocks and the
 * rendered data-block attributes must agree) and the pre-sanitiser HTML, which must already be inert.
 * DOMPurify and the rendered page are covered by tests/browser/markdown.spec.ts.
 */
import { describe, expect, it } from 'vitest';
import {
  codeBlocks,
  fenceLang,
  isDataImage,
  markdownToHtml,
  renderMarkdown,
  safeLinkHref,
} from '../../src/chat/markdown/render';
import { grammarFor } from '../../src/chat/markdown/highlight';

const FENCE = '```';

describe('codeBlocks', () => {
  it('numbers fenced blocks in document order, including inside lists and blockquotes', () => {
    const md = [
      'Intro',
      `${FENCE}python`,
      'print(1)',
      FENCE,
      '- item',
      '',
      `  ${FENCE}js`,
      '  let a = 1;',
      `  ${FENCE}`,
      '> quote',
      `> ${FENCE}`,
      '> plain',
      `> ${FENCE}`,
      '~~~rust extra words',
      'fn main() {}',
      '~~~',
    ].join('\n');
    expect(codeBlocks(md)).toEqual([
      { index: 0, lang: 'python', code: 'print(1)' },
      { index: 1, lang: 'js', code: 'let a = 1;' },
      { index: 2, lang: '', code: 'plain' },
      { index: 3, lang: 'rust', code: 'fn main() {}' },
    ]);
    const html = markdownToHtml(md);
    expect([...html.matchAll(/data-block="(\d+)" data-lang="([^"]*)"/g)].map((m) => [Number(m[1]), m[2]])).toEqual([
      [0, 'python'],
      [1, 'js'],
      [2, ''],
      [3, 'rust'],
    ]);
  });

  it('does not count indented code blocks or inline code', () => {
    const md = ['Use `x` here.', '', '    indented code', '', `${FENCE}sh`, 'ls', FENCE].join('\n');
    expect(codeBlocks(md)).toEqual([{ index: 0, lang: 'sh', code: 'ls' }]);
    expect(markdownToHtml(md)).toContain('<pre><code>indented code</code></pre>');
  });

  it('treats an unclosed fence at the end as a block in progress', () => {
    const md = `Here:\n\n${FENCE}python\ndef f():\n    return 1`;
    expect(codeBlocks(md)).toEqual([{ index: 0, lang: 'python', code: 'def f():\n    return 1' }]);
    expect(markdownToHtml(md)).toContain('<code class="language-python">def f():\n    return 1</code>');
  });

  it('keeps the exact source of a block, HTML and all', () => {
    const code = '<script>alert("x")</script>\n\tif (a < b && c > d) {}\n';
    expect(codeBlocks(`${FENCE}html\n${code}${FENCE}`)[0]?.code).toBe(code.replace(/\n$/, ''));
  });
});

describe('markdownToHtml', () => {
  it('renders the code block markup the artifact feature relies on', () => {
    expect(markdownToHtml(`${FENCE}ts\nconst a = 1 < 2;\n${FENCE}`, { copyLabel: '复制' })).toBe(
      '<div class="code-block" data-block="0" data-lang="ts"><div class="code-head"><span class="code-lang">ts</span>' +
        '<button type="button" class="code-copy" data-copy="0">复制</button><span class="code-actions" data-actions="0"></span></div>' +
        '<pre><code class="language-ts">const a = 1 &lt; 2;</code></pre></div>\n',
    );
  });

  it('renders GFM tables, lists and inline code', () => {
    const html = markdownToHtml('| a | b |\n|---|--:|\n| 1 | `x` |\n\n1. one\n2. two\n\n- [x] done');
    expect(html).toContain('<table>');
    expect(html).toContain('<th align="right">b</th>');
    expect(html).toContain('<td align="right"><code>x</code></td>');
    expect(html).toContain('<ol>\n<li>one</li>');
    expect(html).toContain('type="checkbox"');
  });

  it('escapes raw HTML, block and inline, instead of rendering it', () => {
    const payloads = [
      '<img src=x onerror="window.__pwned=1">',
      '<script>window.__pwned=1</script>',
      '<iframe srcdoc="<script>parent.__pwned=1</script>"></iframe>',
      '<svg onload="window.__pwned=1"><script>window.__pwned=1</script></svg>',
      '<style>body{display:none}</style>',
      '<form action="https://evil.example"><input name=q></form>',
      '<meta http-equiv="refresh" content="0;url=https://evil.example">',
      'inline <b>bold</b> and <a href="javascript:alert(1)">x</a>',
    ];
    for (const p of payloads) {
      const html = markdownToHtml(`${p}\n\ntext ${p}`);
      expect(html, p).not.toMatch(/<(?!\/?(p|code|pre)\b)[a-z]/i); // no tag the renderer did not write
      expect(html, p).toContain('&lt;');
    }
  });

  it('drops unsafe link URLs and keeps safe ones, with target and rel', () => {
    for (const href of [
      'javascript:alert(1)',
      'JaVaScRiPt:alert(1)',
      ' javascript:alert(1)',
      'java\tscript:alert(1)',
      'vbscript:msgbox(1)',
      'data:text/html,<script>alert(1)</script>',
      'file:///etc/passwd',
      '/relative',
      '#frag',
    ]) {
      const html = markdownToHtml(`[x](${href}) <${href}>`);
      expect(html, href).not.toContain('<a');
    }
    expect(markdownToHtml('[docs](https://example.com/a?b=1&c=2 "T")')).toBe(
      '<p><a href="https://example.com/a?b=1&amp;c=2" title="T" target="_blank" rel="noopener noreferrer">docs</a></p>\n',
    );
    expect(markdownToHtml('see https://example.com')).toContain(
      '<a href="https://example.com/" target="_blank" rel="noopener noreferrer">',
    );
  });

  it('never lets an image load a remote URL; data:image URLs stay images', () => {
    const remote = markdownToHtml('![a cat](https://example.com/cat.png)');
    expect(remote).not.toContain('<img');
    expect(remote).toContain('<a class="md-image-link" href="https://example.com/cat.png"');
    expect(markdownToHtml('![x](javascript:alert(1))')).not.toMatch(/<a |<img/);
    expect(markdownToHtml('![dot](data:image/png;base64,iVBORw0KGgo=)')).toContain(
      '<img src="data:image/png;base64,iVBORw0KGgo=" alt="dot">',
    );
    expect(markdownToHtml('![x](data:text/html;base64,PHNjcmlwdD4=)')).not.toContain('<img');
  });

  it('keeps fence info strings out of attributes', () => {
    const html = markdownToHtml(`${FENCE}"><img src=x onerror=alert(1)>\ncode\n${FENCE}`);
    expect(html).toContain('data-lang=""');
    expect(html).not.toContain('<img');
  });
});

describe('helpers', () => {
  it('fenceLang, safeLinkHref, isDataImage, grammarFor', () => {
    expect(fenceLang('Python {.x}')).toBe('python');
    expect(fenceLang('c++')).toBe('c++');
    expect(fenceLang('a"b')).toBe('');
    expect(safeLinkHref('mailto:a@b.c')).toBe('mailto:a@b.c');
    expect(safeLinkHref('javascript:alert(1)')).toBeNull();
    expect(isDataImage('data:image/svg+xml;utf8,<svg/>')).toBe(true);
    expect(isDataImage('data:image/../text/html,x')).toBe(false);
    expect(grammarFor('py')).toBe('python');
    expect(grammarFor('HTML')).toBe('xml');
    expect(grammarFor('c++')).toBe('cpp');
    expect(grammarFor('brainfuck')).toBeUndefined();
    expect(grammarFor('constructor')).toBeUndefined();
  });

  it('renderMarkdown refuses to run without a DOM rather than return unsanitised HTML', () => {
    expect(() => renderMarkdown('hi')).toThrow(/DOM/);
  });
});

describe('performance', () => {
  it('parses a 20 KB message quickly enough to re-render while streaming', () => {
    const chunk = `## Step\n\nSome *text* with \`code\` and a [link](https://example.com).\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n${FENCE}python\ndef f(x):\n    return x * 2\n${FENCE}\n\n`;
    const md = chunk.repeat(Math.ceil(20_000 / chunk.length));
    markdownToHtml(md);
    const t0 = performance.now();
    for (let i = 0; i < 10; i++) markdownToHtml(md);
    const ms = (performance.now() - t0) / 10;
    console.log(`markdownToHtml, ${md.length} chars: ${ms.toFixed(2)} ms`);
    expect(ms).toBeLessThan(200); // loose: a regression guard, not a benchmark
  });
});
