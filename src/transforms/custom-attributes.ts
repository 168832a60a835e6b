/**
 * Typed custom-attribute columns (issue #4). The `custom_attributes` JSON column is always kept
 * as Intercom sent it; with `custom_attribute_columns: true` an asset of contacts, companies or
 * conversations also gets one typed column per custom data attribute (`ca_<snake_case name>`),
 * typed from the attribute's declared `data_type`. A value that does not fit its type stays in
 * the JSON column only: the typed cell is NULL and `custom_attribute_mismatches` counts it.
 *
 * Naming must be deterministic and order-independent, because the same attribute has to land
 * in the same column on every run, whatever order Intercom lists attributes in.
 */
import { createHash } from 'node:crypto';
import { METADATA_COLUMNS } from '../core/schema.js';
import { toInt64, toMicros } from '../arrow/index.js';
import { ExactNumber } from '../core/exact-json.js';
import { EltError } from '../core/errors.js';
import { cutBytes } from '../core/text.js';
import type { ColumnDef, ColumnType, Row } from '../core/schema.js';
import type { DataAttributeLike, RowTransform, TransformContext } from './types.js';

export type { DataAttributeLike } from './types.js';

/** Prefix of every typed column: keeps them apart from Intercom's own top-level fields. */
export const COLUMN_PREFIX = 'ca_';
export const MISMATCH_COUNTER = 'custom_attribute_mismatches';
const SOURCE_COLUMN = 'custom_attributes';

/** One typed column: the attribute's original name, the column it lands in, and its type. */
export interface CustomAttributeColumn {
  attribute: string;
  column: string;
  type: ColumnType;
  dataType: string;
}

/**
 * Column type of an Intercom `data_type`. `data_attributes` knows string|integer|float|boolean|
 * date (2.14:L19209; Preview adds datetime); 2.16 conversation attributes add decimal, datetime,
 * list (the value is the chosen option's label), relationship and files (lists of objects,
 * 2.16:L29497+). Anything unknown keeps its JSON value, so a new type never causes mismatches.
 */
export function columnTypeOf(dataType: string): ColumnType {
  switch (dataType) {
    case 'string':
    case 'list':
      return 'string';
    case 'integer':
      return 'int64';
    case 'float':
    case 'decimal':
      return 'float64';
    case 'boolean':
      return 'bool';
    case 'date':
    case 'datetime':
      return 'timestamp';
    default:
      return 'json';
  }
}

/**
 * Deterministic snake_case: NFKC, camelCase split (`PlanType` -> `plan_type`), lower case, every
 * run of characters other than letters, marks and digits becomes one `_`, no `_` at the ends.
 * Unicode letters are kept (`名前` stays readable); symbols and emoji are dropped.
 */
export function snakeCase(name: string): string {
  return name
    .normalize('NFKC')
    .replace(/([\p{Ll}\p{N}])(\p{Lu})/gu, '$1_$2')
    .replace(/(\p{Lu})(\p{Lu}\p{Ll})/gu, '$1_$2')
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}]+/gu, '_')
    .replace(/^_+|_+$/g, '');
}

function hashHex(name: string, len: number): string {
  return createHash('sha256').update(name, 'utf8').digest('hex').slice(0, len);
}

/** `<base cut to fit>_<hash of the ORIGINAL name>`, at most `maxBytes` bytes. */
function hashedName(base: string, original: string, maxBytes: number, len: number): string {
  const head = cutBytes(base, maxBytes - 1 - len).replace(/_+$/, '');
  return `${head}_${hashHex(original, len)}`;
}

