/**
 * Hand-filled Arrow columns. The stock `makeBuilder` builders cost ~4x more (per-value
 * dispatch, chunked buffers); here each column is one pass over the rows writing a typed
 * array and a validity bitmap, then `makeData`.
 *
 * A value that does not fit its column never fails the load: it is converted when the
 * conversion is lossless (see coerce.ts) and NULL otherwise, counted in `Coercions`.
 */
import { Bool, Data, Float64, Int64, makeData, TimeUnit, Timestamp, Utf8 } from 'apache-arrow';
import type { ColumnType, Row } from '../core/schema.js';
import { toBool, toFloat, toInt64, toJsonText, toMicros, toText } from './coerce.js';

/** Counts values turned to NULL because they did not fit their column. */
export interface Coercions {
  count: number;
}

const TWO_32 = 4294967296;

class Validity {
  readonly bits: Uint8Array;
  nulls = 0;
  constructor(n: number) {
    // all valid, then clear bits of nulls: most values are present
    this.bits = new Uint8Array((n + 7) >> 3).fill(0xff);
  }
  clear(i: number): void {
    this.bits[i >> 3]! &= ~(1 << (i & 7));
    this.nulls++;
  }
  /** Arrow convention: no bitmap when nothing is null. */
  get bitmap(): Uint8Array | undefined {
    return this.nulls === 0 ? undefined : this.bits;
  }
}

/** Build one column of `rows` (value = row[key]) as Arrow Data of `type`. */
export function fillColumn(type: ColumnType, rows: readonly Row[], key: string, c: Coercions): Data {
  switch (type) {
    case 'string':
      return fillUtf8(rows, key, c, toText, true);
    case 'json':
      // a string in a JSON column is a JSON string value, not JSON text: always stringify
      return fillUtf8(rows, key, c, toJsonText, false);
    case 'int64':
      return fillInt64(rows, key, c);
    case 'timestamp':
      return fillTimestamp(rows, key, c);
    case 'float64':
      return fillFloat(rows, key, c);
    case 'bool':
      return fillBool(rows, key, c);
  }
}

/** Writes a safe integer as little-endian int64 into two 32-bit words (no BigInt per value). */
function putInt64(words: Int32Array, i: number, v: number): void {
  const hi = Math.floor(v / TWO_32);
  words[2 * i] = (v - hi * TWO_32) | 0;
  words[2 * i + 1] = hi | 0;
}

function fillInt64(rows: readonly Row[], key: string, c: Coercions): Data {
  const n = rows.length;
  const values = new BigInt64Array(n);
  const words = new Int32Array(values.buffer);
  const valid = new Validity(n);
  for (let i = 0; i < n; i++) {
    const raw = rows[i]![key];
    if (raw === null || raw === undefined) {
      valid.clear(i);
      continue;
    }
    if (typeof raw === 'number' && Number.isSafeInteger(raw)) {
      putInt64(words, i, raw);
      continue;
    }
    const v = toInt64(raw);
    if (v === undefined) {
      valid.clear(i);
      c.count++;
    } else values[i] = v;
  }
  return makeData({ type: new Int64(), length: n, nullCount: valid.nulls, nullBitmap: valid.bitmap, data: values });
}

function fillTimestamp(rows: readonly Row[], key: string, c: Coercions): Data {
  const n = rows.length;
  const values = new BigInt64Array(n);
  const words = new Int32Array(values.buffer);
  const valid = new Validity(n);
  for (let i = 0; i < n; i++) {
    const raw = rows[i]![key];
    if (raw === null || raw === undefined) {
      valid.clear(i);
      continue;
    }
    const us = typeof raw === 'number' && Number.isInteger(raw) && Math.abs(raw) < 9e9 ? raw * 1e6 : toMicros(raw);
    if (us === undefined) {
      valid.clear(i);
      c.count++;
    } else putInt64(words, i, us);
  }
  return makeData({
    type: new Timestamp(TimeUnit.MICROSECOND, 'UTC'),
    length: n,
    nullCount: valid.nulls,
    nullBitmap: valid.bitmap,
    data: values,
  });
}

