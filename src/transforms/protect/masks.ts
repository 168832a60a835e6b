/** The column masks: hash, redact, partial. Pure functions of a value (and the salt). */
import { createHash } from 'node:crypto';
import { stringifyJson } from '../../core/exact-json.js';

export const MASK_KINDS = ['hash', 'redact', 'partial'] as const;
export type MaskKind = (typeof MASK_KINDS)[number];

/** The text a non-string value is hashed or masked as: its JSON (numbers and booleans as written). */
function text(v: unknown): string {
  return typeof v === 'string' ? v : (stringifyJson(v) ?? '');
}

/**
 * Lowercase hex SHA-256 of `salt || value` (UTF-8), so a warehouse can compute the same hash in
 * SQL and join on it: DuckDB `sha256(salt || email)`, Postgres
 * `encode(sha256(convert_to(salt || email, 'UTF8')), 'hex')`, Snowflake `sha2(salt || email, 256)`.
 * The value is hashed as received (no trimming or lowercasing): normalising is a modelling choice.
 */
export function hashValue(v: unknown, salt: string): string | null {
  if (v === null || v === undefined) return null;
  return createHash('sha256').update(salt + text(v), 'utf8').digest('hex');
}

const EMAIL = /^[^@\s]+@([^@\s]+)$/;
// Digits with the usual phone punctuation; at least 7 digits so short codes are not taken for phones.
const PHONE = /^\+?[\d\s().\-/]+$/;

/**
 * Keeps what identifies no one: an email's domain (`***@example.com`), a phone number's last
 * four digits (`***1234`); any other value keeps nothing (`***`). Null stays null.
 */
export function partialValue(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v !== 'string') return '***';
  const s = v.trim();
  const email = EMAIL.exec(s);
  if (email) return `***@${email[1]}`;
  if (PHONE.test(s)) {
    const digits = s.replace(/\D/g, '');
    if (digits.length >= 7) return `***${digits.slice(-4)}`;
  }
  return '***';
}

/** The function a mask applies to each value. */
export function maskFunction(kind: MaskKind, salt: string | undefined): (v: unknown) => unknown {
  switch (kind) {
    case 'hash':
      return (v) => hashValue(v, salt ?? '');
    case 'redact':
      return () => null;
    case 'partial':
      return partialValue;
  }
}
