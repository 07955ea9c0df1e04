/**
 * Byte counts as people read them, for every message of the worker and the UI: decimal units as
 * model hosts and browser storage settings show them ("10.36 GB"), or binary ones for GPU limits
 * ("2 GiB").
 */
const DECIMAL: readonly [string, number, number][] = [
  ['GB', 1e9, 2],
  ['MB', 1e6, 1],
  ['kB', 1e3, 1],
];
const BINARY: readonly [string, number, number][] = [
  ['GiB', 2 ** 30, 2],
  ['MiB', 2 ** 20, 2],
  ['KiB', 2 ** 10, 2],
];

/**
 * "10.36 GB", "63.6 MB", "1.5 kB", "512 bytes"; with `binary`, "2 GiB", "1.5 MiB" (trailing zeros dropped).
 */
export function formatBytes(bytes: number, units: 'decimal' | 'binary' = 'decimal'): string {
  for (const [unit, size, digits] of units === 'binary' ? BINARY : DECIMAL) {
    if (Math.abs(bytes) < size) continue;
    const n = (bytes / size).toFixed(digits);
    return `${units === 'binary' ? Number(n) : n} ${unit}`;
  }
  return `${bytes} bytes`;
}
