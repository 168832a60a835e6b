/**
 * A growable byte buffer for writing JSON text without building strings (see json.ts for why).
 * Constant pieces are pre-encoded `Uint8Array`s copied with `set`; numbers are written digit by
 * digit; nothing allocates per field, so a page costs no garbage and no string flattening.
 */
import { stringifyJson } from '../core/exact-json.js';

const enc = new TextEncoder();

/** UTF-8 bytes of a constant piece (encode once, at module load). */
export function lit(s: string): Uint8Array {
  return enc.encode(s);
}

/*
 * Writers at a position of a buffer with room for the bytes (callers reserve first): each
 * returns the position after what it wrote. ByteWriter is built on them; a hot record writer
 * (data/contact-json.ts) calls them directly on `ByteWriter.buf`.
 */

/** Pre-encoded bytes. */
export function putBytes(buf: Buffer, p: number, b: Uint8Array): number {
  const n = b.length;
  if (n > 16) {
    buf.set(b, p);
    return p + n;
  }
  // Short pieces: a plain loop beats TypedArray#set's per-call overhead.
  for (let k = 0; k < n; k++) buf[p + k] = b[k] as number;
  return p + n;
}

/** A string known to be ASCII and to need no JSON escaping (ids, digits, generated words). */
export function putAscii(buf: Buffer, p: number, t: string): number {
  const n = t.length;
  for (let k = 0; k < n; k++) buf[p + k] = t.charCodeAt(k);
  return p + n;
}

/** "00".."99" as bytes. */
const PAIRS = lit(Array.from({ length: 100 }, (_, k) => String(k).padStart(2, '0')).join(''));

/** A non-negative safe integer, as JSON.stringify prints it (two digits per division). */
export function putDigits(buf: Buffer, p: number, x: number): number {
  const n =
    x < 1e8
      ? x < 1e4
        ? x < 100
          ? x < 10
            ? 1
            : 2
          : x < 1000
            ? 3
            : 4
        : x < 1e6
          ? x < 1e5
            ? 5
            : 6
          : x < 1e7
            ? 7
            : 8
      : x < 1e10
        ? x < 1e9
          ? 9
          : 10
        : String(x).length;
  let q = p + n;
  while (x >= 100) {
    const d = Math.floor(x / 100);
    const r = (x - d * 100) * 2;
    buf[--q] = PAIRS[r + 1] as number;
    buf[--q] = PAIRS[r] as number;
    x = d;
  }
  if (x >= 10) {
    buf[--q] = PAIRS[x * 2 + 1] as number;
    buf[--q] = PAIRS[x * 2] as number;
  } else buf[--q] = 48 + x;
  return p + n;
}

export class ByteWriter {
  buf: Buffer;
  pos = 0;

  /** `buf`: a buffer to write into (e.g. a pooled one, json.ts) instead of a new one of `size` bytes. */
  constructor(size = 1 << 16, buf?: Buffer) {
    this.buf = buf ?? Buffer.allocUnsafe(size);
  }

  /** Makes room for n more bytes (a record writer that writes into `buf` directly calls this first). */
  reserve(n: number): void {
    if (this.pos + n > this.buf.length) this.grow(n);
  }

