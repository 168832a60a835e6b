/**
 * Hand-filled Arrow columns. The stock `makeBuilder` builders cost ~4x more (per-value
 * dispatch, chunked buffers); here each column is one pass over the rows writing a typed
 * array and a validity bitmap, then `makeData`.
 *
 * A value that does not fit its column never fails the load: it is converted when the
 * conversion is lossless (see coerce.ts) and NULL otherwise, counted in `Coercions`.
 */
import { Bool, Data, Float64, Int64, makeData, TimeUnit, Timestamp, Utf8 } from 'apache-arrow';
import type { ColumnType, Row } from '../intercom/tables/spec.js';
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

function fillUtf8(
  rows: readonly Row[],
  key: string,
  c: Coercions,
  text: (v: unknown) => string | undefined,
  stringsAsIs: boolean,
): Data {
  const n = rows.length;
  const offsets = new Int32Array(n + 1);
  const valid = new Validity(n);
  let buf = Buffer.allocUnsafe(Math.max(1024, n * 16));
  let used = 0;
  for (let i = 0; i < n; i++) {
    const raw = rows[i]![key];
    if (raw !== null && raw !== undefined) {
      const s = stringsAsIs && typeof raw === 'string' ? raw : text(raw);
      if (s === undefined) {
        valid.clear(i);
        c.count++;
      } else if (s.length > 0) {
        // a UTF-16 code unit encodes to at most 3 UTF-8 bytes
        const need = used + s.length * 3;
        if (need > buf.length) {
          const bigger = Buffer.allocUnsafe(Math.max(need, buf.length * 2));
          buf.copy(bigger, 0, 0, used);
          buf = bigger;
        }
        used += buf.write(s, used);
      }
    } else valid.clear(i);
    offsets[i + 1] = used;
  }
  // copy out so the batch does not pin the oversized scratch buffer
  const data = new Uint8Array(used);
  data.set(buf.subarray(0, used));
  return makeData({ type: new Utf8(), length: n, nullCount: valid.nulls, nullBitmap: valid.bitmap, valueOffsets: offsets, data });
}
