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
import type { ColumnType } from '../../intercom/tables/spec.js';
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

type Kind = 'null' | 'int64' | 'timestamp' | 'float64' | 'bool' | 'text' | 'json';

/** One column ready to encode: its Arrow data and the views the hot loop reads. */
interface Source {
  kind: Kind;
  data?: Data;
  offset: number;
  nulls?: Uint8Array;
  words?: Int32Array;
  floats?: Float64Array;
  bytes?: Uint8Array;
  offsets?: Int32Array;
  /** Text holds something Postgres refuses (NUL, escaped NUL or lone surrogate): per-value path. */
  dirty: boolean;
}

/** Growable output: full chunks are handed to `emit` (the COPY stream). */
class Out {
  buf = Buffer.allocUnsafe(CHUNK);
  dv = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
  pos = 0;
  constructor(private readonly emit: (chunk: Buffer) => void) {}

  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    this.flush();
    if (n > this.buf.length) {
      this.buf = Buffer.allocUnsafe(n);
      this.dv = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
    }
  }

  flush(): void {
    if (this.pos === 0) return;
    this.emit(this.buf.subarray(0, this.pos));
    // the stream keeps the chunk until it is sent: never reuse it
    this.buf = Buffer.allocUnsafe(CHUNK);
    this.dv = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
    this.pos = 0;
  }
}

/**
 * Encode `batch` as binary COPY rows of (`seq`, ...columns): `seq` counts from `seqStart`,
 * `fields[i]` is the batch field of column i (-1: NULL). Chunks of ~1 MB go to `emit`;
 * `header`/`trailer` frame a whole COPY.
 */
export function encodeBatch(
  columns: readonly PhysicalColumn[],
  batch: RecordBatch,
  fields: readonly number[],
  seqStart: number,
  emit: (chunk: Buffer) => void,
  frame: { header: boolean; trailer: boolean } = { header: true, trailer: true },
): void {
  const n = batch.numRows;
  const sources = columns.map((c, i) => prepare(batch, fields[i]!, c.type));
  const ncols = columns.length + 1;
  const out = new Out(emit);
  if (frame.header) {
    out.ensure(COPY_HEADER.length);
    COPY_HEADER.copy(out.buf, out.pos);
    out.pos += COPY_HEADER.length;
  }
  for (let r = 0; r < n; r++) {
    out.ensure(2 + 12);
    out.dv.setInt16(out.pos, ncols);
    // the staged order, as a bigint
    const seq = seqStart + r;
    const hi = Math.floor(seq / TWO_32);
    out.dv.setInt32(out.pos + 2, 8);
    out.dv.setInt32(out.pos + 6, hi);
    out.dv.setUint32(out.pos + 10, seq - hi * TWO_32);
    out.pos += 14;
    for (let c = 0; c < sources.length; c++) writeField(out, sources[c]!, r);
  }
  if (frame.trailer) {
    out.ensure(2);
    COPY_TRAILER.copy(out.buf, out.pos);
    out.pos += 2;
  }
  out.flush();
}

