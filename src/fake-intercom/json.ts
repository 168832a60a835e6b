/**
 * Fast JSON for the hot paths (contacts and conversations pages, GET /conversations/{id}).
 *
 * Why: serving 80,000+ contacts/s from one process leaves ~12 µs per record, and building each
 * record as an object and running JSON.stringify on the page cost more than that alone (then
 * the string had to be encoded to UTF-8 again). The hot paths therefore write UTF-8 JSON bytes
 * straight from the generated values into one buffer (bytes.ts), from pieces encoded once at
 * module load; records that live in the overlay (mutated) still go through JSON.stringify.
 * tests/fake-intercom/fast-json.test.ts holds both paths to the same bytes.
 *
 * The page buffers themselves are reused: a fresh 450 KB buffer per contacts page cost page
 * faults and garbage collections, so sendJson hands a RawJson's buffer back to a small pool
 * once its response has been written (`finish`), and the next page is written into it.
 */
import { ByteWriter, lit } from './bytes.js';
import { stringifyJson } from '../core/exact-json.js';
import type { Obj } from './types.js';
import { atLeast, type Version } from './versions.js';

/** A body that is already JSON bytes; sendJson writes it as is. */
export class RawJson {
  /** `pooled`: the whole buffer `buf` is a view of, to hand back with releaseBuffer once written. */
  constructor(
    readonly buf: Buffer,
    readonly pooled: Buffer | null = null,
  ) {}
}

/** Bounded pool of response buffers: at most POOL_SIZE buffers of at most POOL_BYTES each. */
const POOL_SIZE = 8;
const POOL_BYTES = 2 << 20;
const pool: Buffer[] = [];

/** A buffer of at least `size` bytes: a pooled one when one is large enough, else a new one. */
function takeBuffer(size: number): Buffer {
  for (let k = pool.length - 1; k >= 0; k--) {
    const b = pool[k] as Buffer;
    if (b.length >= size) {
      pool[k] = pool[pool.length - 1] as Buffer;
      pool.pop();
      return b;
    }
  }
  return Buffer.allocUnsafe(size);
}

/** Returns a RawJson's buffer to the pool; only call once nothing reads the buffer any more. */
export function releaseBuffer(b: Buffer): void {
  if (b.length <= POOL_BYTES && pool.length < POOL_SIZE) pool.push(b);
}

function pooledWriter(size: number): ByteWriter {
  return new ByteWriter(size, takeBuffer(size));
}

function pooledResult(w: ByteWriter): RawJson {
  return new RawJson(w.result(), w.buf);
}

/** Response body bytes for either a RawJson or a plain object. */
export function bodyBuffer(body: unknown): Buffer {
  return body instanceof RawJson ? body.buf : Buffer.from(stringifyJson(body) ?? 'null', 'utf8');
}

const COMMA = 44;
const pieces = new Map<string, Uint8Array>();
const piece = (s: string) => {
  let b = pieces.get(s);
  if (!b) pieces.set(s, (b = lit(s)));
  return b;
};

/**
 * A list page `{type, <key>: [...], total_count, pages}`, the same bytes as JSON.stringify of
 * the object the routes used to build (same key order). `record(w, i)` writes record i.
 */
export function rawListPage(type: string, key: string, indexes: number[], record: (w: ByteWriter, i: number) => void, total: number, pages: Obj): RawJson {
  const w = pooledWriter(indexes.length * 3072 + 16384);
  w.bytes(piece(`{"type":${JSON.stringify(type)},${JSON.stringify(key)}:[`));
  for (let k = 0; k < indexes.length; k++) {
    if (k) w.byte(COMMA);
    record(w, indexes[k] as number);
  }
  w.bytes(piece('],"total_count":'));
  w.num(total);
  w.bytes(piece(',"pages":'));
  w.json(pages);
  w.byte(125); // '}'
  return pooledResult(w);
}

/** One record as a body. */
export function rawRecord(write: (w: ByteWriter) => void, sizeHint = 4096): RawJson {
  const w = pooledWriter(sizeHint);
  write(w);
  return pooledResult(w);
}

/** Shape variants of a record across API versions (versions.ts decides the shapes; these flags mirror its branches). */
export interface Variant {
  /** ≤2.11: contact `formatted_phone`. */
  legacyPhone: boolean;
  /** 2.16: contact `owner_id` string; conversation priority enum and assignee 0. */
  v216: boolean;
  /** ≥2.13: part `state`, `tags`, `event_details`, `email_message_metadata`, `app_package_code`. */
  parts213: boolean;
  /** ≥2.14: part `metadata` and author AI flags. */
  parts214: boolean;
}

const variants = new Map<string, Variant>();

export function variantOf(v: Version): Variant {
  let x = variants.get(v.raw);
  if (!x) {
    x = { legacyPhone: !atLeast(v, '2.12'), v216: atLeast(v, '2.16'), parts213: atLeast(v, '2.13'), parts214: atLeast(v, '2.14') };
    variants.set(v.raw, x);
  }
  return x;
}
