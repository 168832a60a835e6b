/**
 * The destinations every behaviour test runs against (real engines, no mocks). Each entry
 * opens a fresh, empty destination and a way to read what landed. Add Postgres/Snowflake here.
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { inject } from 'vitest';
import { postgresOptions } from '../setup/postgres.js';
import { BatchBuilder } from '../../src/arrow/index.js';
import { createDuckDbDestination } from '../../src/destinations/index.js';
import { createPostgresDestination, type PostgresOptions } from '../../src/destinations/postgres/index.js';
import type { Destination, RunSpec, TableTarget } from '../../src/destinations/types.js';
import type { ColumnDef, Row } from '../../src/core/schema.js';

export interface Harness {
  dest: Destination;
  /** Run SQL on a separate connection; rows as plain JS (bigint -> number when safe, timestamps -> Date). */
  query(sql: string): Promise<Array<Record<string, unknown>>>;
  /** Close the destination and open a new one on the same database (a new process, in effect). */
  reopen(): Promise<void>;
  cleanup(): Promise<void>;
}

export interface DestinationFactory {
  name: string;
  open(): Promise<Harness>;
}

function plain(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) out[k] = typeof v === 'bigint' && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  return out;
}

function duckdb(name: string, upsert?: 'merge' | 'delete-insert'): DestinationFactory {
  return {
    name,
    async open() {
      const dir = mkdtempSync(join(tmpdir(), 'elt-duckdb-'));
      const path = join(dir, 'test.duckdb');
      const opts = { autoinstall_known_extensions: 'false', autoload_known_extensions: 'false' };
      let instance = await DuckDBInstance.create(path, opts);
      const h: Harness = {
        dest: await createDuckDbDestination({ path, instance, upsert }),
        async query(sql) {
          const conn = await instance.connect();
          try {
            await conn.run(`SET TimeZone = 'UTC'`);
            return (await conn.runAndReadAll(sql)).getRowObjectsJS().map(plain);
          } finally {
            conn.closeSync();
          }
        },
        async reopen() {
          await h.dest.close();
          instance.closeSync();
          instance = await DuckDBInstance.create(path, opts);
          h.dest = await createDuckDbDestination({ path, instance, upsert });
        },
        async cleanup() {
          await h.dest.close();
          instance.closeSync();
          rmSync(dir, { recursive: true, force: true });
        },
      };
      return h;
    },
  };
}

export const duckdbFactory = duckdb('duckdb');

/** Rows as plain JS like the DuckDB harness: int8 -> number when safe, json -> text, timestamptz -> Date. */
const pgTypes = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === pg.types.builtins.INT8) return (v: string) => (Number.isSafeInteger(Number(v)) ? Number(v) : BigInt(v));
    if (oid === pg.types.builtins.JSON || oid === pg.types.builtins.JSONB) return (v: string) => v;
    return pg.types.getTypeParser(oid, format ?? 'text');
  },
};

/** The suite's throwaway server (tests/setup/postgres.ts) as destination options for `database`. */
export function pgOptions(database: string, extra: Partial<PostgresOptions> = {}): PostgresOptions {
  return { ...postgresOptions(inject('pgUrl'), database), ...extra };
}

/** A client on the suite's server (the maintenance database unless `database` is given). */
export async function pgClient(database?: string): Promise<pg.Client> {
  const o = pgOptions(database ?? new URL(inject('pgUrl')).pathname.slice(1));
  const c = new pg.Client({ host: o.host, port: o.port, database: o.database, user: o.user, password: o.password, types: pgTypes });
  await c.connect();
  return c;
}

/** A fresh database per test (isolation: information_schema queries see only this test's tables). */
export async function createTestDatabase(): Promise<{ name: string; drop(): Promise<void> }> {
  const name = `elt_test_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  const admin = await pgClient();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  return {
    name,
    async drop() {
      const a = await pgClient();
      try {
        await a.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await a.end();
      }
    },
  };
}

export const postgresFactory: DestinationFactory = {
  name: 'postgres',
  async open() {
    const db = await createTestDatabase();
    const h: Harness = {
      dest: await createPostgresDestination(pgOptions(db.name)),
      async query(sql) {
        const c = await pgClient(db.name);
        try {
          await c.query(`SET TIME ZONE 'UTC'`);
          return (await c.query(sql)).rows as Array<Record<string, unknown>>;
        } finally {
          await c.end();
        }
      },
      async reopen() {
        await h.dest.close();
        h.dest = await createPostgresDestination(pgOptions(db.name));
      },
      async cleanup() {
        await h.dest.close();
        await db.drop();
      },
    };
    return h;
  },
};

/** DuckDB also runs the MERGE INTO upsert path (the one Postgres/Snowflake use). */
export const FACTORIES: DestinationFactory[] = [duckdbFactory, duckdb('duckdb (MERGE INTO)', 'merge'), postgresFactory];

/** A one-table run spec. */
export function oneTable(asset: string, loadId: string, table: Partial<TableTarget> & Pick<TableTarget, 'strategy'>, extra: Partial<RunSpec> = {}): RunSpec {
  return {
    asset,
    loadId,
    fullRefresh: false,
    tables: [
      {
        key: asset,
        schema: 'intercom',
        table: asset,
        columns: COLS,
        primaryKey: ['id'],
        incrementalKey: 'updated_at',
        ...table,
      },
    ],
    ...extra,
  };
}

export const COLS: ColumnDef[] = [
  { name: 'id', type: 'string' },
  { name: 'updated_at', type: 'timestamp' },
  { name: 'v', type: 'string' },
];

/** Rows -> one Arrow batch with the run's metadata. */
export function batch(rows: Row[], loadId = 'L', columns: ColumnDef[] = COLS) {
  const b = new BatchBuilder(columns, { loadId, loadedAt: new Date('2024-01-01T00:00:00Z') });
  b.add(rows);
  return b.flush()!;
}

/** Load rows in one run (one checkpoint, then finish). */
export async function load(dest: Destination, spec: RunSpec, rows: Row[], state: Record<string, unknown> = {}): Promise<void> {
  const w = await dest.openRun(spec);
  const t = spec.tables[0]!;
  await w.write(t.key, batch(rows, spec.loadId, t.columns));
  await w.checkpoint(state);
  await w.finish(state, { status: 'ok', rows: rows.length, requests: 1 });
}