function writeField(out: Out, s: Source, r: number): void {
  const i = s.offset + r;
  if (s.kind === 'null' || (s.nulls !== undefined && ((s.nulls[i >> 3]! >> (i & 7)) & 1) === 0)) {
    out.ensure(4);
    out.dv.setInt32(out.pos, -1);
    out.pos += 4;
    return;
  }
  switch (s.kind) {
    case 'int64': {
      out.ensure(12);
      out.dv.setInt32(out.pos, 8);
      out.dv.setInt32(out.pos + 4, s.words![2 * i + 1]!);
      out.dv.setInt32(out.pos + 8, s.words![2 * i]!);
      out.pos += 12;
      return;
    }
    case 'timestamp': {
      // 64-bit subtraction on 32-bit halves (no BigInt per value)
      let lo = (s.words![2 * i]! >>> 0) - EPOCH_LO;
      let hi = s.words![2 * i + 1]! - EPOCH_HI;
      if (lo < 0) {
        lo += TWO_32;
        hi -= 1;
      }
      out.ensure(12);
      out.dv.setInt32(out.pos, 8);
      out.dv.setInt32(out.pos + 4, hi);
      out.dv.setUint32(out.pos + 8, lo);
      out.pos += 12;
      return;
    }
    case 'float64':
      out.ensure(12);
      out.dv.setInt32(out.pos, 8);
      out.dv.setFloat64(out.pos + 4, s.floats![i]!);
      out.pos += 12;
      return;
    case 'bool':
      out.ensure(5);
      out.dv.setInt32(out.pos, 1);
      out.buf[out.pos + 4] = (s.bytes![i >> 3]! >> (i & 7)) & 1;
      out.pos += 5;
      return;
    case 'text':
    case 'json': {
      const a = s.offsets![i]!;
      const b = s.offsets![i + 1]!;
      if (s.dirty) return writeDirty(out, s, a, b);
      const json = s.kind === 'json' ? 1 : 0;
      const len = b - a;
      out.ensure(4 + json + len);
      out.dv.setInt32(out.pos, len + json);
      let p = out.pos + 4;
      if (json) out.buf[p++] = 1;
      const bytes = s.bytes!;
      const buf = out.buf;
      if (len < 48) for (let j = a; j < b; j++) buf[p++] = bytes[j]!;
      else buf.set(bytes.subarray(a, b), p);
      out.pos += 4 + json + len;
      return;
    }
  }
}

const decoder = new TextDecoder();

/** The slow path for a column that holds something Postgres refuses: clean each value. */
function writeDirty(out: Out, s: Source, a: number, b: number): void {
  const text = decoder.decode(s.bytes!.subarray(a, b));
  const clean = Buffer.from(s.kind === 'json' ? cleanJson(text) : text.replaceAll('\0', REPLACEMENT), 'utf8');
  const json = s.kind === 'json' ? 1 : 0;
  out.ensure(4 + json + clean.length);
  out.dv.setInt32(out.pos, clean.length + json);
  if (json) out.buf[out.pos + 4] = 1;
  clean.copy(out.buf, out.pos + 4 + json);
  out.pos += 4 + json + clean.length;
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
    value = JSON.parse(text);
  } catch {
    return text;
  }
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return cleanText(v);
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [cleanText(k), walk(x)]));
    return v;
  };
  return JSON.stringify(walk(value));
}

function prepare(batch: RecordBatch, fieldIndex: number, type: ColumnType): Source {
  if (fieldIndex < 0) return { kind: 'null', offset: 0, dirty: false };
  const field = batch.schema.fields[fieldIndex]!;
  let data = batch.data.children[fieldIndex]!;
  const from = columnTypeOf(field);
  // JSON text is valid text for a string column; any other difference is converted (rare:
  // a field whose type changed between batches of one run)
  if (from !== type && !(type === 'string' && from === 'json')) {
    data = fillColumn(type, readValues(data, field).map((v) => ({ v })), 'v', { count: 0 });
  }
  const nulls = data.nullCount > 0 && data.nullBitmap && data.nullBitmap.length > 0 ? data.nullBitmap : undefined;
  const base = { data, offset: data.offset, nulls, dirty: false };
  const values = data.values as ArrayBufferView & { length: number };
  switch (type) {
    case 'int64':
    case 'timestamp':
      return { ...base, kind: type, words: new Int32Array(values.buffer, values.byteOffset, values.length * 2) };
    case 'float64':
      return { ...base, kind: 'float64', floats: data.values as Float64Array };
    case 'bool':
      return { ...base, kind: 'bool', bytes: data.values as Uint8Array };
    case 'string':
    case 'json': {
      const offsets = data.valueOffsets as Int32Array;
      const bytes = data.values as Uint8Array;
      const used = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).subarray(offsets[data.offset]!, offsets[data.offset + data.length]!);
      const dirty =
        type === 'json' ? used.includes('\\u0000') || used.includes('\\ud') || used.includes('\\uD') : used.includes(0);
      return { ...base, kind: type === 'json' ? 'json' : 'text', bytes, offsets, dirty };
    }
  }
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
