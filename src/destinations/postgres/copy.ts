/**
 * Arrow record batch -> Postgres `COPY … FROM STDIN (FORMAT binary)` data, written straight
 * from the Arrow buffers (measured: see bench/postgres-load.ts and docs/benchmarks.md):
 * - bigint / double: the Arrow value, byte-swapped to network order;
 * - timestamptz: the Arrow int64 microseconds minus the 2000-01-01 epoch offset — no date
 *   formatting at all, which is what dominated a text-format COPY;
 * - text: the Arrow UTF-8 bytes as they are (binary format has no escaping);
 * - jsonb: a version byte (1) and the JSON text.
 *
 * Postgres text and jsonb cannot hold U+0000 (a NUL byte is an invalid UTF-8 sequence to the
 * server, and jsonb rejects the `\u0000` escape), nor can jsonb hold an escaped lone surrogate
 * (`\ud800`). Those are replaced by U+FFFD, the Unicode replacement character, so the row
 * loads and the replacement stays visible; one native scan per column and batch finds them,
 * so clean data pays nothing.
 */
import { makeVector, type Data, type Field, type RecordBatch } from 'apache-arrow';
import { fillColumn } from '../../arrow/fill.js';
import { columnTypeOf } from '../../arrow/types.js';
import { ExactNumber, parseJson, stringifyJson } from '../../core/exact-json.js';
import type { ColumnType } from '../../core/schema.js';
import type { PhysicalColumn } from '../shared/statements.js';

