/**
 * The GPU expert cache. Each MoE layer has a buffer of expert slots and a table (expert → word offset
 * of its record, or 0xffffffff) that the MoE kernels read.
 *
 * Resident mode: every expert has a slot, loaded once; the table never changes, so a token needs no
 * read-back. Paged mode: a layer has a fixed number of slots (its share of the byte budget); the
 * experts a step needs are loaded from their IndexedDB records on a miss, evicting the least recently
 * used. When a prefill needs more experts than a layer has slots, they are processed in waves.
 */
import { getRecord } from '../store/db';
import { expertKey, keyString } from '../store/keys';
import type { ExpertLayer, ModelManifest } from '../store/types';
import { StoreReadError } from './weights';

const NOT_HERE = 0xffffffff;

export interface ExpertStats {
  hits: number;
  misses: number;
  bytesRead: number;
}

class LayerSlots {
  readonly expertInSlot: Int32Array;
  readonly slotOf = new Map<number, number>();
  readonly lastUse: Float64Array;
  constructor(
    readonly info: ExpertLayer,
    readonly buffer: GPUBuffer,
    readonly table: GPUBuffer,
    readonly slots: number,
  ) {
    this.expertInSlot = new Int32Array(slots).fill(-1);
    this.lastUse = new Float64Array(slots);
  }
}

export class ExpertCache {
  readonly stats: ExpertStats = { hits: 0, misses: 0, bytesRead: 0 };
  private readonly layers = new Map<number, LayerSlots>();
  private clock = 0;

  private constructor(
    private readonly device: GPUDevice,
    private readonly manifest: ModelManifest,
    readonly resident: boolean,
  ) {}

  /**
   * `budgetBytes` null: every expert resident. Otherwise each MoE layer gets an equal share of it;
   * a share that holds every expert of its layer makes that layer resident.
   */
  static async create(device: GPUDevice, m: ModelManifest, budgetBytes: number | null, maxBinding: number): Promise<ExpertCache> {
    const hp = m.hparams;
    const share = budgetBytes === null ? Infinity : budgetBytes / m.experts.length;
    const slotsFor = (l: ExpertLayer) => Math.min(hp.nExpert, Math.floor(share / l.recordBytes));
    const resident = m.experts.every((l) => slotsFor(l) >= hp.nExpert);
    const cache = new ExpertCache(device, m, resident);
    for (const l of m.experts) {
      const slots = resident ? hp.nExpert : slotsFor(l);
      if (slots < hp.nExpertUsed) {
        const need = (hp.nExpertUsed * l.recordBytes * m.experts.length) / 1e6;
        throw new RangeError(`The expert budget is too small: each layer needs room for ${hp.nExpertUsed} experts, at least ${need.toFixed(1)} MB in all.`);
      }
      if (slots * l.recordBytes > maxBinding) {
        throw new RangeError(`Layer ${l.layer}'s expert cache (${slots} × ${l.recordBytes} bytes) exceeds this GPU's largest storage binding (${maxBinding} bytes); set a smaller expert budget.`);
      }
      const buffer = device.createBuffer({ size: slots * l.recordBytes, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST, label: `experts L${l.layer}` });
      const table = device.createBuffer({ size: Math.max(16, hp.nExpert * 4), usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST, label: `expert table L${l.layer}` });
      cache.layers.set(l.layer, new LayerSlots(l, buffer, table, slots));
    }
    if (resident) {
      for (const s of cache.layers.values()) {
        for (let e = 0; e < hp.nExpert; e++) await cache.load(s, e, e);
        cache.writeTable(s, [...Array(hp.nExpert).keys()]);
      }
      cache.stats.bytesRead = 0; // loading is not paging
    }
    return cache;
  }

  slotsPerLayer(layer: number): number {
    return this.layer(layer).slots;
  }

  buffers(layer: number): { experts: GPUBuffer; table: GPUBuffer; info: ExpertLayer } {
    const s = this.layer(layer);
    return { experts: s.buffer, table: s.table, info: s.info };
  }

  /**
   * Groups of the `needed` experts of `layer` that are on the GPU together, with the table mapping
   * exactly that group; the caller runs the experts' kernels once per group. Resident: one group.
   */
  async *waves(layer: number, needed: readonly number[]): AsyncGenerator<readonly number[]> {
    const s = this.layer(layer);
    const distinct = [...new Set(needed)].sort((a, b) => a - b);
    if (this.resident) {
      this.stats.hits += needed.length;
      yield distinct;
      return;
    }
    for (let i = 0; i < distinct.length; i += s.slots) {
      const group = distinct.slice(i, i + s.slots);
      const now = ++this.clock;
      for (const e of group) {
        const slot = s.slotOf.get(e);
        if (slot !== undefined) { s.lastUse[slot] = now; this.stats.hits++; continue; }
        this.stats.misses++;
        await this.load(s, e, this.victim(s, group), now);
      }
      this.writeTable(s, group);
      yield group;
    }
  }

  destroy(): void {
    for (const s of this.layers.values()) { s.buffer.destroy(); s.table.destroy(); }
  }

  private layer(layer: number): LayerSlots {
    const s = this.layers.get(layer);
    if (!s) throw new Error(`layer ${layer} has no experts`);
    return s;
  }

  /** An empty slot, else the least recently used one whose expert is not in `keep`. */
  private victim(s: LayerSlots, keep: readonly number[]): number {
    let best = -1;
    for (let i = 0; i < s.slots; i++) {
      const e = s.expertInSlot[i]!;
      if (e < 0) return i;
      if (keep.includes(e)) continue;
      if (best < 0 || s.lastUse[i]! < s.lastUse[best]!) best = i;
    }
    return best;
  }

  private async load(s: LayerSlots, expert: number, slot: number, now = 0): Promise<void> {
    const key = expertKey(this.manifest.id, s.info.layer, expert);
    const rec = await getRecord(key).catch((e: Error) => { throw new StoreReadError(`Reading expert ${keyString(key)} from the store failed: ${e.message}`); });
    if (!rec) throw new StoreReadError(`The stored model is incomplete: expert record ${keyString(key)} is missing. Verify or import it again.`);
    const old = s.expertInSlot[slot]!;
    if (old >= 0) s.slotOf.delete(old);
    this.device.queue.writeBuffer(s.buffer, slot * s.info.recordBytes, rec.data);
    s.expertInSlot[slot] = expert;
    s.slotOf.set(expert, slot);
    s.lastUse[slot] = now;
    this.stats.bytesRead += rec.data.byteLength;
  }

  private writeTable(s: LayerSlots, group: readonly number[]): void {
    const table = new Uint32Array(this.manifest.hparams.nExpert).fill(NOT_HERE);
    for (const e of group) table[e] = (s.slotOf.get(e)! * s.info.recordBytes) / 4;
    this.device.queue.writeBuffer(s.table, 0, table);
  }
}
