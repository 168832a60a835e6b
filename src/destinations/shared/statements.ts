/**
 * SQL generation shared by every destination: DDL, the metadata tables, and the statements
 * of each strategy. Pure functions of a Dialect; every identifier goes through its quoteIdent
 * and every value through a literal function.
 */
import type { ColumnType, Window } from '../../core/schema.js';
import { finite, literal, type Dialect } from './dialect.js';

/** A physical column: its name in the destination and its logical type. */
export interface PhysicalColumn {
  name: string;
  type: ColumnType;
}

/** Staging bookkeeping column: the order rows were staged in (dedup ties: last staged wins). */
export const SEQ_COLUMN = '_elt_seq';
/** Staged parents' bookkeeping column: the staged order at which the rows of the batch listing them begin. */
export const BATCH_COLUMN = '_elt_batch';
const RN_COLUMN = '_elt_rn';
/** Names a data column can never take (see identifiers.resolveColumnNames). */
export const RESERVED_COLUMNS = [SEQ_COLUMN, RN_COLUMN];

export const STATE_TABLE = '_elt_state';
export const LOADS_TABLE = '_elt_loads';

export function columnList(d: Dialect, columns: readonly PhysicalColumn[], types = d.capabilities.types): string {
  return columns.map((c) => `${d.quoteIdent(c.name)} ${types[c.type]}`).join(', ');
}

export function createSchema(d: Dialect, schema: string): string {
  return `CREATE SCHEMA IF NOT EXISTS ${d.quoteIdent(schema)}`;
}

/** `uniqueKey`: physical key columns of a UNIQUE constraint (only when the dialect asks for one). */
export function createTable(d: Dialect, schema: string, table: string, columns: readonly PhysicalColumn[], uniqueKey: readonly string[] = []): string {
  const unique = uniqueKey.length > 0 ? `, UNIQUE (${uniqueKey.map((k) => d.quoteIdent(k)).join(', ')})` : '';
  return `CREATE TABLE IF NOT EXISTS ${d.tableRef(schema, table)} (${columnList(d, columns)}${unique})`;
}

export function addColumn(d: Dialect, schema: string, table: string, column: PhysicalColumn): string {
  return `ALTER TABLE ${d.tableRef(schema, table)} ADD COLUMN ${d.quoteIdent(column.name)} ${d.capabilities.types[column.type]}`;
}

export function dropColumn(d: Dialect, schema: string, table: string, column: string): string {
  return `ALTER TABLE ${d.tableRef(schema, table)} DROP COLUMN ${d.quoteIdent(column)}`;
}

export function dropTable(d: Dialect, schema: string, table: string): string {
  return `DROP TABLE IF EXISTS ${d.tableRef(schema, table)}`;
}

/**
 * Session staging table: the staged-order column FIRST, then the data columns typed for
 * staging; columns added later (ALTER ADD) land at the end, after the data columns.
 */
export function createStaging(d: Dialect, name: string, columns: readonly PhysicalColumn[]): string {
  const cols = [`${d.quoteIdent(SEQ_COLUMN)} ${d.capabilities.types.int64}`, columnList(d, columns, d.stagingTypes)].filter(Boolean).join(', ');
  return d.createTempTable(name, cols);
}

export function addStagingColumn(d: Dialect, name: string, column: PhysicalColumn): string {
  return `ALTER TABLE ${d.tempTableRef(name)} ADD COLUMN ${d.quoteIdent(column.name)} ${d.stagingTypes[column.type]}`;
}

export function clearStaging(d: Dialect, name: string): string {
  return d.clearTable(d.tempTableRef(name));
}

export function dropStaging(d: Dialect, name: string): string {
  return `DROP TABLE IF EXISTS ${d.tempTableRef(name)}`;
}

/** What is staged for one table: the staging table and its columns (physical names, staged types). */
export interface Staged {
  ref: string;
  columns: ReadonlyMap<string, ColumnType>;
}

/**
 * SELECT list producing the target's columns from staging: a column the batches never had is
 * NULL; a column staged with another type (or staged as text, like DuckDB JSON) is converted.
 */
