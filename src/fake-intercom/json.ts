/**
 * Fast JSON text for the hot paths (contacts and conversations pages, GET /conversations/{id}).
 *
 * Why: serving 80,000+ contacts/s from one process leaves ~12 µs per record, and building each
 * record as an object and running JSON.stringify on the page cost more than that alone. The
 * hot paths therefore assemble JSON text directly from the generated values, from pieces that
 * are encoded once at module load.
 *
 * "Byte strings": the text is kept as a JS string whose char codes are the UTF-8 BYTES of the
 * JSON (each char < 256). Such a string is one-byte in V8 (half the memory of a two-byte
 * string, and every contact holds non-Latin-1 text such as the `préférence_名前_🚀` key), and
 * `Buffer.from(s, 'latin1')` turns it into the UTF-8 response body with a plain copy. Every
 * piece that goes into a byte string must be ASCII or come through `u8()`.
 */
import type { Obj } from './types.js';
import { atLeast, type Version } from './versions.js';

/** UTF-8 bytes of `s` as a byte string. */
export function u8(s: string): string {
  return Buffer.from(s, 'utf8').toString('latin1');
}

/** Byte string of any JSON value (the generic, slow path: overlay records, envelopes). */
export function jsonBytes(x: unknown): string {
  const s = JSON.stringify(x);
  // Most envelopes are ASCII: skip the transcoding then.
  return ASCII.test(s) ? s : u8(s);
}

// eslint-disable-next-line no-control-regex
const ASCII = /^[\x00-\x7f]*$/;
/** Printable ASCII that JSON.stringify leaves as is (no `"`, `\`, control chars). */
const PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

/** JSON string literal (or `null`) as a byte string. */
export function str(s: string | null | undefined): string {
  if (s === null || s === undefined) return 'null';
  return PLAIN.test(s) ? '"' + s + '"' : u8(JSON.stringify(s));
}

/** JSON of a scalar (number, boolean, string, null) as a byte string; numbers print as JSON.stringify does. */
export function scalar(x: unknown): string {
  if (typeof x === 'string') return str(x);
  if (x === null || x === undefined) return 'null';
  return JSON.stringify(x);
}

/** A table of pre-encoded JSON string literals for a fixed word list. */
export function strTable(xs: readonly string[]): string[] {
  return xs.map((x) => u8(JSON.stringify(x)));
}

/** A JSON body that is already text (a byte string); sendJson writes it without JSON.stringify. */
export class RawJson {
  constructor(readonly bytes: string) {}

  toBuffer(): Buffer {
    return Buffer.from(this.bytes, 'latin1');
  }
}

/** Response body bytes for either a RawJson or a plain object. */
export function bodyBuffer(body: unknown): Buffer {
  return body instanceof RawJson ? body.toBuffer() : Buffer.from(JSON.stringify(body), 'utf8');
}

/**
 * A list page `{type, <key>: [...], total_count, pages}` from pre-rendered records, the same
 * bytes as JSON.stringify of the object the routes used to build (same key order).
 */
export function rawListPage(type: string, key: string, records: string[], total: number, pages: Obj): RawJson {
  return new RawJson(`{"type":${str(type)},${str(key)}:[${records.join(',')}],"total_count":${total},"pages":${jsonBytes(pages)}}`);
}

/**
 * Shape variants of a record across API versions, as a small integer for cache keys and
 * template selection (versions.ts decides the shapes; these flags mirror its branches).
 */
export interface Variant {
  /** ≤2.11: contact `formatted_phone`. */
  legacyPhone: boolean;
  /** 2.16: contact `owner_id` string; conversation priority enum and assignee 0. */
  v216: boolean;
  /** ≥2.13: part `state`, `tags`, `event_details`, `email_message_metadata`, `app_package_code`. */
  parts213: boolean;
  /** ≥2.14: part `metadata` and author AI flags. */
  parts214: boolean;
  key: number;
}

const variants = new Map<string, Variant>();

export function variantOf(v: Version): Variant {
  let x = variants.get(v.raw);
  if (!x) {
    const legacyPhone = !atLeast(v, '2.12');
    const v216 = atLeast(v, '2.16');
    const parts213 = atLeast(v, '2.13');
    const parts214 = atLeast(v, '2.14');
    x = { legacyPhone, v216, parts213, parts214, key: +legacyPhone | (+v216 << 1) | (+parts213 << 2) | (+parts214 << 3) };
    variants.set(v.raw, x);
  }
  return x;
}
