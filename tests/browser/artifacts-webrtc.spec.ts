/**
 * WebRTC is the way out that no Content-Security-Policy of Chromium's covers: ICE sends STUN packets
 * to any host it is given, and STUN requests can carry data. An artifact has no RTCPeerConnection of
 * its own, so every attempt here goes through a nested frame, whose fresh window would have one. Each
 * variant runs in its own artifact frame, built exactly as the panel builds it, with its own UDP
 * listener on 127.0.0.1 standing in for a STUN server: none of them may receive a single packet.
 */
import { createSocket, type Socket } from 'node:dgram';
import { test, expect, type Page } from '@playwright/test';

interface UdpSpy {
  port: number;
  packets: number;
  close(): Promise<void>;
}

async function udpSpy(): Promise<UdpSpy> {
  const socket: Socket = createSocket('udp4');
  const spy = { port: 0, packets: 0, close: () => new Promise<void>((r) => socket.close(() => r())) };
  socket.on('message', () => spy.packets++);
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', r));
  spy.port = socket.address().port;
  return spy;
}

/** What a variant gets: the nested document that would open WebRTC, and an iframe element carrying it. */
interface Payload {
  /** the nested frame's document: it reports that it ran, then sends STUN requests to the spy */
  child: string;
  /** `<iframe srcdoc="child">` */
  frame: string;
  /** the STUN code alone, for the variants that need it somewhere else than in a srcdoc */
  stun: string;
}

function payload(port: number): Payload {
  const stun = `var pc = new RTCPeerConnection({ iceServers: [{ urls: 'stun:127.0.0.1:${port}' }] });
pc.createDataChannel('x'); pc.createOffer().then(function (o) { return pc.setLocalDescription(o); });`;
  const child = `<script>parent.postMessage('nested frame ran', '*'); ${stun}</script>`;
  return { child, stun, frame: `<iframe srcdoc="${attribute(child)}"></iframe>` };
}

/**
 * A string literal that can sit inside a <script> element. `shadowrootmode` is spelled with an escape,
 * as an attacker would, so that only the hardening's own checks stand in its way, not the renaming
 * of the page's source.
 */
function lit(text: string): string {
  return JSON.stringify(text)
    .replace(/</g, '\\u003c')
    .replace(/(shadowroot)m(ode)/gi, '$1\\u006d$2');
}

function attribute(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/"/g, '&quot;');
}

const RAN = "console.log('variant ran');";
const js = (code: string) => `<script>${code}\n${RAN}</script>`;
const dsd = (p: Payload, mode = 'closed') => `<div><template shadowrootmode="${mode}">${p.frame}</template></div>`;
/** Script: the frame's markup added at the end of the body. */
const insert = (p: Payload) => `document.body.insertAdjacentHTML('beforeend', ${lit(p.frame)});`;
/** Script: an iframe element in variable `v`, not yet in the document. */
const iframe = (p: Payload, v: string) => `var ${v} = document.createElement('iframe'); ${v}.srcdoc = ${lit(p.child)};`;
/** Expression: a shadow root of a new div in the body. */
const shadow = (mode: string) =>
  `document.body.appendChild(document.createElement('div')).attachShadow({ mode: '${mode}' })`;
const NONE = 'var none = document.createDocumentFragment().childNodes;';

