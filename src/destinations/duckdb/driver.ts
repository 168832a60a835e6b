/**
 * Talks to DuckDB through @duckdb/node-api: one instance per database file, one connection
 * per session (a run, or the destination's own reads). A DuckDB file has a single writer
 * process; within the process, sessions are separate connections with their own transactions.
 */
import { DuckDBInstance, type DuckDBAppender, type DuckDBConnection } from '@duckdb/node-api';
import type { RecordBatch } from 'apache-arrow';
import type { ExistingColumn, SqlConnector, SqlSession } from '../shared/driver.js';
import type { PhysicalColumn } from '../shared/statements.js';
import { appendBatch } from './append.js';
import { instanceOptions, type DuckDbOptions } from './config.js';
import { columnTypeOfSql, duckDbDialect } from './sql.js';

/** The DuckDB connection methods we call (a test can hand in another implementation). */
export interface DuckDbConnectionApi {
  run(sql: string): Promise<unknown>;
  runAndReadAll(sql: string): Promise<{ getRowObjectsJS(): Array<Record<string, unknown>> }>;
  createAppender(table: string, schema?: string | null, catalog?: string | null): Promise<DuckDBAppender>;
  closeSync(): void;
}

const lit = duckDbDialect.stringLiteral;

/** Plain JS values: BIGINT arrives as bigint; numbers are friendlier when exact. */
function plain(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) {
    out[k] = typeof v === 'bigint' && v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  }
  return out;
}

export class DuckDbSession implements SqlSession {
  private constructor(
    private readonly conn: DuckDbConnectionApi,
    private readonly catalog: string | null,
  ) {}

  /** `catalog`: the database's catalog, so appenders name their table unambiguously (see duckDbDialectFor). */
  static async create(conn: DuckDbConnectionApi, catalog?: string): Promise<DuckDbSession> {
    // our own statements compare and render timestamps in UTC whatever the machine's zone
    await conn.run(`SET TimeZone = 'UTC'`);
    return new DuckDbSession(conn, catalog ?? null);
  }

  async execute(sql: string): Promise<void> {
    await this.conn.run(sql);
  }

  async query(sql: string): Promise<Array<Record<string, unknown>>> {
    const reader = await this.conn.runAndReadAll(sql);
    return reader.getRowObjectsJS().map(plain);
  }

  async tableColumns(schema: string, table: string): Promise<ExistingColumn[] | undefined> {
    const rows = await this.query(
      `SELECT column_name, data_type FROM information_schema.columns WHERE table_catalog = current_database() ` +
        `AND table_schema = ${lit(schema)} AND table_name = ${lit(table)} ORDER BY ordinal_position`,
    );
    if (rows.length === 0) return undefined;
    return rows.map((r) => ({ name: String(r.column_name), type: columnTypeOfSql(String(r.data_type)) }));
  }

  async tableNames(schema: string): Promise<string[]> {
    const rows = await this.query(
      `SELECT table_name FROM information_schema.tables WHERE table_catalog = current_database() AND table_schema = ${lit(schema)}`,
    );
    return rows.map((r) => String(r.table_name));
  }

  appendStaging(table: string, columns: readonly PhysicalColumn[], batch: RecordBatch, fields: readonly number[], seqStart: number): Promise<void> {
    return this.append(this.conn.createAppender(table, 'main', 'temp'), columns, batch, fields, seqStart);
  }

  appendDirect(schema: string, table: string, columns: readonly PhysicalColumn[], batch: RecordBatch, fields: readonly number[]): Promise<void> {
    return this.append(this.conn.createAppender(table, schema, this.catalog), columns, batch, fields);
  }

  private async append(
    opened: Promise<DuckDBAppender>,
    columns: readonly PhysicalColumn[],
    batch: RecordBatch,
    fields: readonly number[],
    seqStart?: number,
  ): Promise<void> {
    const appender = await opened;
    try {
      appendBatch(appender, columns, batch, fields, seqStart);
      appender.flushSync();
    } finally {
      appender.closeSync();
    }
  }

  async close(): Promise<void> {
    this.conn.closeSync();
  }
}

export class DuckDbConnector implements SqlConnector {
  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly owned: boolean,
    /** The database's catalog name: the file's name without extension (`memory` in memory). */
    readonly catalog: string,
  ) {}

  static async create(opts: DuckDbOptions): Promise<DuckDbConnector> {
    const instance = opts.instance ?? (await DuckDBInstance.create(opts.path, instanceOptions(opts)));
    try {
      const conn = await instance.connect();
      try {
        const rows = (await conn.runAndReadAll('SELECT current_database() AS catalog')).getRowObjectsJS();
        return new DuckDbConnector(instance, !opts.instance, String(rows[0]?.catalog));
      } finally {
        conn.closeSync();
      }
    } catch (err) {
      if (!opts.instance) instance.closeSync();
      throw err;
    }
  }

  async connect(): Promise<SqlSession> {
    const conn: DuckDBConnection = await this.instance.connect();
    return DuckDbSession.create(conn, this.catalog);
  }

  async close(): Promise<void> {
    if (this.owned) this.instance.closeSync();
  }
}