/** Single timestamp value repeated (the `_elt_loaded_at` column). */
export function constantTimestamp(n: number, at: Date): Data {
  const values = new BigInt64Array(n);
  values.fill(BigInt(at.getTime()) * 1000n);
  return makeData({ type: new Timestamp(TimeUnit.MICROSECOND, 'UTC'), length: n, nullCount: 0, data: values });
}

/** Single string repeated (the `_elt_load_id` column): one encoded copy per row, as Arrow Utf8 requires. */
export function constantUtf8(n: number, text: string): Data {
  const one = Buffer.from(text, 'utf8');
  const data = new Uint8Array(one.length * n);
  const offsets = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) {
    data.set(one, i * one.length);
    offsets[i + 1] = (i + 1) * one.length;
  }
  return makeData({ type: new Utf8(), length: n, nullCount: 0, valueOffsets: offsets, data });
}

function fillFloat(rows: readonly Row[], key: string, c: Coercions): Data {
  const n = rows.length;
  const values = new Float64Array(n);
  const valid = new Validity(n);
  for (let i = 0; i < n; i++) {
    const raw = rows[i]![key];
    if (raw === null || raw === undefined) {
      valid.clear(i);
      continue;
    }
    const v = typeof raw === 'number' ? raw : toFloat(raw);
    if (v === undefined) {
      valid.clear(i);
      c.count++;
    } else values[i] = v;
  }
  return makeData({ type: new Float64(), length: n, nullCount: valid.nulls, nullBitmap: valid.bitmap, data: values });
}

function fillBool(rows: readonly Row[], key: string, c: Coercions): Data {
  const n = rows.length;
  const values = new Uint8Array((n + 7) >> 3);
  const valid = new Validity(n);
  for (let i = 0; i < n; i++) {
    const raw = rows[i]![key];
    if (raw === null || raw === undefined) {
      valid.clear(i);
      continue;
    }
    const v = typeof raw === 'boolean' ? raw : toBool(raw);
    if (v === undefined) {
      valid.clear(i);
      c.count++;
    } else if (v) values[i >> 3]! |= 1 << (i & 7);
  }
  return makeData({ type: new Bool(), length: n, nullCount: valid.nulls, nullBitmap: valid.bitmap, data: values });
}

function fillUtf8(rows: readonly Row[], key: string, c: Coercions, text: (v: unknown) => string | undefined, stringsAsIs: boolean): Data {
  const n = rows.length;
  const offsets = new Int32Array(n + 1);
  const valid = new Validity(n);
  // One join + one encode per column is ~2x faster than encoding each string into a
  // buffer (per-call overhead dominates for short strings). Offsets are counted in UTF-16
  // units first; they equal byte offsets when the column is ASCII, the common case.
  const parts: string[] = [];
  let units = 0;
  for (let i = 0; i < n; i++) {
    const raw = rows[i]![key];
    if (raw !== null && raw !== undefined) {
      const s = stringsAsIs && typeof raw === 'string' ? raw : text(raw);
      if (s === undefined) {
        valid.clear(i);
        c.count++;
      } else if (s.length > 0) {
        parts.push(s);
        units += s.length;
      }
    } else valid.clear(i);
    offsets[i + 1] = units;
  }
  const joined = parts.join('');
  const data = Buffer.from(joined, 'utf8');
  if (data.length !== joined.length) {
    // some non-ASCII text: recount offsets in UTF-8 bytes (offsets are rewritten in place,
    // so remember the previous unit offset before overwriting it)
    let bytes = 0;
    let prevUnits = 0;
    let p = 0;
    for (let i = 0; i < n; i++) {
      const unitsEnd = offsets[i + 1]!;
      if (unitsEnd > prevUnits) bytes += Buffer.byteLength(parts[p++]!, 'utf8');
      prevUnits = unitsEnd;
      offsets[i + 1] = bytes;
    }
  }
  return makeData({ type: new Utf8(), length: n, nullCount: valid.nulls, nullBitmap: valid.bitmap, valueOffsets: offsets, data });
}
