/**
 * The GPU expert cache. Routed experts live in pools: GPU buffers of equal-sized slots. Resident,
 * each MoE layer has a pool of its own; paged, each pool serves a run of consecutive MoE layers, as
 * few pools as the largest storage binding allows (one for all layers when the budget fits one).
 * Each layer has a table (expert → word offset of its record in the pool, or 0xffffffff) that the
 * MoE kernels read.
 *
 * Resident mode: every expert has its own slot, loaded once; tables never change, so a token needs
 * no read-back. Paged mode: the experts a step needs are loaded from their IndexedDB records on a
 * miss, evicting the least recently used (layer, expert) of the pool. When a prefill needs more
 * experts than the pool has slots, they run in waves. Between the pools and the store sits the RAM
 * tier (ram-tier.ts): a miss it holds is uploaded from memory, so the store is read once per expert
 * while the tier has room for the experts in use.
 */
import { getRecord } from '../store/db';
import { expertKey, keyString } from '../store/keys';
import type { ExpertLayer, ModelManifest } from '../store/types';
import { RamTier } from './ram-tier';
import { SlotLru } from './slot-lru';
import { AbortError, StoreReadError } from '../errors';

const NOT_HERE = 0xffffffff;

/** What the expert cache did, counted since load (a request's figures are differences: statsSince). */
export interface ExpertStats {
  /** lookups of a step's experts that found them on the GPU */
  hits: number;
  /** lookups that had to upload the expert (from the RAM tier or the store) */
  misses: number;
  /** misses the RAM tier answered */
  ramHits: number;
  /** bytes read from the store (IndexedDB in the browser) */
  bytesRead: number;
  /** bytes written to the GPU's expert pools */
  bytesUploaded: number;
  /** experts uploaded ahead of their layer, as predicted (prefetch) */
  prefetched: number;
}

export const newExpertStats = (): ExpertStats => ({
  hits: 0,
  misses: 0,
  ramHits: 0,
  bytesRead: 0,
  bytesUploaded: 0,
  prefetched: 0,
});

/** `now` less `before`, field by field. */
export function statsSince(now: ExpertStats, before: ExpertStats): ExpertStats {
  return {
    hits: now.hits - before.hits,
    misses: now.misses - before.misses,
    ramHits: now.ramHits - before.ramHits,
    bytesRead: now.bytesRead - before.bytesRead,
    bytesUploaded: now.bytesUploaded - before.bytesUploaded,
    prefetched: now.prefetched - before.prefetched,
  };
}

class Pool {
  /** slots hold (layer, expert) pairs, tagged layer * 65536 + expert */
  readonly lru: SlotLru;
  constructor(
    readonly buffer: GPUBuffer,
    readonly slotBytes: number,
    readonly slots: number,
  ) {
    this.lru = new SlotLru(slots);
  }
}

const tag = (layer: number, expert: number) => layer * 65536 + expert;

export class ExpertCache {
  readonly stats: ExpertStats = newExpertStats();
  private readonly pools = new Map<number, Pool>();
  private readonly tables = new Map<number, GPUBuffer>();
  private readonly info = new Map<number, ExpertLayer>();
  /** the uploads prefetch() started: a layer's waves wait for them before looking up their slots */
  private pending: Promise<void> = Promise.resolve();
  private constructor(
    private readonly device: GPUDevice,
    private readonly manifest: ModelManifest,
    readonly resident: boolean,
    /** paged mode's RAM tier (none when resident: every expert is loaded once) */
    readonly ram: RamTier | undefined,
  ) {}

