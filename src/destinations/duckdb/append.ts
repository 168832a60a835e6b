/**
 * Arrow record batch -> DuckDB staging table, through the Appender with data chunks whose
 * vectors we fill from the Arrow buffers directly (measured fastest; see bench/duckdb-load.ts):
 * - int64 / float64 / timestamp(µs, UTC): Arrow and DuckDB share the layout, one memcpy per chunk;
 * - validity: Arrow's LSB-first bitmap is DuckDB's validity mask, copied bytewise;
 * - strings: ≤12-byte strings are written inline into DuckDB's 16-byte string_t, longer ones
 *   with one `vector_assign_string_element_len` call each.
 * The node-api value classes (setItem per value, BigInt per value) were ~5x slower.
 */
import duckdb from '@duckdb/node-bindings';
import { BIGINT, BOOLEAN, DOUBLE, DuckDBDataChunk, DuckDBVarCharType, TIMESTAMPTZ, VARCHAR, type DuckDBAppender, type DuckDBType } from '@duckdb/node-api';
import { makeVector, type Data, type Field, type RecordBatch } from 'apache-arrow';
import { fillColumn } from '../../arrow/fill.js';
import { columnTypeOf } from '../../arrow/types.js';
import type { ColumnType } from '../../core/schema.js';
import type { PhysicalColumn } from '../shared/statements.js';

const CHUNK = duckdb.vector_size();
/** JSON text arrives as JSON.stringify output, valid by construction: a JSON-typed chunk skips re-validation. */
const JSON_TYPE = DuckDBVarCharType.create('JSON');
const INLINE = 12;

function duckType(t: ColumnType): DuckDBType {
  switch (t) {
    case 'string':
      return VARCHAR;
    case 'json':
      return JSON_TYPE;
    case 'int64':
      return BIGINT;
    case 'float64':
      return DOUBLE;
    case 'bool':
      return BOOLEAN;
    case 'timestamp':
      return TIMESTAMPTZ;
  }
}

/**
 * Append `batch` to the appender's table: with `seqStart`, a leading staged-order BIGINT
 * (seqStart, seqStart + 1, …) then `columns`; without, exactly `columns` (a direct append).
 */
export function appendBatch(
  appender: DuckDBAppender,
  columns: readonly PhysicalColumn[],
  batch: RecordBatch,
  fields: readonly number[],
  seqStart?: number,
): void {
  const n = batch.numRows;
  const sources = columns.map((c, i) => source(batch, fields[i]!, c.type));
  const lead = seqStart === undefined ? 0 : 1;
  const chunk = DuckDBDataChunk.create([...(lead ? [BIGINT] : []), ...columns.map((c) => duckType(c.type))]);
  const raw = chunk.chunk;
  const seqWords = new Int32Array(CHUNK * 2);
  for (let start = 0; start < n; start += CHUNK) {
    const m = Math.min(CHUNK, n - start);
    duckdb.data_chunk_reset(raw);
    duckdb.data_chunk_set_size(raw, m);
    for (let i = 0; i < columns.length; i++) {
      const vec = duckdb.data_chunk_get_vector(raw, i + lead);
      const data = sources[i];
      writeValidity(vec, data, start, m);
      if (data === undefined) continue;
      switch (columns[i]!.type) {
        case 'string':
        case 'json':
          writeStrings(vec, data, start, m);
          break;
        case 'bool':
          writeBools(vec, data, start, m);
          break;
        default:
          writeFixed(vec, data, start, m);
      }
    }
    if (seqStart !== undefined) writeSeq(raw, seqStart + start, m, seqWords);
    appender.appendDataChunk(chunk);
  }
}

/** Staged order: `first` + row index, as int64 words (no BigInt per row). */
function writeSeq(raw: duckdb.DataChunk, first: number, m: number, seqWords: Int32Array): void {
  for (let k = 0; k < m; k++) {
    const v = first + k;
    const hi = Math.floor(v / 4294967296);
    seqWords[2 * k] = (v - hi * 4294967296) | 0;
    seqWords[2 * k + 1] = hi;
  }
  const seqVec = duckdb.data_chunk_get_vector(raw, 0);
  writeValidity(seqVec, undefined, 0, m, true);
  duckdb.copy_data_to_vector(seqVec, 0, seqWords.buffer as ArrayBuffer, 0, m * 8);
}

