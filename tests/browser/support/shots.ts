/** Screenshots of the app as the tests leave it, in tests/.artifacts/ (the README's come from there). */
import type { Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const SHOTS = fileURLToPath(new URL('../../.artifacts/', import.meta.url));

/** Saves the whole page as tests/.artifacts/<name>.png. */
export async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: `${SHOTS}${name}.png`, fullPage: true });
}
