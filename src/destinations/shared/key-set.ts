/**
 * The primary keys a run has written so far, as 53-bit hashes in an open-addressing table
 * (8 bytes a key before growth, ~16 MB for 1M contacts; the strings themselves would be
 * ~60 MB). Used by the loader's first-load fast path, which appends rows straight into a
 * table this run created and must notice the first key it sees twice (the search can return
 * a contact on two pages when it is updated mid-pagination). A hash collision only reports a
 * duplicate that is not one: the caller then falls back to the (always correct) merge path.
 */
import { Utf8, type Data, type RecordBatch } from 'apache-arrow';

const EMPTY = 0;
const TWO_32 = 4294967296;

export class KeySet {
  private slots = new Float64Array(1 << 16);
  private mask = (1 << 16) - 1;
  private count = 0;

  get size(): number {
    return this.count;
  }

  /**
   * Adds the keys of every row of `batch` (key = the batch fields `fields`, in order). Returns
   * false as soon as a key is already present (from an earlier batch or this one) or a key
   * value is NULL; the set is then partly updated and should be dropped.
   */
  addBatch(batch: RecordBatch, fields: readonly number[]): boolean {
    const hashes = hashBatch(batch, fields);
    return hashes !== undefined && this.addAll(hashes);
  }

  /** Adds hashes (see hashBatch, hashTuples); false as soon as one is already present. */
  addAll(hashes: Float64Array): boolean {
    for (let i = 0; i < hashes.length; i++) if (!this.add(hashes[i]!)) return false;
    return true;
  }

  /** Whether every hash is present. */
  hasAll(hashes: Float64Array): boolean {
    for (let i = 0; i < hashes.length; i++) if (!this.has(hashes[i]!)) return false;
    return true;
  }

  private has(hash: number): boolean {
    const h = hash === EMPTY ? 1 : hash;
    const slots = this.slots;
    const mask = this.mask;
    for (let i = (h % TWO_32) & mask; ; i = (i + 1) & mask) {
      const s = slots[i]!;
      if (s === EMPTY) return false;
      if (s === h) return true;
    }
  }

  /** Adds one hash; false when it was already present. */
  private add(hash: number): boolean {
    const h = hash === EMPTY ? 1 : hash;
    if ((this.count + 1) * 2 > this.slots.length) this.grow();
    const slots = this.slots;
    const mask = this.mask;
    // the low bits are well mixed (see finish): use them as the home slot
    for (let i = (h % TWO_32) & mask; ; i = (i + 1) & mask) {
      const s = slots[i]!;
      if (s === EMPTY) {
        slots[i] = h;
        this.count++;
        return true;
      }
      if (s === h) return false;
    }
  }

  private grow(): void {
    const old = this.slots;
    this.slots = new Float64Array(old.length * 2);
    this.mask = this.slots.length - 1;
    this.count = 0;
    for (const h of old) if (h !== EMPTY) this.add(h);
  }
}

/** Per-row key hashes of `batch` (key = the fields `fields`); undefined when a key is NULL or not text. */
export function hashBatch(batch: RecordBatch, fields: readonly number[]): Float64Array | undefined {
  const hashes = new Float64Array(batch.numRows);
  for (const f of fields) {
    const data = batch.data.children[f];
    if (!data || !mixColumn(hashes, data)) return undefined;
  }
  return hashes;
}

/** Hashes of key tuples given as JS values, equal to hashBatch's for the same strings; undefined unless all are strings. */
export function hashTuples(tuples: readonly (readonly unknown[])[]): Float64Array | undefined {
  const hashes = new Float64Array(tuples.length);
  const encoder = new TextEncoder();
  for (let i = 0; i < tuples.length; i++) {
    let h = 0;
    for (const v of tuples[i]!) {
      if (typeof v !== 'string') return undefined;
      h = mixBytes(h, encoder.encode(v), 0, Infinity);
    }
    hashes[i] = h;
  }
  return hashes;
}

/**
 * Folds one key column into the running per-row hashes (two 32-bit FNV-1a lanes with
 * different seeds, combined to 53 bits). False when a value is NULL or the column is not text.
 */
function mixColumn(hashes: Float64Array, data: Data): boolean {
  const n = hashes.length;
  if (data.nullCount > 0) return false;
  if (data.type instanceof Utf8) {
    const offsets = data.valueOffsets as Int32Array;
    const bytes = data.values as Uint8Array;
    for (let i = 0; i < n; i++) hashes[i] = mixBytes(hashes[i]!, bytes, offsets[data.offset + i]!, offsets[data.offset + i + 1]!);
    return true;
  }
  // keys of other types (none among Intercom's tables) take the merge path
  return false;
}

/** The running hash `prev` extended by bytes[from, to) and a column boundary. */
function mixBytes(prev: number, bytes: Uint8Array, from: number, to: number): number {
  let a = (0x811c9dc5 ^ (prev % TWO_32)) >>> 0;
  let b = (0x01000193 ^ Math.floor(prev / TWO_32)) >>> 0;
  const end = Math.min(to, bytes.length);
  for (let j = from; j < end; j++) {
    const c = bytes[j]!;
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
  }
  // the column boundary, so ('ab','c') and ('a','bc') differ
  a = Math.imul(a ^ 0xff, 0x01000193);
  return finish(a, b);
}

/** 53 bits from two 32-bit lanes, avalanched (murmur3 fmix) so the low bits pick good slots. */
function finish(a: number, b: number): number {
  a ^= a >>> 16;
  a = Math.imul(a, 0x85ebca6b);
  a ^= a >>> 13;
  a = Math.imul(a, 0xc2b2ae35);
  a ^= a >>> 16;
  b ^= b >>> 15;
  b = Math.imul(b, 0x2c1b3c6d);
  b ^= b >>> 12;
  return (b >>> 11) * TWO_32 + (a >>> 0);
}
