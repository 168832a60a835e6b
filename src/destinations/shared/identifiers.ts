/**
 * Identifiers: quoting, and the mapping from logical names (asset tables, Intercom fields,
 * custom attribute names: user-controlled) to physical names a destination accepts.
 *
 * Two problems beyond quoting:
 * - length: Postgres cuts identifiers at 63 bytes. Long names are shortened
 *   deterministically (prefix + hash of the full name), so every run maps a name the same way.
 * - case: DuckDB compares identifiers case-insensitively even when quoted, so `Plan` and
 *   `plan` cannot both be columns. The second one seen gets the "alternate" name
 *   `<name>__<hash>`; later runs find it again by looking for the alternate first.
 */
import { createHash } from 'node:crypto';
import { cutBytes } from '../../core/text.js';

/** SQL's identifier quote; every destination we support uses it (its Dialect's `identifierQuote`). */
export const STANDARD_QUOTE = '"';

/** `name` between `quote`s, a quote inside it doubled. */
export function quoteWith(quote: string, name: string): string {
  return `${quote}${name.replaceAll(quote, quote + quote)}${quote}`;
}

/**
 * An identifier with SQL's standard quoting. Shared code asks its Dialect (`d.quoteIdent`);
 * this is for a destination's own statements, which know their quote is the standard one.
 */
export function quoteIdent(name: string): string {
  return quoteWith(STANDARD_QUOTE, name);
}

/** `"schema"."table"` with SQL's standard quoting (shared code asks its Dialect: `d.qualified`). */
export function qualified(schema: string, table: string): string {
  return `${quoteIdent(schema)}.${quoteIdent(table)}`;
}

function hash8(name: string): string {
  return createHash('sha1').update(name, 'utf8').digest('hex').slice(0, 8);
}

/** The name as the destination stores it: unchanged if it fits, else prefix + `_` + hash. */
export function physicalName(name: string, maxBytes: number): string {
  if (Buffer.byteLength(name, 'utf8') <= maxBytes) return name;
  return `${cutBytes(name, maxBytes - 9)}_${hash8(name)}`;
}

/** The name used when the plain physical name is taken (case clash, reserved name). */
export function alternateName(name: string, maxBytes: number): string {
  const suffix = `__${hash8(name)}`;
  return `${cutBytes(name, maxBytes - suffix.length)}${suffix}`;
}

export interface NameRules {
  maxIdentifierLength: number;
  /** Identifiers that differ only in case name the same object (DuckDB). */
  caseInsensitive: boolean;
}

/**
 * Physical column names for `logical` names given the table's existing physical columns.
 * Returns one physical name per logical name and the ones that are new (to ALTER ADD).
 * `reserved` names (staging bookkeeping) are never handed out as plain names.
 */
export function resolveColumnNames(
  logical: readonly string[],
  existing: readonly string[],
  rules: NameRules,
  reserved: readonly string[] = [],
): { physical: string[]; added: string[] } {
  const fold = (s: string): string => (rules.caseInsensitive ? s.toLowerCase() : s);
  const exact = new Set(existing);
  const folded = new Set([...existing, ...reserved].map(fold));
  const physical: string[] = [];
  const added: string[] = [];
  for (const name of logical) {
    const plain = physicalName(name, rules.maxIdentifierLength);
    const alt = alternateName(name, rules.maxIdentifierLength);
    let chosen: string;
    if (exact.has(plain)) chosen = plain;
    else if (exact.has(alt)) chosen = alt;
    else {
      chosen = folded.has(fold(plain)) ? alt : plain;
      exact.add(chosen);
      folded.add(fold(chosen));
      added.push(chosen);
    }
    physical.push(chosen);
  }
  return { physical, added };
}