function targetExprs(d: Dialect, target: readonly PhysicalColumn[], staged: Staged, alias: string): string[] {
  return target.map((c) => {
    const st = staged.columns.get(c.name);
    const sqlType = d.capabilities.types[c.type];
    if (st === undefined) return `CAST(NULL AS ${sqlType}) AS ${d.quoteIdent(c.name)}`;
    const ref = `${alias}.${d.quoteIdent(c.name)}`;
    if (st === c.type) {
      const same = d.stagingTypes[st] === sqlType;
      return `${same ? ref : `CAST(${ref} AS ${sqlType})`} AS ${d.quoteIdent(c.name)}`;
    }
    return `${d.tryCast(ref, sqlType)} AS ${d.quoteIdent(c.name)}`;
  });
}

/** Staged rows with target columns; deduplicated by `key` keeping the greatest `order` column (ties: last staged). */
export function stagedRows(d: Dialect, target: readonly PhysicalColumn[], staged: Staged, dedup?: { key: readonly string[]; order?: string }): string {
  const exprs = targetExprs(d, target, staged, 's');
  if (!dedup || dedup.key.length === 0) return `SELECT ${exprs.join(', ')} FROM ${staged.ref} AS s`;
  const partition = dedup.key.map((k) => `s.${d.quoteIdent(k)}`).join(', ');
  const order = [
    ...(dedup.order !== undefined && staged.columns.has(dedup.order) ? [`s.${d.quoteIdent(dedup.order)} DESC NULLS LAST`] : []),
    `s.${d.quoteIdent(SEQ_COLUMN)} DESC`,
  ].join(', ');
  const names = target.map((c) => `r.${d.quoteIdent(c.name)}`).join(', ');
  // a window function in a subquery (not QUALIFY / DISTINCT ON) works on every destination
  return (
    `SELECT ${names} FROM (SELECT ${exprs.join(', ')}, ROW_NUMBER() OVER (PARTITION BY ${partition} ORDER BY ${order}) AS ${d.quoteIdent(RN_COLUMN)} ` +
    `FROM ${staged.ref} AS s) AS r WHERE r.${d.quoteIdent(RN_COLUMN)} = 1`
  );
}

export function insertRows(d: Dialect, targetRef: string, target: readonly PhysicalColumn[], select: string): string {
  return `INSERT INTO ${targetRef} (${target.map((c) => d.quoteIdent(c.name)).join(', ')}) ${select}`;
}

/**
 * Upsert deduplicated staged rows by key. `merge`: one MERGE statement. `delete-insert`: delete
 * the target rows whose key is staged, then insert; on a columnar engine the delete reads only
 * the key columns, where MERGE reads the whole row.
 */
export function mergeRows(d: Dialect, targetRef: string, target: readonly PhysicalColumn[], key: readonly string[], source: string, staged: Staged): string[] {
  if (d.upsert === 'delete-insert' || !d.capabilities.merge) {
    const keys = key.map((k) => d.quoteIdent(k)).join(', ');
    const stagedKeys = key.map((k) => `s.${d.quoteIdent(k)}`).join(', ');
    return [`DELETE FROM ${targetRef} WHERE (${keys}) IN (SELECT ${stagedKeys} FROM ${staged.ref} AS s)`, insertRows(d, targetRef, target, source)];
  }
  const on = key.map((k) => `t.${d.quoteIdent(k)} = s.${d.quoteIdent(k)}`).join(' AND ');
  const keySet = new Set(key);
  const set = target
    .filter((c) => !keySet.has(c.name))
    .map((c) => `${d.quoteIdent(c.name)} = s.${d.quoteIdent(c.name)}`)
    .join(', ');
  const names = target.map((c) => d.quoteIdent(c.name)).join(', ');
  const values = target.map((c) => `s.${d.quoteIdent(c.name)}`).join(', ');
  return [
    `MERGE INTO ${targetRef} AS t USING (${source}) AS s ON ${on} ` +
      (set ? `WHEN MATCHED THEN UPDATE SET ${set} ` : '') +
      `WHEN NOT MATCHED THEN INSERT (${names}) VALUES (${values})`,
  ];
}