/** Each one a way to get a nested frame's script running; the body of an html artifact. */
const VARIANTS: Record<string, (p: Payload) => string> = {
  'a frame in the page as written': (p) => `${p.frame}<script>${RAN}</script>`,
  'RTCPeerConnection of the page itself': (p) =>
    js(`try { ${p.stun} } catch (e) {}
try { new webkitRTCPeerConnection({ iceServers: [] }); } catch (e) {}`),
  'Element.prototype.remove replaced': (p) => js(`Element.prototype.remove = function () {}; ${insert(p)}`),
  'NodeList.prototype.forEach replaced': (p) =>
    js(`NodeList.prototype.forEach = function () {};
var d = document.createElement('div'); d.innerHTML = ${lit(p.frame)}; document.body.append(d);
${insert(p)}`),
  'matches and querySelectorAll replaced': (p) =>
    js(`${NONE}
Element.prototype.matches = function () { return false; };
Element.prototype.querySelectorAll = DocumentFragment.prototype.querySelectorAll = function () { return none; };
Document.prototype.querySelectorAll = Element.prototype.querySelectorAll;
var d = document.createElement('div'); d.innerHTML = ${lit(p.frame)}; document.body.append(d);
${insert(p)}`),
  'MutationRecord.addedNodes and Node.nodeType replaced': (p) =>
    js(`${NONE}
Object.defineProperty(MutationRecord.prototype, 'addedNodes', { get: function () { return none; } });
Object.defineProperty(Node.prototype, 'nodeType', { get: function () { return 3; } });
${insert(p)}`),
  'Array.prototype and Function.prototype methods replaced': (p) =>
    js(`var frame = ${lit(p.frame)};
['forEach', 'map', 'filter', 'some', 'every', 'indexOf', 'includes', 'push', 'slice', 'join'].forEach(function (k) {
  Array.prototype[k] = function () {};
});
Object.defineProperty(Array.prototype, '0', { set: function () {}, configurable: true });
Function.prototype.call = Function.prototype.apply = function () {};
Function.prototype.bind = function () { return function () {}; };
document.body.insertAdjacentHTML('beforeend', frame);`),
  'console.warn throws, then a second frame': (p) =>
    js(`console.warn = function () { throw new Error('no warnings'); };
document.body.insertAdjacentHTML('beforeend', ${lit(p.frame + p.frame)});`),
  'observer options inherited from Object.prototype': (p) =>
    js(`Object.prototype.characterData = false;
Object.prototype.characterDataOldValue = true;
${shadow('closed')}.innerHTML = ${lit(p.frame)};`),
  'MutationObserver.prototype.observe replaced, then a shadow root': (p) =>
    js(`MutationObserver.prototype.observe = function () {};
${shadow('closed')}.innerHTML = ${lit(p.frame)};`),
  'document.write while the page loads': (p) => `<script>document.write(${lit(p.frame)}); ${RAN}</script>`,
  'document.write after the page loaded': (
    p,
  ) => `<script>addEventListener('load', function () { setTimeout(function () {
  ${RAN} document.open(); document.write(${lit(p.frame)}); document.close();
}, 0); });</script>`,
  'innerHTML of a template, cloned, imported and moved': (p) =>
    js(`var t = document.createElement('template');
t.innerHTML = ${lit(p.frame)};
document.body.append(t.content.cloneNode(true), document.importNode(t.content, true)); document.body.append(t.content);`),
  'from a microtask': (p) =>
    js(`queueMicrotask(function () { ${insert(p)} });
Promise.resolve().then(function () { ${iframe(p, 'f')} document.body.append(f); });`),
  'in an open shadow root': (p) => js(`${shadow('open')}.innerHTML = ${lit(p.frame)};`),
  'in a closed shadow root, of a host attached before or after': (p) =>
    js(`${shadow('closed')}.innerHTML = ${lit(p.frame)};
var h = document.createElement('span'); h.attachShadow({ mode: 'closed' }).innerHTML = ${lit(p.frame)}; document.body.append(h);`),
  'in a shadow root of a custom element': (p) =>
    js(`customElements.define('x-frame', class extends HTMLElement {
  connectedCallback() { this.attachShadow({ mode: 'closed' }).innerHTML = ${lit(p.frame)}; }
});
document.body.append(document.createElement('x-frame'));`),
  'in a cloned shadow root': (p) =>
    js(`var h = document.createElement('div');
h.attachShadow({ mode: 'closed', clonable: true }).innerHTML = ${lit(p.frame)};
document.body.append(h.cloneNode(true), document.importNode(h, true));`),
  'in a declarative shadow root': (p) => `${dsd(p)}${dsd(p, 'open')}
<DIV><TEMPLATE SHADOWROOTMODE="closed">${p.frame}</TEMPLATE></DIV><script>${RAN}</script>`,
  'in a declarative shadow root reached through ElementInternals': (
    p,
  ) => `<x-host><template shadowrootmode="closed"></template></x-host>
${js(`customElements.define('x-host', class extends HTMLElement {
  constructor() { super(); var r = this.attachInternals().shadowRoot; if (r) r.innerHTML = ${lit(p.frame)}; }
});`)}`,
  'in a declarative shadow root written by document.write': (p) =>
    `<script>document.write(${lit(dsd(p))}); ${RAN}</script>`,
  'in a declarative shadow root split across document.write and the page': (p) => `<div>
<script>document.write('<template shadowroot');</script>mode="closed">${p.frame}</template></div>
<div><script>document.write('<template shadow');
document.write('rootmode="closed">' + ${lit(p.frame)} + '</template>');</script></div><script>${RAN}</script>`,
  'in a declarative shadow root by setHTMLUnsafe': (p) =>
    js(`var m = ${lit(dsd(p))};
document.body.appendChild(document.createElement('div')).setHTMLUnsafe(m); ${shadow('open')}.setHTMLUnsafe(m);`),
  'in a declarative shadow root by Document.parseHTMLUnsafe': (p) =>
    js(`var doc = Document.parseHTMLUnsafe(${lit(dsd(p))});
document.body.append(doc.body.firstChild);`),
  'in a declarative shadow root from parsers without them': (p) =>
    js(`var m = ${lit(dsd(p))};
document.body.append(new DOMParser().parseFromString(m, 'text/html').body.firstChild);
var d = document.implementation.createHTMLDocument(''); d.open(); d.write(m); d.close(); document.body.append(d.body.firstChild);
document.body.append(document.createRange().createContextualFragment(m));
document.body.appendChild(document.createElement('div')).innerHTML = m; document.body.insertAdjacentHTML('beforeend', m);`),
  'from an XSLT transform': (p) =>
    js(`try {
  var xsl = new DOMParser().parseFromString('<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">'
    + '<xsl:output method="html"/><xsl:template match="/"><html><body>'
    + '<div id="h"><template shadowroot' + 'mode="closed"><iframe srcdoc="{/x}"></iframe></template></div>'
    + '<iframe id="f" srcdoc="{/x}"></iframe></body></html></xsl:template></xsl:stylesheet>', 'application/xml');
  var input = new DOMParser().parseFromString('<x></x>', 'application/xml');
  input.documentElement.textContent = ${lit(p.child)};
  var x = new XSLTProcessor(); x.importStylesheet(xsl);
  var out = x.transformToDocument(input); document.body.append(out.getElementById('h'), out.getElementById('f'));
  document.body.append(x.transformToFragment(input, document));
} catch (e) {}`),
  'cloned by the browser into an SVG use or a selectedcontent': (p) => `<svg width="200" height="200">
<defs><g id="g"><foreignObject width="200" height="200">${p.frame}</foreignObject></g></defs><use href="#g"/></svg>
<select><button><selectedcontent></selectedcontent></button><option>${p.frame}</option></select>
<style>select, ::picker(select) { appearance: base-select; }</style>
${js('document.body.getBoundingClientRect(); document.querySelector("select").selectedIndex = 0;')}`,
  'via Range.createContextualFragment': (p) =>
    js(`document.body.append(document.createRange().createContextualFragment(${lit(p.frame)}));`),
  'from a DOMParser document': (p) =>
    js(`var d = new DOMParser().parseFromString(${lit(p.frame)}, 'text/html');
document.body.append(document.adoptNode(d.body.firstChild));`),
  'by outerHTML and insertAdjacentHTML': (p) =>
    js(`document.body.appendChild(document.createElement('p')).outerHTML = ${lit(p.frame)};
document.body.insertAdjacentHTML('afterbegin', ${lit(p.frame)});`),
  'by execCommand insertHTML': (p) =>
    js(`var e = document.body.appendChild(document.createElement('div'));
e.contentEditable = 'true'; e.focus(); document.execCommand('insertHTML', false, ${lit(p.frame)});`),
  'by setHTML with a sanitizer that allows frames': (p) =>
    js(`try {
  var sanitizer = { elements: ['iframe'], attributes: ['srcdoc'] };
  document.body.appendChild(document.createElement('div')).setHTML(${lit(p.frame)}, { sanitizer: sanitizer });
} catch (e) {}`),
  'srcdoc set after the frame is in the page': (p) =>
    js(`var f = document.createElement('iframe'); document.body.append(f);
f.srcdoc = ${lit(p.child)};
var g = document.createElement('iframe'); document.body.append(g); g.setAttribute('srcdoc', ${lit(p.child)});`),
  'moved before the observer runs': (p) =>
    js(`${iframe(p, 'f')} document.body.append(f);
var root = ${shadow('closed')}; root.append(f);
${iframe(p, 'g')} var d = document.body.appendChild(document.createElement('div')); d.append(g);
document.createElement('div').append(d); document.body.append(d);
${iframe(p, 'h')} document.body.append(h); document.body.moveBefore(h, document.body.firstChild);`),
  'as the document element': (p) => js(`${iframe(p, 'f')} document.documentElement.remove(); document.append(f);`),
  'put back each time it is removed': (p) =>
    js(`${iframe(p, 'f')} var n = 0;
new MutationObserver(function () { if (!f.isConnected && n++ < 100) document.body.append(f); })
  .observe(document, { childList: true, subtree: true });
document.body.append(f);
${iframe(p, 'g')} var timer = setInterval(function () { document.body.append(g); }, 1);
setTimeout(function () { clearInterval(timer); }, 1000);`),
  'inserted by a page kept busy afterwards': (p) =>
    js(`${insert(p)} var until = Date.now() + 1000; while (Date.now() < until);`),
  'object, embed and iframe with data:, blob: and javascript: URLs': (p) => {
    const data = attribute(`data:text/html,${encodeURIComponent(p.child)}`);
    return `<object type="text/html" data="${data}"></object><embed type="text/html" src="${data}">
<iframe src="${data}"></iframe><iframe src="${attribute(`javascript:${lit(p.child)}`)}"></iframe>
${js(`var f = document.createElement('iframe');
f.src = URL.createObjectURL(new Blob([${lit(p.child)}], { type: 'text/html' })); document.body.append(f);`)}`;
  },
};