  private grow(n: number): void {
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  /** Pre-encoded bytes. */
  bytes(b: Uint8Array): void {
    this.reserve(b.length);
    this.pos = putBytes(this.buf, this.pos, b);
  }

  /** A string known to be ASCII and to need no JSON escaping (ids, digits, generated words). */
  ascii(s: string): void {
    this.reserve(s.length);
    this.pos = putAscii(this.buf, this.pos, s);
  }

  /** Any string, as UTF-8 (no escaping: callers pass JSON text). */
  utf8(s: string): void {
    const max = s.length * 3;
    if (this.pos + max > this.buf.length) this.grow(max);
    this.pos += this.buf.write(s, this.pos, 'utf8');
  }

  /** One ASCII byte. */
  byte(c: number): void {
    if (this.pos + 1 > this.buf.length) this.grow(1);
    this.buf[this.pos++] = c;
  }

  /** A number as JSON.stringify prints it (integers digit by digit, anything else via String). */
  num(x: number): void {
    if (!Number.isSafeInteger(x)) return this.ascii(Number.isFinite(x) ? String(x) : 'null');
    this.reserve(17);
    if (x < 0) {
      this.buf[this.pos++] = 45; // '-'
      x = -x;
    }
    this.pos = putDigits(this.buf, this.pos, x);
  }

  /** A number or null. */
  numOrNull(x: number | null): void {
    if (x === null) this.bytes(NULL);
    else this.num(x);
  }

  bool(x: boolean): void {
    this.bytes(x ? TRUE : FALSE);
  }

  /** A JSON string literal; fast for plain ASCII, exact (JSON.stringify) otherwise. */
  str(s: string | null): void {
    if (s === null) return this.bytes(NULL);
    if (PLAIN.test(s)) {
      this.byte(34);
      this.ascii(s);
      this.byte(34);
    } else this.utf8(JSON.stringify(s));
  }

  /** Any JSON value the slow, exact way (any depth: src/core/exact-json.ts). */
  json(x: unknown): void {
    this.utf8(stringifyJson(x) ?? 'null');
  }

  /**
   * Plain JSON data (objects, arrays, strings, finite numbers, booleans, null; no toJSON, no
   * cycles) written as JSON.stringify would, with `"key":` bytes cached per key. Faster than
   * JSON.stringify + UTF-8 encoding for records with non-Latin-1 text (the whole string would
   * be two-byte and transcoded again).
   */
  value(x: unknown): void {
    const at = this.pos;
    try {
      this.write(x);
    } catch (err) {
      // deeper than the stack allows (a hostile custom attribute): the iterative writer, from the start of the value
      if (!(err instanceof RangeError)) throw err;
      this.pos = at;
      this.json(x);
    }
  }

  private write(x: unknown): void {
    if (x === null) return this.bytes(NULL);
    switch (typeof x) {
      case 'string':
        return this.str(x);
      case 'number':
        return this.num(x);
      case 'boolean':
        return this.bool(x);
      case 'object':
        break;
      default:
        return this.json(x); // undefined/function/bigint: leave the edge cases to JSON.stringify
    }
    if (Array.isArray(x)) {
      this.byte(91);
      for (let k = 0; k < x.length; k++) {
        if (k) this.byte(44);
        const v = x[k];
        if (v === undefined || typeof v === 'function' || typeof v === 'symbol') this.bytes(NULL);
        else this.write(v);
      }
      return this.byte(93);
    }
    if (typeof (x as { toJSON?: unknown }).toJSON === 'function') return this.json(x);
    this.byte(123);
    let first = true;
    for (const key in x) {
      if (!Object.prototype.hasOwnProperty.call(x, key)) continue;
      const v = (x as Record<string, unknown>)[key];
      if (v === undefined || typeof v === 'function' || typeof v === 'symbol') continue;
      if (!first) this.byte(44);
      first = false;
      this.bytes(keyBytes(key));
      this.write(v);
    }
    this.byte(125);
  }

  /** The bytes written so far (a view, not a copy: the writer must not be reused afterwards). */
  result(): Buffer {
    return this.buf.subarray(0, this.pos);
  }
}

/** Printable ASCII that JSON.stringify leaves as is (no `"`, `\`, control chars). */
const PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;
const NULL = lit('null');
const keys = new Map<string, Uint8Array>();

/** `"key":` bytes, cached (record keys repeat on every record; the cache is cleared if it ever grows large). */
function keyBytes(k: string): Uint8Array {
  let b = keys.get(k);
  if (!b) {
    if (keys.size > 10_000) keys.clear();
    keys.set(k, (b = lit(JSON.stringify(k) + ':')));
  }
  return b;
}
const TRUE = lit('true');
const FALSE = lit('false');