/** `PGCOPY\n\377\r\n\0`, flags (int32 0), header extension length (int32 0). */
export const COPY_HEADER = Buffer.concat([Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'), Buffer.alloc(8)]);
/** The file trailer: a field count of -1. */
export const COPY_TRAILER = Buffer.from([0xff, 0xff]);

const TWO_32 = 4294967296;
/** Microseconds from 1970-01-01 to 2000-01-01 (Postgres's timestamp epoch), as two 32-bit halves. */
const PG_EPOCH_US = 946_684_800_000_000;
const EPOCH_HI = Math.floor(PG_EPOCH_US / TWO_32);
const EPOCH_LO = PG_EPOCH_US - EPOCH_HI * TWO_32;
const CHUNK = 1 << 20;
const REPLACEMENT = '\ufffd';

const NULL = 0;
const INT64 = 1;
const TIMESTAMP = 2;
const FLOAT64 = 3;
const BOOL = 4;
const TEXT = 5;
const JSON_ = 6;
const EMPTY_WORDS = new Int32Array(0);
const EMPTY_FLOATS = new Float64Array(0);
const EMPTY_BYTES = Buffer.alloc(0);

/** One column ready to encode. Every field is always set: one object shape keeps the hot loop's reads monomorphic. */
class Source {
  kind = NULL;
  /** Arrow slot of row 0 (the Data's offset). */
  offset = 0;
  /** Validity bitmap, or null when nothing is null. */
  nulls: Uint8Array | null = null;
  words: Int32Array = EMPTY_WORDS;
  floats: Float64Array = EMPTY_FLOATS;
  bytes: Buffer = EMPTY_BYTES;
  offsets: Int32Array = EMPTY_WORDS;
}

/** A batch's columns prepared for encoding (see `prepareBatch`). */
export interface PreparedBatch {
  readonly sources: readonly Source[];
  readonly numRows: number;
}

/** Read the Arrow buffers of the columns once (and clean the rare text Postgres refuses). */
export function prepareBatch(columns: readonly PhysicalColumn[], batch: RecordBatch, fields: readonly number[]): PreparedBatch {
  return { sources: columns.map((c, i) => prepare(batch, fields[i]!, c.type)), numRows: batch.numRows };
}

/**
 * Encode rows `start..end` of a prepared batch as binary COPY rows of (`seq`, ...columns);
 * row r's `seq` is `seqStart + r`. Chunks of ~1 MB go to `emit`. The caller frames the whole
 * COPY with COPY_HEADER and COPY_TRAILER.
 */
export function encodeRows(p: PreparedBatch, seqStart: number, start: number, end: number, emit: (chunk: Buffer) => void): void {
  const sources = p.sources;
  const ncols = sources.length + 1;
  let buf = Buffer.allocUnsafe(CHUNK);
  let dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let pos = 0;
  for (let r = start; r < end; r++) {
    // the row's exact size first, so the writes below need no bounds checks
    let need = 14;
    for (let c = 0; c < sources.length; c++) {
      const s = sources[c]!;
      const i = s.offset + r;
      const kind = s.kind;
      if (kind === NULL || (s.nulls !== null && ((s.nulls[i >> 3]! >> (i & 7)) & 1) === 0)) need += 4;
      else if (kind >= TEXT) need += 4 + (kind === JSON_ ? 1 : 0) + s.offsets[i + 1]! - s.offsets[i]!;
      else need += kind === BOOL ? 5 : 12;
    }
    if (pos + need > buf.length) {
      // hand the full chunk over (never reused: the stream keeps it until sent); buf, dv and
      // pos stay plain locals (a closure updating them made every access a context load)
      if (pos > 0) emit(buf.subarray(0, pos));
      buf = Buffer.allocUnsafe(Math.max(CHUNK, need));
      dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
      pos = 0;
    }
    dv.setInt16(pos, ncols);
    // the staged order, as a bigint
    const seq = seqStart + r;
    const seqHi = Math.floor(seq / TWO_32);
    dv.setInt32(pos + 2, 8);
    dv.setInt32(pos + 6, seqHi);
    dv.setUint32(pos + 10, seq - seqHi * TWO_32);
    pos += 14;
    for (let c = 0; c < sources.length; c++) {
      const s = sources[c]!;
      const i = s.offset + r;
      const kind = s.kind;
      if (kind === NULL || (s.nulls !== null && ((s.nulls[i >> 3]! >> (i & 7)) & 1) === 0)) {
        dv.setInt32(pos, -1);
        pos += 4;
      } else if (kind >= TEXT) {
        const a = s.offsets[i]!;
        const b = s.offsets[i + 1]!;
        const len = b - a;
        if (kind === JSON_) {
          dv.setInt32(pos, len + 1);
          buf[pos + 4] = 1;
          pos += 5;
        } else {
          dv.setInt32(pos, len);
          pos += 4;
        }
        const bytes = s.bytes;
        if (len <= 32) for (let j = a; j < b; j++) buf[pos++] = bytes[j]!;
        else pos += bytes.copy(buf, pos, a, b);
      } else if (kind === INT64) {
        dv.setInt32(pos, 8);
        dv.setInt32(pos + 4, s.words[2 * i + 1]!);
        dv.setInt32(pos + 8, s.words[2 * i]!);
        pos += 12;
      } else if (kind === TIMESTAMP) {
        // 64-bit subtraction on 32-bit halves (no BigInt per value)
        let lo = (s.words[2 * i]! >>> 0) - EPOCH_LO;
        let hi = s.words[2 * i + 1]! - EPOCH_HI;
        if (lo < 0) {
          lo += TWO_32;
          hi -= 1;
        }
        dv.setInt32(pos, 8);
        dv.setInt32(pos + 4, hi);
        dv.setUint32(pos + 8, lo);
        pos += 12;
      } else if (kind === FLOAT64) {
        dv.setInt32(pos, 8);
        dv.setFloat64(pos + 4, s.floats[i]!);
        pos += 12;
      } else {
        dv.setInt32(pos, 1);
        buf[pos + 4] = (s.bytes[i >> 3]! >> (i & 7)) & 1;
        pos += 5;
      }
    }
  }
  if (pos > 0) emit(buf.subarray(0, pos));
}

/** A whole batch as one framed COPY (header, rows, trailer). */
export function encodeBatch(
  columns: readonly PhysicalColumn[],
  batch: RecordBatch,
  fields: readonly number[],
  seqStart: number,
  emit: (chunk: Buffer) => void,
): void {
  emit(COPY_HEADER);
  encodeRows(prepareBatch(columns, batch, fields), seqStart, 0, batch.numRows, emit);
  emit(COPY_TRAILER);
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** A string Postgres accepts: NUL and lone surrogates become U+FFFD. */
export function cleanText(s: string): string {
  return s.replaceAll('\0', REPLACEMENT).replace(LONE_SURROGATE, REPLACEMENT);
}

/** JSON text jsonb accepts: every string (keys too) cleaned; unparsable text is left for the server to reject. */
export function cleanJson(text: string): string {
  let value: unknown;
  try {
    // numbers beyond 2^53 keep their digits (src/core/exact-json.ts)
    value = parseJson(text);
  } catch {
    return text;
  }
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return cleanText(v);
    if (Array.isArray(v)) return v.map(walk);
    if (v instanceof ExactNumber) return v;
    if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [cleanText(k), walk(x)]));
    return v;
  };
  return stringifyJson(walk(value)) ?? text;
}