/** A whole html document for a variant; it says so if a nested frame's script ever ran. */
function artifactDocument(name: string, body: string): string {
  return `<!DOCTYPE html>
<html>
<head>
<title>${name}</title>
<script>addEventListener('message', function (e) { if (e.data === 'nested frame ran') console.log('NESTED FRAME RAN'); });</script>
</head>
<body>
${body}
</body>
</html>`;
}

const names = Object.keys(VARIANTS);
const BASE = `http://127.0.0.1:${process.env.LC_PORT ?? 4173}`;

test.describe('no STUN packet leaves an artifact, whatever nested frame it makes', () => {
  let page: Page;
  let spies: UdpSpy[] = [];
  let lines: string[][] = [];

  // All variants at once, each in its own frame with its own listener: one wait instead of one each.
  test.beforeAll(async ({ browser }) => {
    test.setTimeout(120_000);
    spies = await Promise.all(names.map(() => udpSpy()));
    page = await browser.newPage();
    await page.goto(`${BASE}/tests/harness/artifacts.html`);
    await page.waitForSelector('body[data-ready="1"]', { state: 'attached' });
    const sources = names.map((name, i) => artifactDocument(name, VARIANTS[name]!(payload(spies[i]!.port))));
    await page.evaluate((s) => window.artifactsHarness.mountFrames(s), sources);
    const ran = () =>
      page.evaluate(() => window.artifactsHarness.frameLines.filter((l) => l.includes('variant ran')).length);
    await expect
      .poll(ran, { timeout: 30_000 })
      .toBe(names.length)
      .catch(() => {
        /* each test says which did not run */
      });
    // The nested frames commit and start ICE within a few hundred milliseconds when nothing stops them.
    await page.waitForTimeout(2500);
    lines = await page.evaluate(() => window.artifactsHarness.frameLines);
  });

  test.afterAll(async () => {
    await page?.close();
    await Promise.all(spies.map((s) => s.close()));
  });

  names.forEach((name, i) => {
    test(name, () => {
      expect(lines[i], 'the attempt ran to its end').toContain('variant ran');
      expect(lines[i]).not.toContain('NESTED FRAME RAN');
      expect(spies[i]!.packets, 'STUN packets received').toBe(0);
    });
  });
});

