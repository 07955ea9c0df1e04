/**
 * <Markdown> (src/chat/markdown) in real Chromium: GFM rendering, lazy highlighting, Copy, streaming
 * without leaking action slots, and model output that tries to run script in the app's document.
 */
import type { Page } from '@playwright/test';
import { expect, test } from './support/fixtures';

const FENCE = '```';

async function openHarness(page: Page) {
  await page.goto('/tests/harness/markdown.html');
  await expect(page.locator('body[data-ready="1"]')).toBeAttached();
}

function mount(page: Page, text: string, streaming = false, withActions = false) {
  return page.evaluate(([t, s, a]) => window.markdownHarness.mount(t, s, a), [text, streaming, withActions] as const);
}

/** Bodies of the JavaScript the page has fetched so far, by URL (highlight.js core has `highlightAuto`). */
function recordScripts(page: Page): Map<string, string> {
  const scripts = new Map<string, string>();
  page.on('response', async (r) => {
    if (r.request().resourceType() === 'script') scripts.set(r.url(), await r.text().catch(() => ''));
  });
  return scripts;
}

const loadedHighlightCore = (scripts: Map<string, string>) =>
  [...scripts.values()].some((s) => s.includes('highlightAuto'));

test('renders GFM: tables, lists, inline code, links and code blocks', async ({ page }) => {
  await openHarness(page);
  await mount(
    page,
    [
      '# Title',
      '',
      '| Name | Size |',
      '|------|-----:|',
      '| `a.ts` | 12 |',
      '',
      '1. first',
      '2. second',
      '   - nested',
      '',
      '> quoted',
      '',
      'Inline `const x = 1` and [a link](https://example.com/docs).',
      '',
      `${FENCE}python`,
      'def add(a, b):',
      '    return a + b',
      FENCE,
      '',
      `${FENCE}`,
      'plain block',
      FENCE,
    ].join('\n'),
  );
  const md = page.locator('.markdown');
  await expect(md.locator('h1')).toHaveText('Title');
  await expect(md.locator('table th')).toHaveText(['Name', 'Size']);
  await expect(md.locator('table td code')).toHaveText('a.ts');
  await expect(md.locator('ol > li')).toHaveCount(2);
  await expect(md.locator('ol ul > li')).toHaveText('nested');
  await expect(md.locator('blockquote')).toContainText('quoted');
  await expect(md.locator('p > code')).toHaveText('const x = 1');
  const link = md.locator('a', { hasText: 'a link' });
  await expect(link).toHaveAttribute('href', 'https://example.com/docs');
  await expect(link).toHaveAttribute('target', '_blank');
  await expect(link).toHaveAttribute('rel', 'noopener noreferrer');

  const blocks = md.locator('.code-block');
  await expect(blocks).toHaveCount(2);
  await expect(blocks.nth(0)).toHaveAttribute('data-block', '0');
  await expect(blocks.nth(0)).toHaveAttribute('data-lang', 'python');
  await expect(blocks.nth(0).locator('.code-head .code-lang')).toHaveText('python');
  await expect(blocks.nth(0).locator('button.code-copy[data-copy="0"]')).toHaveText('Copy');
  await expect(blocks.nth(0).locator('.code-head span.code-actions[data-actions="0"]')).toBeAttached();
  await expect(blocks.nth(0).locator('pre > code.language-python')).toHaveText('def add(a, b):\n    return a + b');
  await expect(blocks.nth(1)).toHaveAttribute('data-block', '1');
  await expect(blocks.nth(1).locator('pre > code')).toHaveText('plain block');
});

