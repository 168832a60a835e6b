/**
 * Data checks after a load (Bruin's column checks and custom checks), generated once for every
 * destination from its Dialect. A column check is one `SELECT count` of the rows that break it;
 * a custom check is the user's query, with `{{ this }}` standing for the asset's table. Results
 * go to `_elt_checks`, one row per check and load, so dbt models and dashboards can read them.
 */
import { DELETED_AT_COLUMN } from '../../core/schema.js';
import type { Check, CheckValue, ColumnCheck, CustomCheck } from '../../config/index.js';
import type { CheckResult } from '../types.js';
import { finite, type Dialect } from './dialect.js';
import type { ExistingColumn, SqlSession } from './driver.js';
import { resolveColumnNames, type NameRules } from './identifiers.js';

export const CHECKS_TABLE = '_elt_checks';

/** `{{ this }}` (any spacing) in a custom check's query. */
export const THIS_PLACEHOLDER = /\{\{\s*this\s*\}\}/g;

export function createChecksTable(d: Dialect, schema: string): string {
  const t = d.capabilities.types;
  return (
    `CREATE TABLE IF NOT EXISTS ${d.qualified(schema, CHECKS_TABLE)} (load_id ${t.string}, asset ${t.string}, ` +
    `check_name ${t.string}, column_name ${t.string}, blocking ${t.bool}, status ${t.string}, ` +
    `offending_rows ${t.int64}, message ${t.string}, checked_at ${t.timestamp})`
  );
}

export function insertCheckResults(d: Dialect, schema: string, loadId: string, asset: string, results: readonly CheckResult[]): string {
  const str = (v: string | undefined): string => (v === undefined ? 'NULL' : d.stringLiteral(v));
  const rows = results.map(
    (r) =>
      `SELECT ${str(loadId)}, ${str(asset)}, ${str(r.check)}, ${str(r.column)}, ${r.blocking ? 'TRUE' : 'FALSE'}, ` +
      `${str(r.status)}, ${r.offendingRows === undefined ? 'NULL' : finite(r.offendingRows)}, ${str(r.message)}, CURRENT_TIMESTAMP`,
  );
  return (
    `INSERT INTO ${d.qualified(schema, CHECKS_TABLE)} (load_id, asset, check_name, column_name, blocking, status, offending_rows, message, checked_at) ` +
    rows.join(' UNION ALL ')
  );
}

/** A check's value as a literal of the column's type (validated in config; re-checked here for columns it could not know). */
function valueLiteral(d: Dialect, v: CheckValue, col: ExistingColumn): string {
  switch (col.type) {
    case 'string':
      return d.stringLiteral(String(v));
    case 'int64':
    case 'float64':
      if (typeof v !== 'number') throw new CheckSetupError(`${JSON.stringify(v)} is not a number and ${col.name} is a number column`);
      return finite(v);
    case 'bool':
      if (typeof v !== 'boolean') throw new CheckSetupError(`${JSON.stringify(v)} is not true or false and ${col.name} is a boolean column`);
      return v ? 'TRUE' : 'FALSE';
    case 'timestamp':
      if (typeof v !== 'number') throw new CheckSetupError(`${JSON.stringify(v)} is not a time and ${col.name} is a timestamp column`);
      return d.epochSeconds(v);
    default:
      throw new CheckSetupError(`column ${col.name} holds JSON; compare a scalar column instead`);
  }
}

/** The check cannot be expressed on this column (a type mismatch found at run time). */
class CheckSetupError extends Error {}

/** Rows of the `ref` table breaking `check` on column `col`: a query answering one row with `n`. */
export function columnCheckSql(d: Dialect, ref: string, col: ExistingColumn, check: ColumnCheck, excludeDeleted: boolean): string {
  const c = d.quoteIdent(col.name);
  const live = excludeDeleted ? ` AND ${d.quoteIdent(DELETED_AT_COLUMN)} IS NULL` : '';
  const count = (condition: string): string => `SELECT COUNT(*) AS n FROM ${ref} WHERE ${condition}${live}`;
  const bound = (): string => valueLiteral(d, check.value as CheckValue, col);
  const numeric = (): void => {
    if (col.type !== 'int64' && col.type !== 'float64' && col.type !== 'timestamp') {
      throw new CheckSetupError(`${check.name} needs a number or timestamp column; ${col.name} is ${col.type ?? 'of another type'}`);
    }
  };
  switch (check.name) {
    case 'not_null':
      return count(`${c} IS NULL`);
    case 'unique':
      // the rows sharing a value with another row (NULLs are not values: not_null checks them)
      return `SELECT COALESCE(SUM(g.n), 0) AS n FROM (SELECT COUNT(*) AS n FROM ${ref} WHERE ${c} IS NOT NULL${live} GROUP BY ${c} HAVING COUNT(*) > 1) AS g`;
    case 'positive':
      numeric();
      return count(`${c} <= 0`);
    case 'non_negative':
      numeric();
      return count(`${c} < 0`);
    case 'negative':
      numeric();
      return count(`${c} >= 0`);
    case 'min':
      numeric();
      return count(`${c} < ${bound()}`);
    case 'max':
      numeric();
      return count(`${c} > ${bound()}`);
    case 'accepted_values': {
      const values = (check.value as CheckValue[]).map((v) => valueLiteral(d, v, col));
      return count(`${c} IS NOT NULL AND ${c} NOT IN (${values.join(', ')})`);
    }
    case 'pattern':
      if (col.type !== 'string') throw new CheckSetupError(`pattern needs a text column; ${col.name} is ${col.type ?? 'of another type'}`);
      return count(`${c} IS NOT NULL AND NOT ${d.regexMatch(c, d.stringLiteral(String(check.value)))}`);
  }
}

