/**
 * One tab at a time keeps the model on the GPU: the tab that loads it holds a Web Lock for as long as
 * it is loaded. Another tab either waits for the user to take the model over (stealing the lock) or
 * does nothing; the tab that loses the lock unloads its engine.
 */
const NAME = 'lite-coder-gpu-engine';

/**
 * Try to hold the lock (take it from another tab when `steal`). Resolves false when another tab has
 * it. `onLost` runs if another tab takes it later.
 */
export function acquireGpuLock(steal: boolean, onLost: () => void): Promise<boolean> {
  if (!navigator.locks) return Promise.resolve(true); // no Web Locks: nothing to coordinate with
  return new Promise((resolve) => {
    navigator.locks
      .request(NAME, steal ? { steal: true } : { ifAvailable: true }, (lock) => {
        if (!lock) {
          resolve(false);
          return undefined;
        }
        resolve(true);
        return new Promise<void>(() => {}); // held until the tab closes or another tab steals it
      })
      .catch(() => onLost()); // stolen: the request rejects with AbortError
  });
}