test('loads highlight.js only once a block in a known language appears, then highlights it', async ({ page }) => {
  const scripts = recordScripts(page);
  await openHarness(page);
  await mount(page, 'No code here, just `inline`.\n\n| a |\n|---|\n| 1 |');
  await mount(page, `${FENCE}brainfuck\n++++[>++<-]\n${FENCE}`); // unknown language: stays plain
  await page.waitForTimeout(500);
  expect(scripts.size).toBeGreaterThan(0);
  expect(loadedHighlightCore(scripts), [...scripts.keys()].join('\n')).toBe(false);
  await expect(page.locator('.markdown code')).toHaveText('++++[>++<-]');

  await mount(page, `${FENCE}py\nimport os\nfor x in range(3):\n    print(x)\n${FENCE}`);
  const code = page.locator('.markdown pre code');
  await expect(code.locator('.hljs-keyword').first()).toBeVisible();
  await expect(code.locator('.hljs-keyword')).toHaveText(['import', 'for', 'in']);
  await expect(code).toHaveText('import os\nfor x in range(3):\n    print(x)'); // text unchanged
  expect(loadedHighlightCore(scripts)).toBe(true);
  expect([...scripts.keys()].some((u) => /\/python-[\w-]+\.js$/.test(u))).toBe(true);
  expect([...scripts.keys()].some((u) => /\/rust-[\w-]+\.js$/.test(u))).toBe(false); // only what is needed
});

