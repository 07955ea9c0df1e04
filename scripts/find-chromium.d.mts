/** Types of find-chromium.mjs (a plain JS module shared with `npm test`, the tests and the bench). */
/** The path of a Chromium to drive, or null when there is none. */
export function findChromium(): string | null | Promise<string | null>;
export const NO_CHROMIUM_MESSAGE: string;