/** The Arrow data feeding a staging column, converted when the batch's type differs (slow, rare). */
function source(batch: RecordBatch, fieldIndex: number, type: ColumnType): Data | undefined {
  if (fieldIndex < 0) return undefined;
  const field = batch.schema.fields[fieldIndex]!;
  const data = batch.data.children[fieldIndex]!;
  const from = columnTypeOf(field);
  // JSON text is valid text for a string column; everything else must match exactly
  if (from === type || (type === 'string' && from === 'json')) return data;
  const rows = readValues(data, field).map((v) => ({ v }));
  return fillColumn(type, rows, 'v', { count: 0 });
}

/** JS values of an Arrow column as the source rows had them (timestamps as unix seconds, JSON parsed). */
function readValues(data: Data, field: Field): unknown[] {
  const t = columnTypeOf(field);
  const vec = makeVector(data);
  const out: unknown[] = new Array(data.length);
  for (let i = 0; i < data.length; i++) {
    if (!data.getValid(i)) {
      out[i] = null;
      continue;
    }
    if (t === 'timestamp') out[i] = Number((data.values as BigInt64Array)[data.offset + i]!) / 1e6;
    else if (t === 'json') out[i] = JSON.parse(vec.get(i) as string);
    else out[i] = vec.get(i);
  }
  return out;
}

/*
 * vector_get_data / vector_get_validity return copies, so every write goes through
 * copy_data_to_vector(_validity) from a JS buffer: the Arrow buffer itself when the layouts
 * match, else a scratch buffer reused across chunks.
 */
const scratch = new Uint8Array(CHUNK * 16);
const ONES = new Uint8Array(CHUNK / 8).fill(0xff);
const ZEROS = new Uint8Array(CHUNK / 8);

function writeValidity(vec: duckdb.Vector, data: Data | undefined, start: number, m: number, allValid = false): void {
  const bytes = (m + 7) >> 3;
  duckdb.vector_ensure_validity_writable(vec);
  if (allValid || (data !== undefined && (data.nullCount === 0 || !data.nullBitmap || data.nullBitmap.length === 0))) {
    duckdb.copy_data_to_vector_validity(vec, 0, ONES.buffer, 0, bytes);
    return;
  }
  if (data === undefined) {
    duckdb.copy_data_to_vector_validity(vec, 0, ZEROS.buffer, 0, bytes);
    return;
  }
  const bits = data.nullBitmap!;
  const bit0 = data.offset + start;
  if ((bit0 & 7) === 0) {
    duckdb.copy_data_to_vector_validity(vec, 0, bits.buffer as ArrayBuffer, bits.byteOffset + (bit0 >> 3), bytes);
    return;
  }
  const mask = scratch;
  mask.fill(0, 0, bytes);
  for (let k = 0; k < m; k++) {
    const b = bit0 + k;
    if ((bits[b >> 3]! >> (b & 7)) & 1) mask[k >> 3]! |= 1 << (k & 7);
  }
  duckdb.copy_data_to_vector_validity(vec, 0, mask.buffer, 0, bytes);
}

function writeFixed(vec: duckdb.Vector, data: Data, start: number, m: number): void {
  const values = data.values as BigInt64Array | Float64Array;
  duckdb.copy_data_to_vector(vec, 0, values.buffer as ArrayBuffer, values.byteOffset + (data.offset + start) * 8, m * 8);
}

function writeBools(vec: duckdb.Vector, data: Data, start: number, m: number): void {
  const bits = data.values as Uint8Array;
  const out = scratch;
  const bit0 = data.offset + start;
  for (let k = 0; k < m; k++) {
    const b = bit0 + k;
    out[k] = (bits[b >> 3]! >> (b & 7)) & 1;
  }
  duckdb.copy_data_to_vector(vec, 0, out.buffer, 0, m);
}

function writeStrings(vec: duckdb.Vector, data: Data, start: number, m: number): void {
  const offsets = data.valueOffsets as Int32Array;
  const bytes = data.values as Uint8Array;
  const slots = scratch;
  slots.fill(0, 0, m * 16);
  const row0 = data.offset + start;
  const long: number[] = [];
  for (let k = 0; k < m; k++) {
    const a = offsets[row0 + k]!;
    const len = offsets[row0 + k + 1]! - a;
    if (len > INLINE) {
      long.push(k);
      continue;
    }
    // string_t inline layout: uint32 length (little-endian), then up to 12 bytes, zero
    // padded (DuckDB compares inline strings on all 16 bytes)
    const at = k * 16;
    slots[at] = len;
    for (let j = 0; j < len; j++) slots[at + 4 + j] = bytes[a + j]!;
  }
  duckdb.copy_data_to_vector(vec, 0, slots.buffer, 0, m * 16);
  for (const k of long) {
    const a = offsets[row0 + k]!;
    duckdb.vector_assign_string_element_len(vec, k, bytes.subarray(a, offsets[row0 + k + 1]!));
  }
}