test('Copy copies exactly the block source, then shows Copied for a moment', async ({ page, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await openHarness(page);
  const second = 'if (a < b && c > "d") {\n\treturn `<b>${x}</b>`;   \n}\n\n// end';
  await mount(page, `${FENCE}js\nfirst();\n${FENCE}\n\nText\n\n${FENCE}js\n${second}\n${FENCE}\n`);
  await expect(page.locator('.markdown .hljs-keyword').first()).toBeVisible(); // copy from highlighted DOM too
  const copy = page.locator('button.code-copy[data-copy="1"]');
  await copy.click();
  await expect(copy).toHaveText('Copied');
  await expect(page.locator('button.code-copy[data-copy="0"]')).toHaveText('Copy');
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(second);
  await expect(copy).toHaveText('Copy', { timeout: 3000 });

  await page.evaluate(() => window.markdownHarness.setLang('zh'));
  await expect(copy).toHaveText('复制');
  await copy.click();
  await expect(copy).toHaveText('已复制');
  await page.evaluate(() => window.markdownHarness.setLang('en'));
});

test('streams: an unclosed fence renders as a block in progress; action slots neither leak nor go missing', async ({
  page,
}) => {
  await openHarness(page);
  const full = [
    'Intro text.',
    '',
    `${FENCE}python`,
    'def f():',
    '    return 1',
    FENCE,
    '',
    'Between.',
    '',
    `${FENCE}js`,
    'let a = 1;',
    FENCE,
    '',
    'Done.',
  ].join('\n');
  for (let n = 1; n <= full.length; n += 3) {
    await mount(page, full.slice(0, n), true, true);
    if (n % 30 === 1) await page.waitForTimeout(100); // let some throttled renders through
  }
  await mount(page, `${full.slice(0, full.indexOf('let a'))}let a`, true, true);
  // The unclosed js fence shows as a code block in progress.
  await expect(page.locator('.code-block')).toHaveCount(2);
  await expect(page.locator('.code-block[data-block="1"] code')).toHaveText('let a');

  await mount(page, full, false, true);
  await expect(page.locator('.markdown p').last()).toHaveText('Done.');
  await expect(page.locator('.code-block[data-block="1"] code')).toHaveText('let a = 1;');
  await expect(page.locator('.code-block[data-block="1"] .hljs-keyword')).toHaveText('let');
  await expect(page.locator('.code-actions[data-actions="0"] button.run')).toHaveText('Run 0');
  await expect(page.locator('.code-actions[data-actions="1"] button.run')).toHaveText('Run 1');
  // Preact runs passive effect cleanups after paint, so the count settles a frame or two late.
  const liveActions = () => page.evaluate(() => window.markdownHarness.liveActions());
  await expect.poll(liveActions).toBe(2);
  await page.waitForTimeout(300);
  expect(await liveActions()).toBe(2);

  await page.evaluate(() => window.markdownHarness.unmount());
  await expect.poll(liveActions).toBe(0);
});

test('the component shows what renderMarkdown gives, at every point of a stream, code blocks built in place included', async ({
  page,
}) => {
  await openHarness(page);
  const full = [
    'Intro with `code`.',
    '',
    `${FENCE}js`,
    'const a = "x"; // one',
    '/* a comment',
    'over lines */',
    'function f() { return `t${a}`; }',
    FENCE,
    '',
    '- a list',
    `- with code\n\n  ${FENCE}py\n  print(1)\n  ${FENCE}`,
    '',
    `${FENCE}`,
    'plain',
    FENCE,
    '',
    `${FENCE}brainfuck`,
    '++[>+<-]',
    FENCE,
    'Done.',
  ].join('\n');
  await mount(page, `${FENCE}js\nwarm();\n${FENCE}\n\n${FENCE}py\nx\n${FENCE}`); // grammars loaded, so that every render highlights
  await expect(page.locator('.markdown .hljs-title').first()).toBeAttached();
  expect(await page.evaluate((t) => window.markdownHarness.streamMismatches(t, 1), full)).toEqual([]);
});

test('a code block highlighted a piece at a time ends as highlight.js highlights it whole', async ({ page }) => {
  await openHarness(page);
  const samples: Record<string, string> = {
    javascript: Array.from(
      { length: 40 },
      (_, i) =>
        `// step ${i}\nconst s${i} = \`a \${b} c\`; /* ${'x'.repeat(i)}\n spans lines */ if (/re${i}/.test(s${i})) f(${i}, "q");`,
    ).join('\n'),
    python: Array.from(
      { length: 40 },
      (_, i) => `def f${i}(x):\n    """doc\n    ${i}"""\n    return [y * ${i} for y in x]  # c`,
    ).join('\n'),
    html: Array.from(
      { length: 30 },
      (_, i) =>
        `<div class="a${i}"><!-- c\n${i} --><script>let x = ${i};\n</script><style>p { color: red; }</style></div>`,
    ).join('\n'),
  };
  for (const [lang, code] of Object.entries(samples)) {
    const md = `${FENCE}${lang}\n${code}\n${FENCE}`;
    for (let n = 0; n < md.length; n += 37) await mount(page, md.slice(0, n));
    await mount(page, md);
    await expect(page.locator('.markdown pre code')).toHaveText(code);
    const [pieces, whole] = await page.evaluate((l) => window.markdownHarness.highlightedBothWays(l), lang);
    expect(pieces, lang).toBe(whole);
  }
});

test('Markdown nested deeper than marked can parse shows as plain text, and the component lives on', async ({
  page,
}) => {
  await openHarness(page);
  const deep = '>'.repeat(50000);
  await mount(page, deep);
  await expect(page.locator('.markdown .md-raw-html')).toHaveText(deep);
  await mount(page, 'fine *again*');
  await expect(page.locator('.markdown em')).toHaveText('again');
});

test('block-wise cached rendering equals sanitising the whole, at every point of a stream', async ({ page }) => {
  await openHarness(page);
  const full = [
    'See [the docs][d] and `x`.',
    '',
    `${FENCE}py`,
    'print("<b>")',
    FENCE,
    '',
    '| a | b |',
    '|---|---|',
    '| <i>1</i> | [l](https://example.com) |',
    '',
    '- one',
    `- two\n\n  ${FENCE}js\n  f()\n  ${FENCE}`,
    '',
    '> quote <script>x</script>',
    '',
    `${FENCE}`,
    'last',
    FENCE,
    '',
    '[d]: https://example.com/docs',
  ].join('\n');
  const mismatches = await page.evaluate((text) => {
    const bad: number[] = [];
    for (let n = 0; n <= text.length; n++) {
      const [a, b] = window.markdownHarness.renderBothWays(text.slice(0, n));
      if (a !== b) bad.push(n);
    }
    return bad;
  }, full);
  expect(mismatches).toEqual([]);
});

test('renders a 20 KB message fast enough to re-render while streaming', async ({ page }) => {
  await openHarness(page);
  const chunk = `## Step\n\nSome *text* with \`code\` and a [link](https://example.com).\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n${FENCE}python\ndef f(x):\n    return x * 2\n${FENCE}\n\n`;
  const text = chunk.repeat(Math.ceil(20_000 / chunk.length));
  const { parseMs, wholeMs, coldMs, streamMs } = await page.evaluate((t) => window.markdownHarness.timeRender(t), text);
  console.log(
    `${text.length} chars: marked ${parseMs.toFixed(1)} ms, + DOMPurify in one call ${wholeMs.toFixed(1)} ms; renderMarkdown cold ${coldMs.toFixed(1)} ms, streaming ${streamMs.toFixed(1)} ms`,
  );
  // Loose bounds: regression guards (quadratic parsing, a cache that stopped hitting), not benchmarks.
  expect(coldMs).toBeLessThan(500);
  expect(streamMs).toBeLessThan(Math.max(coldMs / 2, 10));
  const code = 'def f(x):\n    """Doc."""\n    return [i * 2 for i in range(x) if i % 3]  # comment\n'.repeat(130);
  const hlMs = await page.evaluate(([c]) => window.markdownHarness.timeHighlight(c, 'python'), [code] as const);
  console.log(`highlight.js, ${code.length} chars of python: ${hlMs.toFixed(1)} ms`);
});

// Each payload tries to set window.__pwned or open a dialog if any of it ever runs.
const PAYLOADS = [
  '<img src=x onerror="window.__pwned=1">',
  '<img src="x" onerror="alert(1)">',
  '<script>window.__pwned=1</script>',
  '<script>alert(1)</script>',
  '<iframe srcdoc="<script>parent.__pwned=1;parent.alert(1)</script>"></iframe>',
  '<iframe src="javascript:parent.__pwned=1"></iframe>',
  '<svg onload="window.__pwned=1"><circle r="5"/></svg>',
  '<svg><script>window.__pwned=1</script></svg>',
  '<svg><a xlink:href="javascript:window.__pwned=1"><text y="20">x</text></a></svg>',
  '<math><mtext><table><mglyph><style><img src=x onerror="window.__pwned=1">',
  '<style>*{display:none}</style>',
  '<form action="javascript:window.__pwned=1"><button>go</button></form>',
  '<meta http-equiv="refresh" content="0;url=javascript:window.__pwned=1">',
  '<a href="javascript:window.__pwned=1">raw link</a>',
  '<details open ontoggle="window.__pwned=1">x</details>',
  '<div style="background:url(javascript:window.__pwned=1)">styled</div>',
  '<object data="javascript:window.__pwned=1"></object><embed src="javascript:window.__pwned=1">',
  '[md link](javascript:window.__pwned=1)',
  '[md link 2](JaVaScRiPt:window.__pwned=1 "t")',
  '[data link](data:text/html,<script>window.__pwned=1</script>)',
  '[vb](vbscript:msgbox(1))',
  '<javascript:window.__pwned=1>',
  '![img](javascript:window.__pwned=1)',
  '![img](x" onerror="window.__pwned=1)',
  '[ref link][r]\n\n[r]: javascript:window.__pwned=1',
  '| <img src=x onerror="window.__pwned=1"> | [t](javascript:window.__pwned=1) |\n|---|---|\n| a | b |',
  '- item <script>window.__pwned=1</script>\n- ![x](data:text/html,<script>window.__pwned=1</script>)',
  '> <img src=x onerror="window.__pwned=1">',
  `${FENCE}html\n<img src=x onerror="window.__pwned=1"><script>window.__pwned=1</script>\n${FENCE}`,
  `${FENCE}"><img src=x onerror="window.__pwned=1">\ncode\n${FENCE}`,
];

/** Everything under .markdown that could run script, load a page, or restyle the app. */
function violations(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const bad: string[] = [];
    const root = document.querySelector('.markdown');
    if (!root) return ['no .markdown'];
    for (const el of root.querySelectorAll('*')) {
      const tag = el.tagName.toLowerCase();
      if (
        [
          'script',
          'iframe',
          'style',
          'svg',
          'math',
          'form',
          'meta',
          'object',
          'embed',
          'link',
          'details',
          'base',
        ].includes(tag)
      )
        bad.push(`<${tag}>`);
      for (const a of el.attributes) {
        if (/^on/i.test(a.name)) bad.push(`${tag} ${a.name}`);
        if (['style', 'srcdoc', 'formaction', 'action', 'id', 'name'].includes(a.name)) bad.push(`${tag} ${a.name}`);
        if (/^(javascript|vbscript|data:text)/i.test(a.value.replace(/[\s\u0000-\u001f]/g, '')))
          bad.push(`${tag} ${a.name}=${a.value}`);
      }
      if (el instanceof HTMLImageElement && el.getAttribute('src') && !el.src.startsWith('data:image/'))
        bad.push(`img src=${el.src}`);
      if (el instanceof HTMLAnchorElement && el.getAttribute('href') && !/^(https?|mailto):/.test(el.href))
        bad.push(`a href=${el.href}`);
    }
    return bad;
  });
}