/**
 * The typed columns of a model's custom attributes. The rule, which depends only on the set of
 * attributes (never on their order):
 * 1. base = `ca_` + snakeCase(name);
 * 2. the base is used as is when it fits `maxIdentifierLength` BYTES, no other attribute has
 *    the same base (case-insensitively: DuckDB and Snowflake fold quoted names alike), and no
 *    reserved/declared column has it — or, when several attributes share a base, for the one
 *    whose name already IS its snake_case (`plan_type` keeps `ca_plan_type`; `Plan Type` and
 *    `PLAN TYPE` are suffixed): that one keeps its name when others are added later;
 * 3. every other attribute gets `<base cut to fit>_<first 8 hex of sha256(original name)>`;
 * 4. if names still clash (a literal name ending in such a hash), every clashing attribute gets a
 *    longer hash (16, then 64 hex).
 * Only custom attributes (`custom: true`) get columns. Output is sorted by attribute name.
 */
export function customAttributeColumns(
  attributes: readonly DataAttributeLike[],
  opts: { maxIdentifierLength: number; reserved?: readonly string[] },
): CustomAttributeColumn[] {
  const max = opts.maxIdentifierLength;
  const byName = new Map<string, DataAttributeLike>();
  for (const a of attributes) {
    if (a.custom !== true || typeof a.name !== 'string' || typeof a.data_type !== 'string') continue;
    // Intercom names are unique per model; if one ever repeats, keep a deterministic one
    const seen = byName.get(a.name);
    if (!seen || a.data_type < seen.data_type) byName.set(a.name, a);
  }
  const attrs = [...byName.values()].sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
  const reserved = new Set([...(opts.reserved ?? []), ...METADATA_COLUMNS, SOURCE_COLUMN].map((r) => r.toLowerCase()));

  const snakes = attrs.map((a) => snakeCase(a.name));
  const bases = snakes.map((s) => `${COLUMN_PREFIX}${s}`);
  const groups = new Map<string, number>();
  for (const b of bases) groups.set(b.toLowerCase(), (groups.get(b.toLowerCase()) ?? 0) + 1);

  const plain = attrs.map((a, i) => {
    const base = bases[i]!;
    if (snakes[i] === '' || Buffer.byteLength(base, 'utf8') > max || reserved.has(base.toLowerCase())) return false;
    return groups.get(base.toLowerCase()) === 1 || a.name === snakes[i];
  });
  const names = attrs.map((a, i) => (plain[i] ? bases[i]! : hashedName(bases[i]!, a.name, max, 8)));

  for (const len of [16, 64]) {
    const count = new Map<string, number>();
    for (const n of names) count.set(n.toLowerCase(), (count.get(n.toLowerCase()) ?? 0) + 1);
    const clash = names.map((n) => count.get(n.toLowerCase())! > 1 || reserved.has(n.toLowerCase()));
    if (!clash.includes(true)) break;
    names.forEach((_, i) => {
      if (clash[i]) names[i] = hashedName(bases[i]!, attrs[i]!.name, max, len);
    });
  }
  return attrs.map((a, i) => ({ attribute: a.name, column: names[i]!, type: columnTypeOf(a.data_type), dataType: a.data_type }));
}

/** Returned by `typedValue` when a value does not fit its column type. */
export const MISMATCH: unique symbol = Symbol('custom_attribute_mismatch');

/**
 * The value for a typed column, or MISMATCH. Strict on JSON types (a string "42" in an integer
 * attribute is a mismatch: the point of typed columns is to surface drift, and the JSON column
 * keeps it). Dates: unix seconds (number or numeric text) or ISO 8601 text — Intercom's
 * `datetime` is either (2.14:L14571-14579); numbers are always seconds, never guessed
 * milliseconds, so a millisecond value beyond year 2255 is a mismatch rather than a wrong date.
 * null/undefined give null (an unset attribute is not a mismatch).
 */