/** A custom check's query with `{{ this }}` replaced by the table. */
export function customCheckSql(check: CustomCheck, ref: string): string {
  return check.query.replace(THIS_PLACEHOLDER, ref);
}

/** A result value as a comparable scalar: booleans as 1/0, numeric text as a number. */
function scalar(v: unknown): CheckValue | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'number') return v;
  const s = v instanceof Date ? v.toISOString() : String(v);
  return s.trim() !== '' && Number.isFinite(Number(s)) ? Number(s) : s;
}

/** Pass or fail a custom check from the rows its query answered. */
export function judgeCustom(check: CustomCheck, rows: ReadonlyArray<Record<string, unknown>>): Pick<CheckResult, 'status' | 'message'> {
  if (check.count !== undefined) {
    return rows.length === check.count
      ? { status: 'passed', message: `returned ${rows.length} row(s), as expected` }
      : { status: 'failed', message: `returned ${rows.length} row(s), expected ${check.count}` };
  }
  const first = rows[0];
  const cells = first === undefined ? 0 : Object.keys(first).length;
  if (rows.length !== 1 || cells !== 1) {
    return {
      status: 'error',
      message: `the query must answer one value (one row, one column), got ${rows.length} row(s) of ${cells} column(s); or set count: to compare the row count`,
    };
  }
  const got = scalar(Object.values(first!)[0]);
  const want = scalar(check.value ?? 0);
  return got === want
    ? { status: 'passed', message: `returned ${JSON.stringify(got)}, as expected` }
    : { status: 'failed', message: `returned ${JSON.stringify(got)}, expected ${JSON.stringify(want)}` };
}

const plural = (n: number, what: string): string => `${n.toLocaleString('en-US')} ${what}${n === 1 ? '' : 's'}`;

/**
 * Run `checks` on `schema.table` in `session` (outside any transaction: each check is a read)
 * and record the results under `loadId`. A check that cannot run is an `error` result.
 */
export async function runChecks(
  d: Dialect,
  session: SqlSession,
  metaSchema: string,
  target: { asset: string; loadId: string; schema: string; table: string },
  checks: readonly Check[],
): Promise<CheckResult[]> {
  const rules: NameRules = { maxIdentifierLength: d.capabilities.maxIdentifierLength, caseInsensitive: d.caseInsensitiveIdentifiers };
  // the table's physical name, resolved as the loader resolves it (case, length)
  const names = await session.tableNames(target.schema);
  const table = resolveColumnNames([target.table], names, rules).physical[0]!;
  const columns = names.includes(table) ? await session.tableColumns(target.schema, table) : undefined;
  const ref = d.qualified(target.schema, table);
  const results: CheckResult[] = [];
  for (const check of checks) {
    const base = { check: check.name, blocking: check.blocking, ...(check.kind === 'column' && { column: check.column }) };
    try {
      if (columns === undefined) {
        results.push({ ...base, status: 'error', message: `table ${target.schema}.${target.table} does not exist` });
        continue;
      }
      if (check.kind === 'custom') {
        results.push({ ...base, ...judgeCustom(check, await session.query(customCheckSql(check, ref))) });
        continue;
      }
      const col = findColumn(columns, check.column, rules);
      if (col === undefined) {
        results.push({ ...base, status: 'error', message: `column ${check.column} is not in table ${target.schema}.${target.table}` });
        continue;
      }
      const excludeDeleted = check.excludeDeleted && findColumn(columns, DELETED_AT_COLUMN, rules) !== undefined;
      const [row] = await session.query(columnCheckSql(d, ref, col, check, excludeDeleted));
      const n = Number(row?.['n'] ?? 0);
      results.push({
        ...base,
        status: n === 0 ? 'passed' : 'failed',
        offendingRows: n,
        message: n === 0 ? 'no offending rows' : `${plural(n, 'offending row')}`,
      });
    } catch (err) {
      const message = (err instanceof Error ? err.message : String(err)).split('\n').join(' ');
      results.push({ ...base, status: 'error', message: err instanceof CheckSetupError ? message : `the check's query failed: ${message}` });
    }
  }
  await session.execute(createChecksTable(d, metaSchema));
  if (results.length > 0) await session.execute(insertCheckResults(d, metaSchema, target.loadId, target.asset, results));
  return results;
}

/** The physical column of a logical name (plain, or its alternate name after a case clash). */
function findColumn(columns: readonly ExistingColumn[], logical: string, rules: NameRules): ExistingColumn | undefined {
  const { physical, added } = resolveColumnNames(
    [logical],
    columns.map((c) => c.name),
    rules,
  );
  return added.length > 0 ? undefined : columns.find((c) => c.name === physical[0]);
}
