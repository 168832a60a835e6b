/**
 * An asset's data checks in Bruin's syntax: `columns[].checks` (the built-ins) and
 * `custom_checks` (a SQL query and the value it must answer). Validated here, run by the
 * destination after the asset's final commit (src/destinations/shared/checks.ts).
 */
import { DELETED_AT_COLUMN, type ColumnType } from '../core/schema.js';
import { parseStartDate } from './duration.js';
import { MapReader, fail, kind, show } from './reader.js';
import { suggestion } from '../core/suggest.js';

/** The built-in column checks (Bruin's names); each counts the rows that break it. */
export const COLUMN_CHECKS = ['not_null', 'unique', 'positive', 'non_negative', 'negative', 'accepted_values', 'pattern', 'min', 'max'] as const;
export type ColumnCheckName = (typeof COLUMN_CHECKS)[number];

/** A scalar a check compares with (accepted_values items, min/max bounds, a custom check's value). */
export type CheckValue = string | number | boolean;

/** A built-in check on one column of the asset's table. */
export interface ColumnCheck {
  kind: 'column';
  name: ColumnCheckName;
  column: string;
  /** accepted_values: the list; pattern: the regex; min/max: the bound (unix seconds for a timestamp column). */
  value?: CheckValue | CheckValue[];
  /** A failure fails the run (exit 1); false: a warning. */
  blocking: boolean;
  /** Leave soft-deleted rows (`_elt_deleted_at` set) out; by default they are checked too. */
  excludeDeleted: boolean;
}

/** A SQL query whose single value must equal `value` (default 0), or whose row count must be `count`. */
export interface CustomCheck {
  kind: 'custom';
  name: string;
  /** `{{ this }}` stands for the asset's table, quoted for the destination. */
  query: string;
  value?: CheckValue;
  count?: number;
  blocking: boolean;
}

export type Check = ColumnCheck | CustomCheck;

const CHECK_KEYS = ['name', 'value', 'blocking', 'description', 'exclude_deleted'];
const CUSTOM_KEYS = ['name', 'description', 'query', 'value', 'count', 'blocking'];
/** Columns every table gets from the loader (checkable like declared ones). */
const META_COLUMNS: Record<string, ColumnType> = { _elt_loaded_at: 'timestamp', _elt_load_id: 'string' };
const NUMERIC: readonly ColumnType[] = ['int64', 'float64', 'timestamp'];
/** Which checks take a `value`, and what it is. */
const VALUE_OF: Partial<Record<ColumnCheckName, string>> = {
  accepted_values: 'a list of the allowed values',
  pattern: 'a regular expression',
  min: 'the smallest allowed value',
  max: 'the largest allowed value',
};

/** What the checks need to know of the table: its declared column types, and whether unknown columns may appear. */
export interface CheckTable {
  name: string;
  columnTypes?: Record<string, ColumnType>;
  /** custom_attribute_columns: columns named after custom attributes appear at load time. */
  openColumns: boolean;
}

/** The checks of one asset file: `columns[i].checks[j]` then `custom_checks[k]`. */
export function readChecks(r: MapReader, table: CheckTable): Check[] {
  const out: Check[] = [];
  const columns = r.list('columns') ?? [];
  columns.forEach((item, i) => {
    const c = MapReader.of(item, r.file, r.field('columns') + `[${i}]`, 'a column');
    const list = c.list('checks');
    if (list === undefined) return;
    const column = c.requireString('name').trim();
    const type = columnType(c, column, table);
    list.forEach((raw, j) =>
      out.push(readColumnCheck(MapReader.of(raw, c.file, `${c.field('checks')}[${j}]`, 'a check').allow(CHECK_KEYS), column, type, table)),
    );
  });
  (r.list('custom_checks') ?? []).forEach((raw, k) =>
    out.push(readCustomCheck(MapReader.of(raw, r.file, `${r.field('custom_checks')}[${k}]`, 'a custom check').allow(CUSTOM_KEYS))),
  );
  return out;
}

/** The column's declared type; undefined when it may only appear at load time (custom attribute columns). */
function columnType(c: MapReader, column: string, table: CheckTable): ColumnType | undefined {
  const declared = { ...table.columnTypes, ...META_COLUMNS };
  const type = declared[column];
  if (type !== undefined || table.columnTypes === undefined || table.openColumns) return type;
  throw c.error('name', `${show(column)} is not a column of table ${table.name}, so it cannot be checked${suggestion(column, Object.keys(declared))}`);
}