export function typedValue(type: ColumnType, v: unknown): unknown {
  if (v === null || v === undefined) return null;
  switch (type) {
    case 'string':
      return typeof v === 'string' ? v : MISMATCH;
    case 'int64':
      // beyond 2^53 the value is a BigInt (exact-json.ts): exact in the column while it fits int64
      if (typeof v === 'bigint') return toInt64(v) ?? MISMATCH;
      return typeof v === 'number' && Number.isSafeInteger(v) ? v : MISMATCH;
    case 'float64':
      // the nearest double of a number kept exact in the JSON column
      if (typeof v === 'bigint' || v instanceof ExactNumber) return Number.isFinite(Number(v)) ? Number(v) : MISMATCH;
      return typeof v === 'number' && Number.isFinite(v) ? v : MISMATCH;
    case 'bool':
      return typeof v === 'boolean' ? v : MISMATCH;
    case 'timestamp': {
      if (typeof v === 'number') return toMicros(v) === undefined ? MISMATCH : v;
      if (typeof v !== 'string') return MISMATCH;
      const us = toMicros(v);
      // a Date: the Arrow builder reads it exactly, without parsing the text again
      return us === undefined ? MISMATCH : new Date(us / 1000);
    }
    case 'json':
      return v;
  }
}

/**
 * A record whose top-level field has a typed column's name (`ca_plan_tier`, case-insensitively:
 * DuckDB and Snowflake fold quoted names alike) would be overwritten by the typed value, or land
 * in the typed column itself: names never collide silently, so the asset fails naming both.
 */
function refuseCollisions(table: string, rows: readonly Row[], columns: readonly CustomAttributeColumn[]): void {
  const typed = new Map(columns.map((c) => [c.column.toLowerCase(), c]));
  for (const row of rows) {
    for (const key in row) {
      const c = typed.get(key.toLowerCase());
      if (!c) continue;
      throw new EltError(
        'column_collision',
        `${table}: record ${String(row['id'])} has a top-level field '${key}', the name of the typed column of custom attribute ` +
          `${JSON.stringify(c.attribute)}; names never collide silently: exclude the field (columns[].exclude) or set custom_attribute_columns: false`,
        { meta: { table, field: key, attribute: c.attribute } },
      );
    }
  }
}

/** Sets the typed cells of `rows` in place; returns the number of values that did not fit. A field named like a typed column fails (refuseCollisions). */
export function applyCustomAttributeColumns(rows: Row[], columns: readonly CustomAttributeColumn[], table = 'rows'): number {
  refuseCollisions(table, rows, columns);
  let mismatches = 0;
  for (const row of rows) {
    const ca = row[SOURCE_COLUMN];
    if (ca === null || typeof ca !== 'object' || Array.isArray(ca)) continue;
    const attrs = ca as Record<string, unknown>;
    for (const c of columns) {
      const v = typedValue(c.type, attrs[c.attribute]);
      if (v === MISMATCH) mismatches++;
      else if (v !== null) row[c.column] = v;
    }
  }
  return mismatches;
}

/**
 * The transform, when the asset asks for typed columns and its table has custom attributes (the
 * caller then passes the table's data attributes, as src/intercom/data-attributes.ts fetches them).
 */
export function customAttributeTransform(ctx: TransformContext): RowTransform | undefined {
  const attrs = ctx.customAttributes;
  if (!ctx.asset.customAttributeColumns || attrs === undefined) return undefined;
  const key = ctx.table.name;
  const max = ctx.maxIdentifierLength;
  let mapping: CustomAttributeColumn[] | undefined;
  const resolve = (declared: readonly ColumnDef[]) =>
    (mapping ??= customAttributeColumns(attrs, { maxIdentifierLength: max, reserved: declared.map((c) => c.name) }));
  let mismatches = 0;
  return {
    columns(tableKey, declared) {
      if (tableKey !== key) return declared;
      return [...declared, ...resolve(declared).map((c) => ({ name: c.column, type: c.type }))];
    },
    rows(tableKey, rows) {
      if (tableKey !== key) return rows;
      // rows are freshly parsed and owned by this run: cells are added in place (no per-row copy)
      mismatches += applyCustomAttributeColumns(rows, resolve(ctx.table.columns), key);
      return rows;
    },
    counters: () => ({ [MISMATCH_COUNTER]: mismatches }),
  };
}