  /**
   * `budgetBytes` null, or enough for every expert: all resident (loaded now). Otherwise paged, with a
   * RAM tier of `ramTierBytes` (0: none). Throws AbortError when `signal` aborts while the resident
   * experts load; the cache is then destroyed.
   */
  static async create(
    device: GPUDevice,
    m: ModelManifest,
    budgetBytes: number | null,
    maxBinding: number,
    signal?: AbortSignal,
    ramTierBytes = 0,
  ): Promise<ExpertCache> {
    const hp = m.hparams;
    const layers = m.experts;
    const allBytes = layers.reduce((n, l) => n + l.recordBytes * hp.nExpert, 0);
    const resident = budgetBytes === null || budgetBytes >= allBytes;
    const cache = new ExpertCache(device, m, resident, resident ? undefined : new RamTier(ramTierBytes));
    for (const l of layers) {
      cache.info.set(l.layer, l);
      cache.tables.set(
        l.layer,
        device.createBuffer({
          size: Math.max(16, hp.nExpert * 4),
          usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST,
          label: `expert table L${l.layer}`,
        }),
      );
    }
    // Resident: a pool per layer, exactly its experts. Paged: as few pools as the binding limit allows.
    const groups = resident ? layers.map((l) => [l]) : splitLayers(layers, budgetBytes, maxBinding);
    for (const group of groups) {
      const slotBytes = Math.max(...group.map((l) => l.recordBytes));
      const share = resident ? slotBytes * hp.nExpert : (budgetBytes * group.length) / layers.length;
      const slots = resident ? hp.nExpert : Math.min(group.length * hp.nExpert, Math.floor(share / slotBytes));
      if (slots < hp.nExpertUsed) {
        const need = (hp.nExpertUsed * slotBytes * layers.length) / group.length / 1e6;
        throw new RangeError(
          `The expert budget is too small: it must hold at least ${hp.nExpertUsed} experts at once (${need.toPrecision(3)} MB).`,
        );
      }
      if (slots * slotBytes > maxBinding)
        throw new RangeError(
          `An expert pool of ${slots * slotBytes} bytes exceeds this GPU's largest storage binding (${maxBinding} bytes).`,
        );
      const pool = new Pool(
        device.createBuffer({
          size: slots * slotBytes,
          usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST,
          label: `experts L${group[0]!.layer}-${group.at(-1)!.layer}`,
        }),
        slotBytes,
        slots,
      );
      for (const l of group) cache.pools.set(l.layer, pool);
    }
    if (resident) {
      try {
        for (const l of layers) {
          const all = [...Array(hp.nExpert).keys()];
          for (const e of all) {
            if (signal?.aborted) throw new AbortError('The load was cancelled.');
            await cache.load(l.layer, e, cache.pool(l.layer).lru.place(tag(l.layer, e), new Set()));
          }
          cache.writeTable(l.layer, all);
        }
      } catch (e) {
        cache.destroy();
        throw e;
      }
      Object.assign(cache.stats, newExpertStats()); // loading is not paging
    }
    return cache;
  }

  /** Experts the GPU holds at once for this layer's pool. */
  slots(layer: number): number {
    return this.pool(layer).slots;
  }

  buffers(layer: number): { experts: GPUBuffer; table: GPUBuffer; info: ExpertLayer } {
    return { experts: this.pool(layer).buffer, table: this.tables.get(layer)!, info: this.info.get(layer)! };
  }

  /**
   * Groups of the `needed` experts of `layer` that are on the GPU together, with the layer's table
   * mapping exactly that group; the caller runs the experts' kernels once per group.
   */
  async *waves(layer: number, needed: readonly number[]): AsyncGenerator<readonly number[]> {
    const distinct = [...new Set(needed)].sort((a, b) => a - b);
    if (this.resident) {
      this.stats.hits += distinct.length;
      yield distinct;
      return;
    }
    const pool = this.pool(layer);
    const prefetching = this.pending;
    this.pending = Promise.resolve();
    await prefetching;
    for (let i = 0; i < distinct.length; i += pool.slots) {
      const group = distinct.slice(i, i + pool.slots);
      pool.lru.tick();
      const keep = new Set(group.map((e) => tag(layer, e)));
      const loads: Promise<void>[] = [];
      for (const e of group) {
        if (pool.lru.hit(tag(layer, e)) !== undefined) {
          this.stats.hits++;
          continue;
        }
        this.stats.misses++;
        loads.push(this.load(layer, e, pool.lru.place(tag(layer, e), keep)));
      }
      // the misses' store reads overlap one another (IndexedDB serves several gets at once)
      await settleAll(loads);
      this.writeTable(layer, group);
      yield group;
    }
  }