function readColumnCheck(k: MapReader, column: string, type: ColumnType | undefined, table: CheckTable): Check {
  const given = k.requireString('name').trim();
  const name = COLUMN_CHECKS.find((n) => n === given.toLowerCase());
  if (name === undefined) throw k.error('name', `unknown check ${show(given)}${suggestion(given, COLUMN_CHECKS)}`);
  const excludeDeleted = k.boolean('exclude_deleted') ?? false;
  if (excludeDeleted && table.columnTypes !== undefined && table.columnTypes[DELETED_AT_COLUMN] === undefined) {
    throw k.error('exclude_deleted', `table ${table.name} has no soft-deleted rows (no ${DELETED_AT_COLUMN} column); remove exclude_deleted`);
  }
  const check = { kind: 'column' as const, name, column, blocking: k.boolean('blocking') ?? true, excludeDeleted };
  const wants = VALUE_OF[name];
  const v = k.get('value');
  if (wants === undefined) {
    if (v !== undefined) throw k.error('value', `check ${name} takes no value; remove it`);
    if ((name === 'positive' || name === 'non_negative' || name === 'negative') && type !== undefined && !NUMERIC.includes(type)) {
      throw k.error('name', `check ${name} needs a number column; ${column} is ${type}`);
    }
    return check;
  }
  if (v === undefined) throw k.error('value', `is required: check ${name} needs ${wants}`);
  if (type === 'json') throw k.error('name', `check ${name} cannot compare JSON column ${column}; check a scalar column or use custom_checks`);
  if (name === 'pattern') {
    if (typeof v !== 'string' || v === '') throw k.error('value', `must be a regular expression (a string), got ${kind(v)}`);
    if (type !== undefined && type !== 'string') throw k.error('name', `check pattern needs a text column; ${column} is ${type}`);
    try {
      new RegExp(v);
    } catch {
      throw k.error('value', `invalid regular expression ${show(v)}`);
    }
    return { ...check, value: v };
  }
  if (name === 'accepted_values') {
    if (!Array.isArray(v) || v.length === 0) throw k.error('value', `must be a non-empty list of the allowed values, got ${kind(v)}`);
    return { ...check, value: v.map((x, i) => scalarFor(k, `value[${i}]`, x, type)) };
  }
  // min / max
  if (type !== undefined && !NUMERIC.includes(type)) throw k.error('name', `check ${name} needs a number or timestamp column; ${column} is ${type}`);
  return { ...check, value: scalarFor(k, 'value', v, type ?? 'float64') };
}

/** A value compared with a column of `type`: its JS form (a timestamp as unix seconds). */
function scalarFor(k: MapReader, field: string, v: unknown, type: ColumnType | undefined): CheckValue {
  const bad = (what: string): never => {
    throw fail(k.file, k.field(field), `must be ${what}, got ${kind(v)}${typeof v === 'string' ? ` ${show(v)}` : ''}`);
  };
  if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') return bad('a string, a number or true/false');
  switch (type) {
    case 'int64':
    case 'float64':
      return typeof v === 'number' ? v : bad(`a number (the column is ${type})`);
    case 'bool':
      return typeof v === 'boolean' ? v : bad('true or false (the column is bool)');
    case 'timestamp':
      return typeof v === 'number'
        ? v
        : typeof v === 'string'
          ? parseStartDate(v, k.file, k.field(field))
          : bad('an ISO date/time or unix seconds (the column is a timestamp)');
    case 'string':
      return String(v);
    default:
      return v;
  }
}

function readCustomCheck(k: MapReader): Check {
  const name = k.requireString('name').trim();
  const query = k.requireString('query');
  // {{ this }} is the one template we expand; anything else in braces would reach the SQL as is
  const other = /\{\{(?!\s*this\s*\}\})[^}]*\}\}/.exec(query);
  if (other) throw k.error('query', `unknown template ${show(other[0])}: only {{ this }} (the asset's table) is expanded`);
  const count = k.number('count', { min: 0, integer: true });
  const v = k.get('value');
  if (count !== undefined && v !== undefined) throw k.error('count', 'set value (the single value the query answers) or count (its number of rows), not both');
  const check: Check = { kind: 'custom', name, query, blocking: k.boolean('blocking') ?? true };
  if (count !== undefined) check.count = count;
  if (v !== undefined) {
    if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean')
      throw k.error('value', `must be a number, a string or true/false, got ${kind(v)}`);
    check.value = v;
  }
  return check;
}