/** delete+insert: remove the window's rows (both bounds inclusive). */
export function deleteWindow(d: Dialect, targetRef: string, column: PhysicalColumn, window: Window): string {
  const bound = (n: number): string => (column.type === 'timestamp' ? d.epochSeconds(n) : finite(n));
  return `DELETE FROM ${targetRef} WHERE ${d.quoteIdent(column.name)} BETWEEN ${bound(window.start)} AND ${bound(window.end)}`;
}

/**
 * Child tables: delete the rows of the parents staged in `parentsRef` (its `staged` columns, in
 * the order of `parentKey`), one statement whatever their number. Staged values are converted to
 * the target's types like staged rows (a value that does not convert matches nothing).
 */
export function deleteChildren(
  d: Dialect,
  targetRef: string,
  parentKey: readonly PhysicalColumn[],
  parentsRef: string,
  staged: readonly PhysicalColumn[],
): string {
  const wrap = (xs: string[]) => (xs.length === 1 ? xs[0]! : `(${xs.join(', ')})`);
  const cols = wrap(parentKey.map((k) => d.quoteIdent(k.name)));
  const values = parentKey.map((k, i) => {
    const ref = `p.${d.quoteIdent(staged[i]!.name)}`;
    const sqlType = d.capabilities.types[k.type];
    if (staged[i]!.type !== k.type) return d.tryCast(ref, sqlType);
    return d.stagingTypes[k.type] === sqlType ? ref : `CAST(${ref} AS ${sqlType})`;
  });
  return `DELETE FROM ${targetRef} WHERE ${cols} IN (SELECT ${values.join(', ')} FROM ${parentsRef} AS p)`;
}

/**
 * Drop the staged child rows whose parent a later batch of the checkpoint lists again: a parent
 * seen twice (the search returns a record again when it changes mid-run) keeps the rows of its
 * last sighting only, so a tag removed in between does not survive the merge. A DELETE on the
 * staging table (it reads only the key and order columns; an extra join in the merge's SELECT
 * ran DuckDB out of memory on a checkpoint of 200,000 conversation parts). `keys`: the parent
 * key columns, named alike in the staged rows and the staged parents.
 */
export function dropEarlierSightings(d: Dialect, stagingRef: string, parentsRef: string, keys: readonly string[]): string {
  const on = keys.map((k) => `p.${d.quoteIdent(k)} = ${stagingRef}.${d.quoteIdent(k)}`).join(' AND ');
  return `DELETE FROM ${stagingRef} WHERE EXISTS (SELECT 1 FROM ${parentsRef} AS p WHERE ${on} AND p.${d.quoteIdent(BATCH_COLUMN)} > ${stagingRef}.${d.quoteIdent(SEQ_COLUMN)})`;
}

/** Soft deletes: set `column` to each key's deletion time (keys that match no row change nothing). */
export function markDeleted(
  d: Dialect,
  targetRef: string,
  keyColumns: readonly string[],
  column: string,
  keys: readonly unknown[][],
  deletedAt: readonly number[],
  batch = 500,
): string[] {
  const out: string[] = [];
  const names = [...keyColumns.map((_, i) => d.quoteIdent(`k${i}`)), d.quoteIdent('deleted_at')].join(', ');
  const on = keyColumns.map((k, i) => `${targetRef}.${d.quoteIdent(k)} = v.${d.quoteIdent(`k${i}`)}`).join(' AND ');
  for (let i = 0; i < keys.length; i += batch) {
    const tuples = keys
      .slice(i, i + batch)
      .map((key, j) => `(${keyColumns.map((_, c) => literal(d, key[c])).join(', ')}, ${d.epochSeconds(deletedAt[i + j]!)})`);
    out.push(`UPDATE ${targetRef} SET ${d.quoteIdent(column)} = v.${d.quoteIdent('deleted_at')} FROM (VALUES ${tuples.join(', ')}) AS v(${names}) WHERE ${on}`);
  }
  return out;
}

