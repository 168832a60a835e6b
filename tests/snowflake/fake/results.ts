/**
 * DuckDB results -> Snowflake's JSON result format (`rowtype` + `rowset` of strings), the
 * format snowflake-sdk decodes for `queryResultFormat: 'json'` (lib/connection/result/column.js).
 */
import type { DuckDBResultReader } from '@duckdb/node-api';
import { decodeName } from './rewrite.js';

export interface RowType {
  name: string;
  type: string;
  nullable: boolean;
  scale: number | null;
  precision: number | null;
  length: number | null;
  byteLength: number | null;
  database: string;
  schema: string;
  table: string;
}

export interface JsonResult {
  rowtype: RowType[];
  rowset: Array<Array<string | null>>;
}

function col(name: string, type: string, scale: number | null = null, precision: number | null = null): RowType {
  const text = type === 'text' || type === 'variant';
  return {
    name,
    type,
    nullable: true,
    scale,
    precision,
    length: text ? 16777216 : null,
    byteLength: text ? 16777216 : null,
    database: '',
    schema: '',
    table: '',
  };
}

function snowflakeType(duckType: { toString(): string; alias?: string }): RowType['type'] | [string, number, number] {
  const t = duckType.toString();
  if (duckType.alias === 'JSON' || t === 'JSON') return 'variant';
  if (/^(BIGINT|INTEGER|SMALLINT|TINYINT|HUGEINT|UBIGINT|UINTEGER|USMALLINT|UTINYINT)$/.test(t)) return ['fixed', 0, 38];
  const dec = /^DECIMAL\((\d+),(\d+)\)$/.exec(t);
  if (dec) return ['fixed', Number(dec[2]), Number(dec[1])];
  if (t === 'DOUBLE' || t === 'FLOAT') return 'real';
  if (t === 'BOOLEAN') return 'boolean';
  if (t === 'TIMESTAMP WITH TIME ZONE') return 'timestamp_tz';
  if (t === 'TIMESTAMP') return 'timestamp_ntz';
  return 'text';
}

/** One value as Snowflake's JSON rowset carries it (always a string, or null). */
function encode(v: unknown, type: string): string | null {
  if (v === null || v === undefined) return null;
  if (type === 'boolean') return v ? '1' : '0';
  if (type === 'timestamp_tz' || type === 'timestamp_ntz') {
    // "<epoch seconds>.<9 fraction digits>[ <offset minutes + 1440>]" (result version 1, scale 9)
    const micros = (v as { micros: bigint }).micros;
    const secs = micros >= 0n ? micros / 1_000_000n : -((-micros + 999_999n) / 1_000_000n);
    const frac = micros - secs * 1_000_000n;
    const text = `${secs}.${(frac * 1000n).toString().padStart(9, '0')}`;
    return type === 'timestamp_tz' ? `${text} 1440` : text;
  }
  return typeof v === 'object' && v !== null && 'toString' in v ? String(v) : String(v);
}

/**
 * Snowflake folds unquoted names to upper case, result column names included: a name that
 * appears quoted in the statement keeps its case, any other comes back upper-cased.
 */
function resultName(duckName: string, sql: string): string {
  const name = decodeName(duckName);
  return sql.includes(`"${name.replaceAll('"', '""')}"`) ? name : name.toUpperCase();
}

export function toJsonResult(result: DuckDBResultReader, sql: string): JsonResult {
  const names = result.columnNames();
  const types = result.columnTypes().map((t) => snowflakeType(t as unknown as { toString(): string; alias?: string }));
  const rowtype = names.map((n, i) => {
    const t = types[i]!;
    return Array.isArray(t) ? col(resultName(n, sql), t[0], t[1], t[2]) : col(resultName(n, sql), t, t.startsWith('timestamp') ? 9 : null);
  });
  const rowset = result.getRows().map((row) => row.map((v, i) => encode(v, rowtype[i]!.type)));
  return { rowtype, rowset };
}

/** A result of text and number columns built by hand (status rows, COPY and PUT results). */
export function tableResult(columns: Array<[string, 'text' | 'fixed']>, rows: Array<Array<string | number | null>>): JsonResult {
  return {
    rowtype: columns.map(([n, t]) => (t === 'fixed' ? col(n, t, 0, 38) : col(n, t))),
    rowset: rows.map((r) => r.map((v) => (v === null ? null : String(v)))),
  };
}

export const STATUS_OK = (message = 'Statement executed successfully.'): JsonResult => tableResult([['status', 'text']], [[message]]);
