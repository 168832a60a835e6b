/**
 * Lossless conversions of a value that does not have its column's JS type. Each returns
 * `undefined` when no lossless conversion exists: the caller stores NULL and counts it,
 * because a new or odd Intercom value must never fail a load (STYLE.md: parse records loosely).
 * Callers handle null/undefined and the fast, expected JS type before calling these.
 */

import { ExactNumber, stringifyJson } from '../core/exact-json.js';

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const INTEGER_TEXT = /^\s*-?\d{1,20}\s*$/;
/** Microseconds stay exact in a double up to 2^53 µs, i.e. about ±285 years from 1970. */
const MAX_SAFE_SECONDS = Number.MAX_SAFE_INTEGER / 1e6;
/** ISO 8601 date or date-time ('2024-05-01', '2024-05-01T10:00:00Z', with offset…). */
const ISO_DATE = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/** Text for a string column: numbers and booleans print, objects become their JSON text. */
export function toText(v: unknown): string | undefined {
  switch (typeof v) {
    case 'string':
      return v;
    case 'number':
    case 'boolean':
    case 'bigint':
      return String(v);
    case 'object':
      return toJsonText(v);
    default:
      return undefined;
  }
}

/**
 * JSON text of any JSON value (a string becomes a JSON string literal): complete at any depth,
 * numbers beyond 2^53 with every digit (src/core/exact-json.ts). Cycles cannot come from parsed JSON.
 */
export function toJsonText(v: unknown): string | undefined {
  return stringifyJson(v);
}

export function toInt64(v: unknown): bigint | undefined {
  if (typeof v === 'number') return Number.isSafeInteger(v) ? BigInt(v) : undefined;
  let b: bigint | undefined;
  if (typeof v === 'bigint') b = v;
  else if (typeof v === 'string' && INTEGER_TEXT.test(v)) b = BigInt(v.trim());
  if (b === undefined || b < INT64_MIN || b > INT64_MAX) return undefined;
  return b;
}

export function toFloat(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (v instanceof ExactNumber) return Number.isFinite(v.valueOf()) ? v.valueOf() : undefined;
  if (typeof v === 'bigint') {
    const n = Number(v);
    return BigInt(n) === v ? n : undefined;
  }
  if (typeof v === 'string' && v.trim() !== '') {
    const n = Number(v);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

export function toBool(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (v === 0 || v === 1) return v === 1;
  if (typeof v === 'string') {
    const s = v.trim().toLowerCase();
    if (s === 'true') return true;
    if (s === 'false') return false;
  }
  return undefined;
}

/**
 * Microseconds since the epoch for a timestamp column. Intercom sends unix seconds; we also
 * accept numeric strings of seconds, ISO 8601 strings and Date objects. Milliseconds are
 * not guessed: a number is always seconds.
 */
export function toMicros(v: unknown): number | undefined {
  let seconds: number | undefined;
  if (typeof v === 'number') seconds = v;
  else if (typeof v === 'string') {
    const s = v.trim();
    if (s !== '' && !Number.isNaN(Number(s))) seconds = Number(s);
    else if (ISO_DATE.test(s)) {
      // a date-time without offset is read as UTC, not as the machine's zone
      const iso = /T|\s/.test(s) && !/(Z|[+-]\d{2}:?\d{2})$/.test(s) ? `${s.replace(' ', 'T')}Z` : s;
      const ms = Date.parse(iso);
      if (!Number.isNaN(ms)) return ms * 1000;
    }
  } else if (v instanceof Date) {
    const ms = v.getTime();
    if (!Number.isNaN(ms)) return ms * 1000;
  }
  if (seconds === undefined || !Number.isFinite(seconds) || Math.abs(seconds) > MAX_SAFE_SECONDS) return undefined;
  return Math.round(seconds * 1e6);
}
