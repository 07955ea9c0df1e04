/**
 * Files dropped on the composer, added to the message as fenced code blocks with their paths, so the
 * model sees each file whole and knows where it came from. Reading a dropped folder walks it with the
 * File and Directory Entries API (webkitGetAsEntry), the one way a page can read a dropped folder.
 */

export interface Attachment {
  /** the path as dropped: "src/app.py" for a file in a dropped folder, the name for a file */
  path: string;
  text: string;
}

/** What a drop gave: the text files, and the files left out (binary or too large) by path. */
export interface DropResult {
  files: Attachment[];
  skipped: string[];
}

/** Larger files are left out: a message of several megabytes would not fit any context this device allows. */
export const MAX_FILE_BYTES = 512 * 1024;
/** At most this many files from one drop (a dropped node_modules would otherwise take minutes). */
export const MAX_FILES = 200;

const LANGS: Record<string, string> = {
  ts: 'typescript',
  tsx: 'tsx',
  js: 'javascript',
  jsx: 'jsx',
  mjs: 'javascript',
  cjs: 'javascript',
  py: 'python',
  rs: 'rust',
  go: 'go',
  java: 'java',
  kt: 'kotlin',
  swift: 'swift',
  c: 'c',
  h: 'c',
  cc: 'cpp',
  cpp: 'cpp',
  hpp: 'cpp',
  cs: 'csharp',
  rb: 'ruby',
  php: 'php',
  html: 'html',
  htm: 'html',
  css: 'css',
  scss: 'scss',
  json: 'json',
  md: 'markdown',
  sh: 'bash',
  bash: 'bash',
  yml: 'yaml',
  yaml: 'yaml',
  toml: 'toml',
  sql: 'sql',
  xml: 'xml',
  svg: 'svg',
  vue: 'vue',
  lua: 'lua',
  r: 'r',
};

/** The fence language for a path, from its extension ("" when unknown). */
export function langFor(path: string): string {
  const name = path.slice(path.lastIndexOf('/') + 1);
  const dot = name.lastIndexOf('.');
  return dot > 0 ? (LANGS[name.slice(dot + 1).toLowerCase()] ?? '') : '';
}

/** A fence longer than any run of backticks in `text` (CommonMark: a fence closes only on one at least as long). */
export function fenceFor(text: string): string {
  let longest = 0;
  let run = 0;
  for (let i = 0; i < text.length; i++) {
    run = text.charCodeAt(i) === 96 ? run + 1 : 0;
    if (run > longest) longest = run;
  }
  return '`'.repeat(Math.max(3, longest + 1));
}

/** One file as it goes into the message: its path, then its text in a fence of its language. */
export function attachmentBlock(a: Attachment): string {
  const fence = fenceFor(a.text);
  return `\`${a.path}\`\n\n${fence}${langFor(a.path)}\n${a.text}${a.text.endsWith('\n') ? '' : '\n'}${fence}`;
}

/** The message sent: what the user wrote, then each attached file. */
export function withAttachments(text: string, files: readonly Attachment[]): string {
  return [text.trim(), ...files.map(attachmentBlock)].filter((s) => s !== '').join('\n\n');
}

/** Whether the start of a file looks like text (no NUL byte, as git decides). */
function isText(head: string): boolean {
  return !head.slice(0, 8000).includes('\u0000');
}

async function readOne(file: File, path: string, out: DropResult): Promise<void> {
  if (out.files.length >= MAX_FILES || file.size > MAX_FILE_BYTES) {
    out.skipped.push(path);
    return;
  }
  const text = await file.text();
  if (isText(text)) out.files.push({ path, text });
  else out.skipped.push(path);
}

/** Every file under a dropped folder entry, depth first. */
async function walk(entry: FileSystemEntry, out: DropResult): Promise<void> {
  const path = entry.fullPath.replace(/^\//, '');
  if (entry.isFile) {
    const file = await new Promise<File>((res, rej) => (entry as FileSystemFileEntry).file(res, rej));
    await readOne(file, path, out);
    return;
  }
  const reader = (entry as FileSystemDirectoryEntry).createReader();
  // readEntries answers in batches (100 in Chromium) until an empty one.
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((res, rej) => reader.readEntries(res, rej));
    if (batch.length === 0) return;
    for (const e of batch) {
      if (out.files.length + out.skipped.length >= MAX_FILES * 2) return;
      await walk(e, out);
    }
  }
}

/** The text files of a drop (files and folders); entries must be taken before the drop event returns. */
export async function readDrop(dt: DataTransfer): Promise<DropResult> {
  const out: DropResult = { files: [], skipped: [] };
  const items = [...dt.items].filter((i) => i.kind === 'file');
  const entries = items.map((i) => i.webkitGetAsEntry?.() ?? null);
  const files = [...dt.files];
  for (const [i, entry] of entries.entries()) {
    if (entry) await walk(entry, out);
    else if (files[i]) await readOne(files[i], files[i].name, out);
  }
  if (items.length === 0) for (const f of files) await readOne(f, f.name, out);
  return out;
}
