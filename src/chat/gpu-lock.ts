/**
 * One tab at a time keeps the model on the GPU: the tab that loads it holds a Web Lock for as long as
 * it is loaded. Another tab either waits for the user to take the model over (stealing the lock) or
 * does nothing; the tab that loses the lock unloads its engine.
 */
const NAME = 'lite-coder-gpu-engine';

/** A tab that is just reloading or closing may still hold the lock for a moment: wait that long. */
const WAIT_MS = 2000;

/**
 * Let go as the page goes away: a document's locks would otherwise be freed only once it is torn
 * down, after the reloaded page has already asked for them.
 */
let release: (() => void) | undefined;
if (typeof window !== 'undefined') window.addEventListener('pagehide', () => release?.());

/**
 * Try to hold the lock (take it from another tab when `steal`). Resolves false when another tab keeps
 * it. `onLost` runs if another tab takes it later.
 */
export function acquireGpuLock(steal: boolean, onLost: () => void): Promise<boolean> {
  if (!navigator.locks) return Promise.resolve(true); // no Web Locks: nothing to coordinate with
  if (release) return Promise.resolve(true); // this page holds it already (a retry after a failed load)
  return new Promise((resolve) => {
    let held = false;
    navigator.locks
      .request(NAME, steal ? { steal: true } : { signal: AbortSignal.timeout(WAIT_MS) }, () => {
        held = true;
        resolve(true);
        return new Promise<void>((done) => {
          release = done;
        }); // held until the page goes or another tab steals it
      })
      .catch(() => {
        release = undefined;
        if (held)
          onLost(); // stolen by another tab
        else resolve(false); // still held elsewhere after waiting
      });
  });
}