export function createStateTable(d: Dialect, schema: string): string {
  const t = d.capabilities.types;
  return (
    `CREATE TABLE IF NOT EXISTS ${d.tableRef(schema, STATE_TABLE)} ` +
    `(asset ${t.string} PRIMARY KEY, state ${t.json}, load_id ${t.string}, updated_at ${t.timestamp})`
  );
}

export function createLoadsTable(d: Dialect, schema: string): string {
  const t = d.capabilities.types;
  return (
    `CREATE TABLE IF NOT EXISTS ${d.tableRef(schema, LOADS_TABLE)} (load_id ${t.string}, asset ${t.string}, ` +
    `status ${t.string}, ${d.quoteIdent('rows')} ${t.int64}, requests ${t.int64}, started_at ${t.timestamp}, ` +
    `finished_at ${t.timestamp}, error ${t.string})`
  );
}

export function deleteState(d: Dialect, schema: string, asset: string): string {
  return `DELETE FROM ${d.tableRef(schema, STATE_TABLE)} WHERE asset = ${d.stringLiteral(asset)}`;
}

/** Write an asset's state (after deleteState, in the same transaction: portable upsert). */
export function insertState(d: Dialect, schema: string, asset: string, state: unknown, loadId: string): string {
  return (
    `INSERT INTO ${d.tableRef(schema, STATE_TABLE)} (asset, state, load_id, updated_at) SELECT ` +
    `${d.stringLiteral(asset)}, ${d.jsonValue(d.stringLiteral(JSON.stringify(state)))}, ${d.stringLiteral(loadId)}, CURRENT_TIMESTAMP`
  );
}

export function selectState(d: Dialect, schema: string, asset: string): string {
  return `SELECT CAST(state AS ${d.capabilities.types.string}) AS state FROM ${d.tableRef(schema, STATE_TABLE)} WHERE asset = ${d.stringLiteral(asset)}`;
}

export function insertLoad(d: Dialect, schema: string, loadId: string, asset: string): string {
  return (
    `INSERT INTO ${d.tableRef(schema, LOADS_TABLE)} (load_id, asset, status, ${d.quoteIdent('rows')}, requests, started_at) ` +
    `SELECT ${d.stringLiteral(loadId)}, ${d.stringLiteral(asset)}, 'running', 0, 0, CURRENT_TIMESTAMP`
  );
}

/**
 * Loads of `asset` still 'running' when a run holding the asset's lock starts: their process
 * ended without recording how (killed, or its database connection lost). Marked 'abandoned',
 * `finished_at` = when this was found, so history tells the truth.
 */
export function abandonLoads(d: Dialect, schema: string, asset: string, foundBy: string): string {
  const why = `abandoned: the run ended without recording an end (process killed or connection lost); found by load ${foundBy}`;
  return (
    `UPDATE ${d.tableRef(schema, LOADS_TABLE)} SET status = 'abandoned', finished_at = CURRENT_TIMESTAMP, error = ${d.stringLiteral(why)} ` +
    `WHERE asset = ${d.stringLiteral(asset)} AND status = 'running'`
  );
}

export function updateLoad(d: Dialect, schema: string, loadId: string, s: { status: string; rows: number; requests: number; error?: string }): string {
  return (
    `UPDATE ${d.tableRef(schema, LOADS_TABLE)} SET status = ${d.stringLiteral(s.status)}, ${d.quoteIdent('rows')} = ${finite(s.rows)}, ` +
    `requests = ${finite(s.requests)}, finished_at = CURRENT_TIMESTAMP, error = ${s.error === undefined ? 'NULL' : d.stringLiteral(s.error)} ` +
    `WHERE load_id = ${d.stringLiteral(loadId)}`
  );
}

export function selectLoads(d: Dialect, schema: string, asset: string | undefined, limit: number): string {
  const where = asset === undefined ? '' : ` WHERE asset = ${d.stringLiteral(asset)}`;
  return (
    `SELECT load_id, asset, status, ${d.quoteIdent('rows')}, requests, started_at, finished_at, error ` +
    `FROM ${d.tableRef(schema, LOADS_TABLE)}${where} ORDER BY started_at DESC, load_id DESC LIMIT ${finite(Math.floor(limit))}`
  );
}
