/**
 * Ad-hoc SQL on a DuckDB destination file, read-only (`intercom-elt query`). The file is attached
 * READ_ONLY to an in-memory instance under the catalog name `db`, so `schema.table` always means a
 * schema whatever the file is called (a file `intercom.duckdb` holding schema `intercom` would
 * otherwise make `intercom.contacts` ambiguous), and nothing the user types can write to it.
 */
import { existsSync } from 'node:fs';
import { DuckDBInstance, DuckDBTypeId, type DuckDBResultReader } from '@duckdb/node-api';
import { EltError } from '../../core/errors.js';
import type { QueryRows } from '../types.js';
import { instanceOptions } from './config.js';
import { duckDbDialect } from './sql.js';

/** The catalog name the file is attached under. */
export const QUERY_CATALOG = 'db';

const INTEGERS = new Set([DuckDBTypeId.BIGINT, DuckDBTypeId.UBIGINT, DuckDBTypeId.HUGEINT, DuckDBTypeId.UHUGEINT]);

/**
 * Runs `sql` on the DuckDB file at `file`, read-only, and returns at most `limit` rows (0: all).
 * Errors are one line: the file missing, the file held by another process (an ingest writes
 * under DuckDB's single-writer lock), or DuckDB's message about the SQL.
 */
export async function queryDuckDbFile(file: string, sql: string, limit: number): Promise<QueryRows> {
  if (!existsSync(file)) throw new EltError('destination_missing', `${file} does not exist yet: run intercom-elt ingest first`, { meta: { path: file } });
  const db = await DuckDBInstance.create(':memory:', instanceOptions({ path: ':memory:' }));
  try {
    const conn = await db.connect();
    try {
      await conn.run(`SET TimeZone = 'UTC'`);
      try {
        await conn.run(`ATTACH ${duckDbDialect.stringLiteral(file)} AS ${QUERY_CATALOG} (READ_ONLY)`);
      } catch (err) {
        throw openError(file, err);
      }
      await conn.run(`USE ${QUERY_CATALOG}`);
      let reader: DuckDBResultReader;
      try {
        reader = limit > 0 ? await conn.streamAndReadUntil(sql, limit + 1) : await conn.streamAndReadAll(sql);
      } catch (err) {
        throw new EltError('query_failed', `query: ${firstLine(err)}`, { cause: err });
      }
      return rowsOf(reader, limit);
    } finally {
      conn.closeSync();
    }
  } finally {
    db.closeSync();
  }
}

function rowsOf(reader: DuckDBResultReader, limit: number): QueryRows {
  const names = reader.deduplicatedColumnNames();
  const columns = names.map((name, i) => ({ name, type: reader.columnLogicalType(i).alias ?? String(reader.columnType(i)) }));
  const count = limit > 0 ? Math.min(reader.currentRowCount, limit) : reader.currentRowCount;
  const values = reader.getRows().slice(0, count);
  const json = reader.getRowsJson().slice(0, count);
  const kinds = names.map((_, i) => (columns[i]!.type === 'JSON' ? 'json' : INTEGERS.has(reader.columnTypeId(i)) ? 'int' : 'other'));
  return {
    columns,
    text: values.map((row) => row.map((v) => (v === null ? null : String(v)))),
    json: json.map((row) => Object.fromEntries(row.map((v, i) => [names[i]!, jsonValue(v, kinds[i]!)]))),
    truncated: limit > 0 && reader.currentRowCount > limit,
  };
}

function jsonValue(v: unknown, kind: string): unknown {
  if (typeof v !== 'string') return v;
  if (kind === 'int' && Number.isSafeInteger(Number(v))) return Number(v);
  if (kind === 'json') {
    try {
      return JSON.parse(v);
    } catch {
      return v;
    }
  }
  return v;
}

const firstLine = (err: unknown) =>
  (err instanceof Error ? err.message : String(err))
    .split('\n')[0]!
    .replace(/^Failed to extract statements: /, '')
    .trim();

/** DuckDB's "Could not set lock on file … Conflicting lock is held in <program> (PID n)" as one line that says what to do. */
function openError(file: string, err: unknown): EltError {
  const message = err instanceof Error ? err.message : String(err);
  if (/Could not set lock|Conflicting lock/i.test(message)) {
    const pid = /\(PID (\d+)\)/.exec(message)?.[1];
    return new EltError(
      'destination_locked',
      `${file} is in use by another process${pid ? ` (PID ${pid})` : ''}, probably a running ingest (DuckDB allows one writer and no readers beside it); query again when it has finished`,
      { cause: err, meta: { path: file, pid: pid === undefined ? undefined : Number(pid) } },
    );
  }
  return new EltError('destination_error', `cannot open ${file}: ${firstLine(err)}`, { cause: err, meta: { path: file } });
}