async function watchForScript(page: Page): Promise<() => Promise<void>> {
  const dialogs: string[] = [];
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  return async () => {
    await page.waitForTimeout(1000); // image errors, iframe loads, meta refresh, SVG onload
    expect(dialogs).toEqual([]);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned)).toBeUndefined();
    expect(await violations(page)).toEqual([]);
  };
}

test('model output with HTML, script or dangerous URLs renders inert', async ({ page }) => {
  const assertInert = await watchForScript(page);
  await openHarness(page);
  const text = PAYLOADS.join('\n\n');
  for (const streaming of [true, false]) await mount(page, text, streaming);
  await expect(page.locator('.markdown .code-block')).toHaveCount(2);
  await expect(page.locator('.markdown .hljs-tag').first()).toBeVisible(); // the html block got highlighted
  await assertInert();
  // Raw HTML is escaped, not rendered: the user sees it as text (outside code blocks too).
  const rawHtml = page.locator('.markdown > p.md-raw-html');
  await expect(rawHtml.filter({ hasText: /^<script>window.__pwned=1<\/script>$/ })).toHaveCount(1);
  await expect(rawHtml.filter({ hasText: /^<img src=x onerror="window.__pwned=1">$/ })).toHaveCount(1);
  await expect(page.locator('.markdown li').first()).toHaveText('item <script>window.__pwned=1</script>');
  // The html code block keeps its source as text, highlighted but inert.
  await expect(page.locator('.code-block[data-block="0"] code')).toHaveText(
    '<img src=x onerror="window.__pwned=1"><script>window.__pwned=1</script>',
  );
});

