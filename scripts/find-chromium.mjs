// Where the browser tests find Chromium: CHROMIUM_PATH, then Debian's /usr/bin/chromium, then a browser
// that Playwright has installed. We never download one: this project must also work offline.
import { existsSync } from 'node:fs';

export function findChromium() {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'];
  for (const c of candidates) if (c && existsSync(c)) return c;
  return playwrightChromium();
}

function playwrightChromium() {
  return import('playwright-core')
    .then(({ chromium }) => {
      const p = chromium.executablePath();
      return p && existsSync(p) ? p : null;
    })
    .catch(() => null);
}

export const NO_CHROMIUM_MESSAGE =
  'No Chromium found: install one (Debian/Ubuntu: `sudo apt-get install -y chromium`) or set CHROMIUM_PATH to a Chromium/Chrome binary.';