function prepare(batch: RecordBatch, fieldIndex: number, type: ColumnType): Source {
  const s = new Source();
  if (fieldIndex < 0) return s;
  const field = batch.schema.fields[fieldIndex]!;
  let data = batch.data.children[fieldIndex]!;
  const from = columnTypeOf(field);
  // JSON text is valid text for a string column; any other difference is converted (rare:
  // a field whose type changed between batches of one run)
  if (from !== type && !(type === 'string' && from === 'json')) {
    data = fillColumn(
      type,
      readValues(data, field).map((v) => ({ v })),
      'v',
      { count: 0 },
    );
  }
  s.offset = data.offset;
  s.nulls = data.nullCount > 0 && data.nullBitmap && data.nullBitmap.length > 0 ? data.nullBitmap : null;
  const values = data.values as ArrayBufferView & { length: number };
  switch (type) {
    case 'int64':
    case 'timestamp':
      s.kind = type === 'int64' ? INT64 : TIMESTAMP;
      s.words = new Int32Array(values.buffer, values.byteOffset, values.length * 2);
      break;
    case 'float64':
      s.kind = FLOAT64;
      s.floats = data.values as Float64Array;
      break;
    case 'bool':
      s.kind = BOOL;
      s.bytes = Buffer.from(values.buffer, values.byteOffset, values.byteLength);
      break;
    case 'string':
    case 'json': {
      s.kind = type === 'json' ? JSON_ : TEXT;
      s.offsets = data.valueOffsets as Int32Array;
      s.bytes = Buffer.from(values.buffer, values.byteOffset, values.byteLength);
      const used = s.bytes.subarray(s.offsets[s.offset]!, s.offsets[s.offset + data.length]!);
      const dirty = type === 'json' ? used.includes('\\u0000') || used.includes('\\ud') || used.includes('\\uD') : used.includes(0);
      if (dirty) clean(s, data.length, type === 'json');
      break;
    }
  }
  return s;
}

/** Rebuild a text column that holds something Postgres refuses, value by value (rare). */
function clean(s: Source, length: number, json: boolean): void {
  const parts: Buffer[] = [];
  const offsets = new Int32Array(length + 1);
  let at = 0;
  for (let r = 0; r < length; r++) {
    const a = s.offsets[s.offset + r]!;
    const b = s.offsets[s.offset + r + 1]!;
    const text = s.bytes.toString('utf8', a, b);
    const fixed = Buffer.from(json ? cleanJson(text) : cleanText(text), 'utf8');
    parts.push(fixed);
    at += fixed.length;
    offsets[r + 1] = at;
  }
  // validity is unchanged: it is read at the same slots, so keep the offset by shifting
  const shifted = new Int32Array(s.offset + length + 1);
  shifted.set(offsets, s.offset);
  s.offsets = shifted;
  s.bytes = Buffer.concat(parts);
}

/** JS values of an Arrow column as the source rows had them (timestamps as unix seconds, JSON parsed). */
function readValues(data: Data, field: Field): unknown[] {
  const t = columnTypeOf(field);
  const vec = makeVector(data);
  const out: unknown[] = new Array(data.length);
  for (let i = 0; i < data.length; i++) {
    if (!data.getValid(i)) out[i] = null;
    else if (t === 'timestamp') out[i] = Number((data.values as BigInt64Array)[data.offset + i]!) / 1e6;
    else if (t === 'json') out[i] = JSON.parse(vec.get(i) as string);
    else out[i] = vec.get(i);
  }
  return out;
}