  /**
   * Paged mode: starts uploading `predicted` experts of `layer` that the GPU does not hold into the
   * least recently used slots, without waiting (waves() waits for them). Call it only once the work
   * that reads the pool so far is submitted: the queue then writes the slots after that work.
   */
  prefetch(layer: number, predicted: readonly number[]): void {
    if (this.resident) return;
    const pool = this.pool(layer);
    const missing = [...new Set(predicted)]
      .filter((e) => pool.lru.slotOfItem(tag(layer, e)) === undefined)
      .slice(0, pool.slots);
    if (!missing.length) return;
    const keep = new Set(missing.map((e) => tag(layer, e)));
    const loads = missing.map((e) => {
      this.stats.prefetched++;
      return this.load(layer, e, pool.lru.place(tag(layer, e), keep));
    });
    const done = this.pending.then(() => settleAll(loads));
    done.catch(() => {}); // a failure reaches the layer's waves(), which await it, not the global handler
    this.pending = done;
  }

  destroy(): void {
    for (const p of new Set(this.pools.values())) p.buffer.destroy();
    for (const t of this.tables.values()) t.destroy();
  }

  private pool(layer: number): Pool {
    const p = this.pools.get(layer);
    if (!p) throw new Error(`layer ${layer} has no experts`);
    return p;
  }

  /** Uploads the record of (`layer`, `expert`) into `slot` of its pool: from the RAM tier, else from the store. */
  private async load(layer: number, expert: number, slot: number): Promise<void> {
    const pool = this.pool(layer);
    let data = this.ram?.get(tag(layer, expert));
    if (data) {
      this.stats.ramHits++;
    } else {
      const key = expertKey(this.manifest.id, layer, expert);
      const rec = await getRecord(key).catch((e: Error) => {
        throw new StoreReadError(`Reading expert ${keyString(key)} from the store failed: ${e.message}`);
      });
      if (!rec)
        throw new StoreReadError(
          `The stored model is incomplete: expert record ${keyString(key)} is missing. Verify or import it again.`,
        );
      data = rec.data;
      this.stats.bytesRead += data.byteLength;
      this.ram?.put(tag(layer, expert), data);
    }
    this.device.queue.writeBuffer(pool.buffer, slot * pool.slotBytes, data);
    this.stats.bytesUploaded += data.byteLength;
  }

  private writeTable(layer: number, group: readonly number[]): void {
    const pool = this.pool(layer);
    const table = new Uint32Array(this.manifest.hparams.nExpert).fill(NOT_HERE);
    for (const e of group) table[e] = (pool.lru.slotOfItem(tag(layer, e))! * pool.slotBytes) / 4;
    this.device.queue.writeBuffer(this.tables.get(layer)!, 0, table);
  }
}

/** Waits for every promise, then throws the first failure: no load is left running behind an error. */
async function settleAll(ps: readonly Promise<void>[]): Promise<void> {
  const failed = (await Promise.allSettled(ps)).find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}

/** Runs of consecutive layers whose share of the budget fits one binding each. */
function splitLayers(layers: readonly ExpertLayer[], budget: number, maxBinding: number): ExpertLayer[][] {
  const pools = Math.max(1, Math.ceil(budget / maxBinding));
  const per = Math.ceil(layers.length / pools);
  const out: ExpertLayer[][] = [];
  for (let i = 0; i < layers.length; i += per) out.push(layers.slice(i, i + per));
  return out;
}
