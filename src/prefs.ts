/**
 * The app's small preferences (language, last model, ...), in localStorage. A frame on another site
 * may be refused storage altogether (third-party storage blocked, as in the embedded widget): then a
 * preference lasts as long as the page, instead of the app failing to start.
 */
const memory = new Map<string, string>();

export function getPref(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return memory.get(key) ?? null;
  }
}

/** null removes it. */
export function setPref(key: string, value: string | null): void {
  try {
    if (value === null) localStorage.removeItem(key);
    else localStorage.setItem(key, value);
  } catch {
    if (value === null) memory.delete(key);
    else memory.set(key, value);
  }
}
