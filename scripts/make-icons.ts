/**
 * Draws the app icon (an SVG) and renders the PNG sizes the web app manifest and iOS need with the
 * system Chromium. Run with `npx tsx scripts/make-icons.ts`; the output in public/icons/ is committed.
 *
 *   icon.svg              the icon itself (rounded square, "</>" glyph)
 *   icon-192.png          purpose "any", transparent corners
 *   icon-512.png          purpose "any", transparent corners
 *   maskable-512.png      purpose "maskable": full-bleed background, glyph inside the 80% safe zone
 *   apple-touch-icon.png  180 px, opaque (iOS rounds the corners itself)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const OUT = join(dirname(fileURLToPath(import.meta.url)), '..', 'public', 'icons');
const ACCENT = '#3b6cf6'; // --accent in src/styles.css
const ACCENT_DARK = '#2448b8';

/** The "</>" glyph on a 512 grid, scaled about the centre. */
function glyph(scale: number): string {
  return `<g transform="translate(256 256) scale(${scale}) translate(-256 -256)" fill="none" stroke="#ffffff" stroke-width="34" stroke-linecap="round" stroke-linejoin="round">
    <polyline points="178,172 98,256 178,340"/>
    <polyline points="334,172 414,256 334,340"/>
    <line x1="280" y1="152" x2="232" y2="360"/>
  </g>`;
}

function svg(opts: { rounded: boolean; glyphScale: number }): string {
  const bg = opts.rounded
    ? `<rect x="16" y="16" width="480" height="480" rx="112" ry="112" fill="url(#g)"/>`
    : `<rect width="512" height="512" fill="url(#g)"/>`;
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 512 512" width="512" height="512">
  <defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="${ACCENT}"/><stop offset="1" stop-color="${ACCENT_DARK}"/></linearGradient></defs>
  ${bg}
  ${glyph(opts.glyphScale)}
</svg>
`;
}

const ANY = svg({ rounded: true, glyphScale: 1 });
// Maskable icons may be cropped to a circle of radius 40% of the size: keep the glyph well inside it.
const MASKABLE = svg({ rounded: false, glyphScale: 0.8 });
const FULL_BLEED = svg({ rounded: false, glyphScale: 0.9 });

const renders: { file: string; size: number; source: string; transparent: boolean }[] = [
  { file: 'icon-192.png', size: 192, source: ANY, transparent: true },
  { file: 'icon-512.png', size: 512, source: ANY, transparent: true },
  { file: 'maskable-512.png', size: 512, source: MASKABLE, transparent: false },
  { file: 'apple-touch-icon.png', size: 180, source: FULL_BLEED, transparent: false },
];

mkdirSync(OUT, { recursive: true });
writeFileSync(join(OUT, 'icon.svg'), ANY);

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium' });
try {
  for (const r of renders) {
    const page = await browser.newPage({ viewport: { width: r.size, height: r.size }, deviceScaleFactor: 1 });
    const sized = r.source.replace('width="512" height="512"', `width="${r.size}" height="${r.size}"`);
    await page.setContent(
      `<!doctype html><html><head><style>html,body{margin:0;padding:0;background:transparent}svg{display:block}</style></head><body>${sized}</body></html>`,
    );
    const png = await page.screenshot({
      omitBackground: r.transparent,
      clip: { x: 0, y: 0, width: r.size, height: r.size },
    });
    writeFileSync(join(OUT, r.file), png);
    await page.close();
    console.log(`wrote public/icons/${r.file} (${r.size}x${r.size}, ${png.byteLength} bytes)`);
  }
} finally {
  await browser.close();
}
