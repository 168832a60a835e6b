/**
 * Concatenation of the per-page column pieces BatchBuilder fills as pages arrive (see
 * builder.ts: converting each page at once lets its parsed records die young). One Data per
 * column at flush: fixed-width values are copied, Utf8 offsets rebased, bitmaps bit-shifted.
 */
import { makeData, type Bool, type Data, type Float64, type Utf8 } from 'apache-arrow';
import type { ColumnType } from '../core/schema.js';
import { arrowType } from './types.js';

/** A column's pieces in row order; `nullRows` rows of NULL come before the first piece (a column evolved later). */
export interface ColumnPieces {
  type: ColumnType;
  nullRows: number;
  pieces: Data[];
}

/** Copies `n` bits of `src` (from bit `from`) into `dst` at bit `at`; `dst` bits there are zero. */
function copyBits(dst: Uint8Array, at: number, src: Uint8Array, from: number, n: number): void {
  if ((at & 7) === 0 && (from & 7) === 0) {
    const whole = n >> 3;
    dst.set(src.subarray(from >> 3, (from >> 3) + whole), at >> 3);
    for (let k = whole << 3; k < n; k++) if ((src[(from + k) >> 3]! >> ((from + k) & 7)) & 1) dst[(at + k) >> 3]! |= 1 << ((at + k) & 7);
    return;
  }
  for (let k = 0; k < n; k++) if ((src[(from + k) >> 3]! >> ((from + k) & 7)) & 1) dst[(at + k) >> 3]! |= 1 << ((at + k) & 7);
}

function setBits(dst: Uint8Array, at: number, n: number): void {
  let k = 0;
  for (; k < n && ((at + k) & 7) !== 0; k++) dst[(at + k) >> 3]! |= 1 << ((at + k) & 7);
  const fullStart = (at + k) >> 3;
  const full = (n - k) >> 3;
  dst.fill(0xff, fullStart, fullStart + full);
  for (k += full << 3; k < n; k++) dst[(at + k) >> 3]! |= 1 << ((at + k) & 7);
}

/** The validity bitmap of the whole column, or undefined when nothing is null. */
function validity(c: ColumnPieces, n: number): { bitmap: Uint8Array | undefined; nulls: number } {
  let nulls = c.nullRows;
  for (const p of c.pieces) nulls += p.nullCount;
  if (nulls === 0) return { bitmap: undefined, nulls };
  const bits = new Uint8Array((n + 7) >> 3);
  let at = c.nullRows;
  for (const p of c.pieces) {
    if (p.nullCount === 0 || !p.nullBitmap || p.nullBitmap.length === 0) setBits(bits, at, p.length);
    else copyBits(bits, at, p.nullBitmap, p.offset, p.length);
    at += p.length;
  }
  return { bitmap: bits, nulls };
}

/** One Data of `n` rows from the pieces (a single piece that covers every row is returned as is). */
export function concatPieces(c: ColumnPieces, n: number): Data {
  if (c.nullRows === 0 && c.pieces.length === 1) return c.pieces[0]!;
  const type = arrowType(c.type);
  const { bitmap, nulls } = validity(c, n);
  switch (c.type) {
    case 'string':
    case 'json': {
      const offsets = new Int32Array(n + 1);
      let bytes = 0;
      for (const p of c.pieces) bytes += (p.valueOffsets as Int32Array)[p.offset + p.length]! - (p.valueOffsets as Int32Array)[p.offset]!;
      const data = new Uint8Array(bytes);
      let row = c.nullRows;
      let pos = 0;
      for (const p of c.pieces) {
        const po = p.valueOffsets as Int32Array;
        const base = po[p.offset]!;
        const end = po[p.offset + p.length]!;
        data.set((p.values as Uint8Array).subarray(base, end), pos);
        const shift = pos - base;
        for (let i = 1; i <= p.length; i++) offsets[row + i] = po[p.offset + i]! + shift;
        row += p.length;
        pos += end - base;
      }
      return makeData({ type: type as Utf8, length: n, nullCount: nulls, nullBitmap: bitmap, valueOffsets: offsets, data });
    }
    case 'bool': {
      const values = new Uint8Array((n + 7) >> 3);
      let at = c.nullRows;
      for (const p of c.pieces) {
        copyBits(values, at, p.values as Uint8Array, p.offset, p.length);
        at += p.length;
      }
      return makeData({ type: type as Bool, length: n, nullCount: nulls, nullBitmap: bitmap, data: values });
    }
    default: {
      // int64, timestamp (BigInt64Array) and float64 (Float64Array): 8 bytes a value
      // copied as bytes: the same code serves both array types
      const values = c.type === 'float64' ? new Float64Array(n) : new BigInt64Array(n);
      const out = new Uint8Array(values.buffer);
      let at = c.nullRows * 8;
      for (const p of c.pieces) {
        const v = p.values as Float64Array | BigInt64Array;
        out.set(new Uint8Array(v.buffer, v.byteOffset + p.offset * 8, p.length * 8), at);
        at += p.length * 8;
      }
      return makeData({ type: type as Float64, length: n, nullCount: nulls, nullBitmap: bitmap, data: values as Float64Array });
    }
  }
}