/**
 * The parser entry points that can make a declarative shadow root are wrapped one by one (harden.ts),
 * so a new one in a later Chromium must not go unnoticed: every method of the DOM's interfaces that
 * takes markup is listed here, sorted into those wrapped and those that build no shadow root.
 */
test('every way to hand markup to the parser is known to the hardening', async ({ page }) => {
  await page.goto('/tests/harness/artifacts.html');
  const found = await page.evaluate(() => {
    const scopes: Record<string, object> = {
      Element: Element.prototype,
      ShadowRoot: ShadowRoot.prototype,
      Document: Document.prototype,
      'Document.': Document,
      DocumentFragment: DocumentFragment.prototype,
      Node: Node.prototype,
      Range: Range.prototype,
      DOMParser: DOMParser.prototype,
      HTMLTemplateElement: HTMLTemplateElement.prototype,
      HTMLElement: HTMLElement.prototype,
      HTMLIFrameElement: HTMLIFrameElement.prototype,
    };
    return Object.entries(scopes)
      .flatMap(([scope, o]) =>
        Object.getOwnPropertyNames(o)
          .filter((k) => /html|write|parse|contextual|insert|stream/i.test(k) && k !== 'htmlFor')
          .map((k) => `${scope}${scope.endsWith('.') ? '' : '#'}${k}`),
      )
      .sort();
  });
  const wrapped = [
    'Document#write',
    'Document#writeln',
    'Document.parseHTML',
    'Document.parseHTMLUnsafe',
    'Element#setHTML',
    'Element#setHTMLUnsafe',
    'ShadowRoot#setHTML',
    'ShadowRoot#setHTMLUnsafe',
  ];
  // Fragment parsing (no declarative shadow roots), serializers, and DOMParser, whose documents have none.
  const noShadowRoots = [
    'DOMParser#parseFromString',
    'Element#getHTML',
    'Element#innerHTML',
    'Element#insertAdjacentElement',
    'Element#insertAdjacentHTML',
    'Element#insertAdjacentText',
    'Element#outerHTML',
    'Node#insertBefore',
    'Range#createContextualFragment',
    'Range#insertNode',
    'ShadowRoot#getHTML',
    'ShadowRoot#innerHTML',
  ];
  expect(found).toEqual([...wrapped, ...noShadowRoots].sort());
});
