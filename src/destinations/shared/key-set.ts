/**
 * The primary keys a run has written so far, as 53-bit hashes in an open-addressing table
 * (9 bytes a slot, at most half full: ~19 MB for 1M contacts; the strings themselves would be
 * ~60 MB). Used by the loader's first-load fast path, which appends rows straight into a
 * table this run created and must notice the first key it sees twice (the search can return
 * a contact on two pages when it is updated mid-pagination). A hash collision only reports a
 * duplicate that is not one: the caller then falls back to the (always correct) merge path.
 *
 * The sets of one run share a {@link KeyTable}: a child table's set holds its parents, which are
 * its parent table's keys (contact_tags and contact_companies hold the contact ids the contacts
 * set holds), so the same hashes are stored once, with a bit a set (1M contacts: one 19 MB table
 * instead of three of 16.8 MB).
 */
import { Utf8, type Data, type RecordBatch } from 'apache-arrow';

const EMPTY = 0;
const TWO_32 = 4294967296;
/** Sets one table can hold: the bits of a slot's membership byte. */
const MAX_SETS = 8;

/** Hashes with, for each, which of up to 8 key sets hold it (open addressing, kept at most half full). */
export class KeyTable {
  private slots = new Float64Array(1 << 16);
  private members = new Uint8Array(1 << 16);
  private mask = (1 << 16) - 1;
  private used = 0;
  private sets = 0;

  /** A new empty set over this table (a table of its own once 8 share this one). */
  newSet(): KeySet {
    return this.sets < MAX_SETS ? new KeySet(this, 1 << this.sets++) : new KeySet();
  }

  /** Bytes the table holds (its two arrays). */
  get byteLength(): number {
    return this.slots.byteLength + this.members.byteLength;
  }

  /** Whether the set `bit` holds `hash`. */
  has(hash: number, bit: number): boolean {
    const i = this.slotOf(hash === EMPTY ? 1 : hash);
    return this.slots[i] !== EMPTY && (this.members[i]! & bit) !== 0;
  }

  /** Adds `hash` to the set `bit`; false when that set held it already. */
  add(hash: number, bit: number): boolean {
    const h = hash === EMPTY ? 1 : hash;
    if ((this.used + 1) * 2 > this.slots.length) this.grow();
    const i = this.slotOf(h);
    if (this.slots[i] === EMPTY) {
      this.slots[i] = h;
      this.members[i] = bit;
      this.used++;
      return true;
    }
    if ((this.members[i]! & bit) !== 0) return false;
    this.members[i]! |= bit;
    return true;
  }

  /** The slot holding `h`, or the empty slot where it would go. */
  private slotOf(h: number): number {
    const slots = this.slots;
    const mask = this.mask;
    // the low bits are well mixed (see finish): use them as the home slot
    let i = (h % TWO_32) & mask;
    while (slots[i] !== EMPTY && slots[i] !== h) i = (i + 1) & mask;
    return i;
  }

  private grow(): void {
    const { slots, members } = this;
    this.slots = new Float64Array(slots.length * 2);
    this.members = new Uint8Array(slots.length * 2);
    this.mask = this.slots.length - 1;
    for (let j = 0; j < slots.length; j++) {
      if (slots[j] === EMPTY) continue;
      const i = this.slotOf(slots[j]!);
      this.slots[i] = slots[j]!;
      this.members[i] = members[j]!;
    }
  }
}

/** A set of key hashes: one bit of a {@link KeyTable} (its own table unless given one). */
export class KeySet {
  private count = 0;

  constructor(
    private readonly table = new KeyTable(),
    private readonly bit = 1,
  ) {}

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
    for (let i = 0; i < hashes.length; i++) {
      if (!this.table.add(hashes[i]!, this.bit)) return false;
      this.count++;
    }
    return true;
  }

  /** Whether every hash is present. */
  hasAll(hashes: Float64Array): boolean {
    for (let i = 0; i < hashes.length; i++) if (!this.table.has(hashes[i]!, this.bit)) return false;
    return true;
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