test('the sanitiser alone (second line of defence) neutralises raw attack HTML', async ({ page }) => {
  const assertInert = await watchForScript(page);
  await openHarness(page);
  const html = [
    ...PAYLOADS.filter((p) => p.startsWith('<')),
    '<a href="javascript:window.__pwned=1">a</a><a href="  jav&#x09;ascript:window.__pwned=1">b</a>',
    '<a href="data:text/html,<script>alert(1)</script>">c</a><a href="/relative">d</a>',
    '<img src="https://example.com/track.png"><img src="data:text/html,x">',
    '<button formaction="javascript:window.__pwned=1" onclick="window.__pwned=1">e</button>',
    '<input type="image" src="x" onerror="window.__pwned=1"><input type="text" autofocus onfocus="window.__pwned=1">',
    '<div id="markdownHarness" name="body">clobber</div><base href="https://evil.example/">',
    '<noscript><p title="</noscript><img src=x onerror=window.__pwned=1>">',
  ].join('');
  await page.evaluate((h) => window.markdownHarness.mountSanitized(h), html);
  await assertInert();
  expect(await page.evaluate(() => typeof window.markdownHarness.mount)).toBe('function'); // not clobbered
  // What the renderer emits survives it.
  const ok =
    '<div class="code-block" data-block="0" data-lang="js"><div class="code-head"><span class="code-lang">js</span>' +
    '<button type="button" class="code-copy" data-copy="0">Copy</button><span class="code-actions" data-actions="0"></span></div>' +
    '<pre><code class="language-js">x</code></pre></div><p><a href="https://example.com/" target="_blank" rel="noopener noreferrer">l</a></p>';
  await page.evaluate((h) => window.markdownHarness.mountSanitized(h), ok);
  expect(await page.locator('.markdown').innerHTML()).toBe(ok);
});

test('images never load remote URLs; data:image URLs are shown', async ({ page, baseURL }) => {
  const requested: string[] = [];
  page.on('request', (r) => {
    if (r.url().includes('tracker')) requested.push(r.url());
  });
  await openHarness(page);
  const dot = 'data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7';
  await mount(
    page,
    `![remote](${baseURL}/tracker.png) ![relative](/tracker2.png) ![dot](${dot})\n\n<img src="/tracker3.png">`,
  );
  await page.waitForTimeout(500);
  expect(requested).toEqual([]);
  await expect(page.locator('.markdown img')).toHaveCount(1);
  await expect(page.locator('.markdown img')).toHaveAttribute('src', dot);
  await expect(page.locator('.markdown a.md-image-link')).toHaveAttribute('href', `${baseURL}/tracker.png`);
});
