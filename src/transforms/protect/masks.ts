/**
 * The column masks, one entry each in MASKS: pure functions of a value (and the salt). The rules'
 * validation, their errors, the `--mask` flag and the CLI help all read the kinds from MASKS, so a
 * new kind is one entry here (plus docs/configuration.md and a test).
 */
import { createHash } from 'node:crypto';
import { stringifyJson } from '../../core/exact-json.js';

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
  return createHash('sha256')
    .update(salt + text(v), 'utf8')
    .digest('hex');
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

/** One mask kind. */
export interface Mask {
  /** Needs the salt (`parameters.mask_salt` or INTERCOM_ELT_MASK_SALT): an asset using it without one is an error. */
  needsSalt: boolean;
  /** A masked column keeps its declared type; otherwise it becomes a string column. */
  keepsType: boolean;
  /** The function applied to each value (`salt` is '' for a kind that needs none). */
  apply(salt: string): (v: unknown) => unknown;
}

/** Every mask kind, in the order help and errors list them. */
export const MASKS = {
  /** Lowercase hex SHA-256 of the salt followed by the value: stable, joinable. */
  hash: {
    needsSalt: true,
    keepsType: false,
    apply: (salt) => (v) => hashValue(v, salt),
  },
  /** NULL. */
  redact: {
    needsSalt: false,
    keepsType: true,
    apply: () => () => null,
  },
  /** An email's domain (***@example.com), a phone number's last 4 digits (***1234), else ***. */
  partial: {
    needsSalt: false,
    keepsType: false,
    apply: () => partialValue,
  },
} as const satisfies Record<string, Mask>;

export type MaskKind = keyof typeof MASKS;
export const MASK_KINDS = Object.keys(MASKS) as MaskKind[];

/** The kind `text` names (trimmed, any case), or undefined. */
export function maskKind(text: string): MaskKind | undefined {
  const k = text.trim().toLowerCase();
  return Object.hasOwn(MASKS, k) ? (k as MaskKind) : undefined;
}

/** The kinds for a message: `hash, redact or partial`, or joined by `sep` (`hash, redact, partial`, `hash | redact | partial`). */
export function maskKindList(sep: ', ' | ' | ' | 'or' = 'or'): string {
  if (sep !== 'or') return MASK_KINDS.join(sep);
  return MASK_KINDS.length === 1 ? MASK_KINDS[0]! : `${MASK_KINDS.slice(0, -1).join(', ')} or ${MASK_KINDS[MASK_KINDS.length - 1]}`;
}
