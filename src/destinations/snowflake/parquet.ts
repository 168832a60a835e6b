/**
 * Arrow record batch -> one Parquet file, through an in-memory DuckDB: the batch is appended
 * with the DuckDB destination's fast appender (../duckdb/append.ts), then DuckDB's
 * `COPY (SELECT …) TO 'file' (FORMAT parquet)` writes it. No Parquet package is needed.
 *
 * The file's columns are c0 (staged order) and c1… (the data columns, in order), with plain
 * Parquet types only: timestamps as epoch microseconds (BIGINT) and JSON as text, so what
 * Snowflake reads does not depend on its Parquet logical-type support (see sql.copyInto).
 */
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import type { RecordBatch } from 'apache-arrow';
import type { ColumnType } from '../../core/schema.js';
import { appendBatch } from '../duckdb/append.js';
import { instanceOptions } from '../duckdb/config.js';
import type { PhysicalColumn } from '../shared/statements.js';
import { parquetColumn } from './sql.js';

const DUCK_TYPES: Record<ColumnType, string> = {
  string: 'VARCHAR',
  json: 'JSON',
  int64: 'BIGINT',
  float64: 'DOUBLE',
  bool: 'BOOLEAN',
  timestamp: 'TIMESTAMPTZ',
};

function fileExpr(i: number, type: ColumnType): string {
  const c = parquetColumn(i);
  if (type === 'timestamp') return `epoch_us(${c}) AS ${c}`;
  if (type === 'json') return `CAST(${c} AS VARCHAR) AS ${c}`;
  return c;
}

/** Writes batches as Parquet files; one per session (it holds a small in-memory DuckDB). */
export class ParquetWriter {
  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly conn: DuckDBConnection,
  ) {}

  static async create(): Promise<ParquetWriter> {
    const instance = await DuckDBInstance.create(':memory:', instanceOptions({ path: ':memory:', settings: { threads: '2' } }));
    const conn = await instance.connect();
    await conn.run(`SET TimeZone = 'UTC'`);
    return new ParquetWriter(instance, conn);
  }

  /**
   * Write `batch` to `file`: c0 = seqStart, seqStart + 1, …; column i + 1 from batch field
   * `fields[i]` (-1: NULL), as for SqlSession.appendStaging.
   */
  async write(file: string, columns: readonly PhysicalColumn[], batch: RecordBatch, fields: readonly number[], seqStart: number): Promise<void> {
    const defs = [`${parquetColumn(0)} BIGINT`, ...columns.map((c, i) => `${parquetColumn(i + 1)} ${DUCK_TYPES[c.type]}`)];
    await this.conn.run(`CREATE OR REPLACE TEMP TABLE buf (${defs.join(', ')})`);
    try {
      const appender = await this.conn.createAppender('buf', 'main', 'temp');
      try {
        appendBatch(appender, columns, batch, fields, seqStart);
        appender.flushSync();
      } finally {
        appender.closeSync();
      }
      const select = [parquetColumn(0), ...columns.map((c, i) => fileExpr(i + 1, c.type))].join(', ');
      await this.conn.run(`COPY (SELECT ${select} FROM temp.main.buf) TO '${file.replaceAll("'", "''")}' (FORMAT parquet, COMPRESSION snappy)`);
    } finally {
      await this.conn.run('DROP TABLE IF EXISTS temp.main.buf');
    }
  }

  close(): void {
    this.conn.closeSync();
    this.instance.closeSync();
  }
}
