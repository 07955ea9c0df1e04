/**
 * An artifact saved as the user's own file. The sandbox (the iframe's attributes, the injected CSP,
 * the capture and hardening scripts) protects the app from model-written code while it runs inside
 * the app; a downloaded file is a page the user chose to keep and open, so it is the page as written:
 * no policy injected (a page that fetches data would be broken outside the app too), no wrapper.
 */
import { isFallbackTitle, type Artifact } from './detect';

/** Windows refuses these as file names, whatever the extension. */
const RESERVED = new Set([
  'con',
  'prn',
  'aux',
  'nul',
  ...[1, 2, 3, 4, 5, 6, 7, 8, 9].flatMap((n) => [`com${n}`, `lpt${n}`]),
]);

/** Longest file name stem, in characters (well under every file system's 255 bytes, even in UTF-8 CJK). */
const MAX_STEM = 60;

/**
 * The file for `artifact`: `text` is its source, after a UTF-8 byte order mark (a page opened from
 * disk without `<meta charset>` would otherwise be read in the system's legacy encoding; the mark is
 * not part of the document); `name` comes from its title (its `<title>`, or the heading above it):
 * letters and digits kept, anything else one '-', at most MAX_STEM characters, ".html" added.
 * Without a title, "untitled-page.html" ("untitled-image.html" for an SVG).
 */
export function downloadFile(artifact: Artifact): { name: string; text: string } {
  const stem = isFallbackTitle(artifact) ? '' : fileStem(artifact.title);
  return {
    name: `${stem || (artifact.kind === 'svg' ? 'untitled-image' : 'untitled-page')}.html`,
    text: `\uFEFF${artifact.source}`,
  };
}

/** A title as a file name stem: NFKC, runs of anything but letters and digits as one '-', trimmed. */
export function fileStem(title: string): string {
  const chars = [...title.normalize('NFKC')];
  let out = '';
  for (const c of chars) {
    if (/[\p{L}\p{N}]/u.test(c)) out += c;
    else if (out && !out.endsWith('-')) out += '-';
  }
  out = [...out].slice(0, MAX_STEM).join('').replace(/-$/, '');
  return RESERVED.has(out.toLowerCase()) ? `${out}-page` : out;
}
