/**
 * A table of generated records with a mutation overlay. Records 0..baseCount-1 are produced
 * on demand by a pure generator; only created, updated or deleted records live in memory
 * (in `overlay`). Index order is creation order and never changes, which gives every list a
 * stable keyset order under concurrent updates.
 */
export interface Model {
  index: number;
}

export class Table<M extends Model> {
  private overlay = new Map<number, M | null>();
  private created = 0;
  private deleted = 0;
  private sortedOverlay: number[] | null = null;
  /** Bumped on every mutation; caches key on it. */
  version = 0;

  constructor(
    readonly baseCount: number,
    private readonly gen: (i: number) => M,
  ) {}

  /** One past the highest index ever allocated. */
  get size(): number {
    return this.baseCount + this.created;
  }

  /** Number of live (not deleted) records. */
  get liveCount(): number {
    return this.size - this.deleted;
  }

  isOverlaid(i: number): boolean {
    return this.overlay.has(i);
  }

  /** The live record at index i, or undefined when deleted / never allocated. */
  get(i: number): M | undefined {
    if (!Number.isInteger(i) || i < 0 || i >= this.size) return undefined;
    const o = this.overlay.get(i);
    if (o === null) return undefined;
    return o ?? this.gen(i);
  }

  /** Allocates the next index for a created record. */
  allocate(): number {
    return this.baseCount + this.created++;
  }

  put(m: M): void {
    if (this.overlay.get(m.index) === null) throw new Error('record is deleted');
    if (!this.overlay.has(m.index)) this.sortedOverlay = null;
    this.overlay.set(m.index, m);
    this.version++;
  }

  remove(i: number): void {
    if (this.get(i) === undefined) return;
    if (!this.overlay.has(i)) this.sortedOverlay = null;
    this.overlay.set(i, null);
    this.deleted++;
    this.version++;
  }

  /** Indexes present in the overlay (including deleted ones), ascending. */
  overlayIndexes(): number[] {
    if (!this.sortedOverlay) this.sortedOverlay = [...this.overlay.keys()].sort((a, b) => a - b);
    return this.sortedOverlay;
  }

  /** Live indexes >= from, ascending. */
  *indexesFrom(from = 0): Generator<number> {
    for (let i = Math.max(0, from); i < this.size; i++) {
      if (this.overlay.get(i) === null) continue;
      yield i;
    }
  }

  /**
   * Candidate indexes for a search: base indexes in [lo, hi) not in the overlay, merged with
   * every overlay index (mutated records may have moved into any range), ascending.
   */
  *candidates(lo: number, hi: number): Generator<number> {
    const ov = this.overlayIndexes();
    let k = 0;
    lo = Math.max(0, lo);
    hi = Math.min(this.baseCount, hi);
    for (let i = lo; i < hi; i++) {
      while (k < ov.length && (ov[k] as number) < i) {
        const j = ov[k++] as number;
        if (this.overlay.get(j) !== null) yield j;
      }
      if (k < ov.length && ov[k] === i) continue;
      yield i;
    }
    while (k < ov.length) {
      const j = ov[k++] as number;
      if (this.overlay.get(j) !== null) yield j;
    }
  }
}
