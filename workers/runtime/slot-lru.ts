/**
 * Which slot of an expert pool holds which (layer, expert), and which to give up next: an empty slot
 * first, else the least recently used one that the current step does not need.
 */
export class SlotLru {
  private readonly held: Float64Array;
  private readonly lastUse: Float64Array;
  private readonly slotOf = new Map<number, number>();
  private clock = 0;

  constructor(readonly slots: number) {
    this.held = new Float64Array(slots).fill(-1);
    this.lastUse = new Float64Array(slots);
  }

  /** Start a step: everything touched from now on counts as used together. */
  tick(): void {
    this.clock++;
  }

  /** The slot holding `item`, marked as used now; undefined on a miss. */
  hit(item: number): number | undefined {
    const s = this.slotOf.get(item);
    if (s !== undefined) this.lastUse[s] = this.clock;
    return s;
  }

  /** Put `item` in a slot (an empty one, else the least recently used not in `keep`) and return it. */
  place(item: number, keep: ReadonlySet<number>): number {
    let slot = -1;
    for (let i = 0; i < this.slots; i++) {
      const held = this.held[i]!;
      if (held < 0) {
        slot = i;
        break;
      }
      if (keep.has(held)) continue;
      if (slot < 0 || this.lastUse[i]! < this.lastUse[slot]!) slot = i;
    }
    if (slot < 0) throw new Error('every slot holds an item the step needs');
    const old = this.held[slot]!;
    if (old >= 0) this.slotOf.delete(old);
    this.held[slot] = item;
    this.slotOf.set(item, slot);
    this.lastUse[slot] = this.clock;
    return slot;
  }

  slotOfItem(item: number): number | undefined {
    return this.slotOf.get(item);
  }
}
