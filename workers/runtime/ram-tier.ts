/**
 * The RAM tier of the paged expert cache: expert records kept in the worker's memory between the GPU
 * cache and the store (IndexedDB), least recently used first out, within a byte budget. A GPU miss
 * that the tier holds is a writeBuffer (PCIe speed) instead of an IndexedDB read (about 250 MB/s in
 * Chromium), so the store is read once per expert as long as the tier holds them all.
 */

/** Bytes the tier gets by default: a quarter of the device's memory, at least 256 MiB. */
export function defaultRamTierBytes(deviceMemoryGiB: number | undefined): number {
  // navigator.deviceMemory is a coarse hint (Chromium caps it at 8 GiB); absent elsewhere: assume 4.
  const gib = deviceMemoryGiB && deviceMemoryGiB > 0 ? deviceMemoryGiB : 4;
  return Math.max(256 * 2 ** 20, Math.floor((gib * 2 ** 30) / 4));
}

export class RamTier {
  /** a Map iterates in insertion order: re-inserting on use keeps the least recently used first */
  private readonly items = new Map<number, ArrayBuffer>();
  private held = 0;

  /** `capacity`: bytes the tier may hold (0: none, every get misses). */
  constructor(readonly capacity: number) {
    if (!(capacity >= 0)) throw new RangeError(`The RAM tier's size must be a number of bytes, not ${capacity}.`);
  }

  /** Bytes held now. */
  get bytes(): number {
    return this.held;
  }

  get size(): number {
    return this.items.size;
  }

  /** The record of `item`, marked as used now; undefined when the tier does not hold it. */
  get(item: number): ArrayBuffer | undefined {
    const data = this.items.get(item);
    if (data === undefined) return undefined;
    this.items.delete(item);
    this.items.set(item, data);
    return data;
  }

  has(item: number): boolean {
    return this.items.has(item);
  }

  /** Keep `data` as `item`'s record, dropping the least recently used until it fits; a record larger than the tier is not kept. */
  put(item: number, data: ArrayBuffer): void {
    const old = this.items.get(item);
    if (old !== undefined) {
      this.items.delete(item);
      this.held -= old.byteLength;
    }
    if (data.byteLength > this.capacity) return;
    for (const [k, v] of this.items) {
      if (this.held + data.byteLength <= this.capacity) break;
      this.items.delete(k);
      this.held -= v.byteLength;
    }
    this.items.set(item, data);
    this.held += data.byteLength;
  }
}
