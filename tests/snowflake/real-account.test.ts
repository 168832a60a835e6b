/**
 * Layer 4 of docs/destinations/snowflake.md: the destination against a real Snowflake account.
 * Runs only when SNOWFLAKE_ACCOUNT, SNOWFLAKE_USER, SNOWFLAKE_DATABASE and SNOWFLAKE_PASSWORD or
 * SNOWFLAKE_PRIVATE_KEY_PATH are set (plus optional SNOWFLAKE_WAREHOUSE, SNOWFLAKE_ROLE); reported
 * as skipped otherwise. Everything lands in a fresh schema that is dropped afterwards.
 *
 * This is the only layer that proves Snowflake itself accepts and executes our SQL: PUT to a real
 * internal stage, COPY's Parquet transform, VARIANT/TIMESTAMP_TZ, MERGE, SWAP WITH, the asset
 * lease's SQL, and that DDL outside our transactions leaves them intact.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createSnowflakeDestination, type SnowflakeOptions } from '../../src/destinations/snowflake/index.js';
import { connectSdk, type SnowflakeApi } from '../../src/destinations/snowflake/driver.js';
import type { Destination, RunSpec } from '../../src/destinations/types.js';
import type { ColumnDef } from '../../src/core/schema.js';
import { batch } from '../destinations/harness.js';

const env = process.env;
const configured = Boolean(env.SNOWFLAKE_ACCOUNT && env.SNOWFLAKE_USER && env.SNOWFLAKE_DATABASE && (env.SNOWFLAKE_PASSWORD || env.SNOWFLAKE_PRIVATE_KEY_PATH));
const schema = `intercom_elt_test_${randomBytes(4).toString('hex')}`;

function opts(): SnowflakeOptions {
  return {
    account: env.SNOWFLAKE_ACCOUNT!,
    username: env.SNOWFLAKE_USER!,
    password: env.SNOWFLAKE_PASSWORD || undefined,
    privateKeyPath: env.SNOWFLAKE_PASSWORD ? undefined : env.SNOWFLAKE_PRIVATE_KEY_PATH,
    database: env.SNOWFLAKE_DATABASE!,
    warehouse: env.SNOWFLAKE_WAREHOUSE,
    role: env.SNOWFLAKE_ROLE,
    schema,
  };
}

const COLS: ColumnDef[] = [
  { name: 'id', type: 'string' },
  { name: 'updated_at', type: 'timestamp' },
  { name: 'n', type: 'int64' },
  { name: 'f', type: 'float64' },
  { name: 'b', type: 'bool' },
  { name: 'j', type: 'json' },
  { name: 'Plan', type: 'string' },
  { name: 'plan', type: 'string' },
];

function spec(table: string, loadId: string, strategy: 'merge' | 'replace'): RunSpec {
  return {
    asset: `${schema}.${table}`,
    loadId,
    fullRefresh: false,
    tables: [{ key: table, schema, table, columns: COLS, primaryKey: ['id'], incrementalKey: 'updated_at', strategy }],
  };
}

describe.skipIf(!configured)('real Snowflake account (SNOWFLAKE_* environment)', () => {
  let dest: Destination;
  let sql: SnowflakeApi;
  const q = (text: string) => sql.run(text);

  beforeAll(async () => {
    dest = await createSnowflakeDestination(opts());
    sql = await connectSdk(opts());
    await sql.run(`ALTER SESSION SET TIMEZONE = 'UTC'`);
  });
  afterAll(async () => {
    await sql?.run(`DROP SCHEMA IF EXISTS "${schema}"`).catch(() => undefined);
    await sql?.destroy();
    await dest?.close();
  });

  test('merge: Parquet -> PUT -> COPY -> MERGE with dedup, every type, state in the same transaction', async () => {
    const run = async (loadId: string, rows: Array<Record<string, unknown>>, cursor: number) => {
      const w = await dest.openRun(spec('things', loadId, 'merge'));
      await w.write('things', batch(rows, loadId, COLS));
      await w.checkpoint({ cursor });
      await w.finish({ cursor }, { status: 'ok', rows: rows.length, requests: 1 });
    };
    const text = `quote ' backslash \\ "dq" ünï 名前`;
    await run('L1', [{ id: 'a', updated_at: 100, n: 1, f: 0.5, b: true, j: { k: [1, 'x'] }, Plan: 'P', plan: 'p' }], 1);
    await run(
      'L2',
      [
        { id: 'a', updated_at: 300, n: 3, f: 1.5, b: false, j: { s: text }, Plan: 'P2', plan: 'p2' },
        { id: 'a', updated_at: 200, n: 2 },
        { id: 'b', updated_at: 50, n: 9007199254740991 },
      ],
      2,
    );
    const rows = await q(
      `SELECT "id", DATE_PART(EPOCH_SECOND, "updated_at") AS "t", "n", "f", "b", "j":s::VARCHAR AS "s", "Plan", "plan" FROM "${schema}"."things" ORDER BY "id"`,
    );
    expect(rows).toEqual([
      { id: 'a', t: 300, n: 3, f: 1.5, b: false, s: text, Plan: 'P2', plan: 'p2' },
      { id: 'b', t: 50, n: 9007199254740991, f: null, b: null, s: null, Plan: null, plan: null },
    ]);
    expect(await dest.readState(`${schema}.things`)).toEqual({ cursor: 2 });
  });

  test('replace: loaded aside and swapped in with SWAP WITH; the old rows are gone, no leftovers', async () => {
    for (const [loadId, ids] of [
      ['R1', ['a', 'b']],
      ['R2', ['c']],
    ] as const) {
      const w = await dest.openRun(spec('admins', loadId, 'replace'));
      await w.write(
        'admins',
        batch(
          ids.map((id) => ({ id, updated_at: 1 })),
          loadId,
          COLS,
        ),
      );
      await w.finish({ n: loadId }, { status: 'ok', rows: ids.length, requests: 1 });
    }
    expect((await q(`SELECT "id" FROM "${schema}"."admins" ORDER BY "id"`)).map((r) => r.id)).toEqual(['c']);
    const tables = await q(`SELECT "TABLE_NAME" AS "t" FROM information_schema.tables WHERE "TABLE_SCHEMA" = '${schema}' AND "TABLE_NAME" LIKE 'admins%'`);
    expect(tables.map((r) => r.t)).toEqual(['admins']);
  });

  test('the asset lease: a second run is refused while the first holds it, and may run once it finished', async () => {
    const other = await createSnowflakeDestination(opts());
    try {
      const w = await dest.openRun(spec('locked', 'K1', 'merge'));
      await expect(other.openRun(spec('locked', 'K2', 'merge'))).rejects.toThrow(/is locked by \S+:K1 until \S+Z: another run is loading it/);
      await w.write('locked', batch([{ id: 'a', updated_at: 1 }], 'K1', COLS));
      await w.finish({ n: 1 }, { status: 'ok', rows: 1, requests: 1 });
      const w2 = await other.openRun(spec('locked', 'K2', 'merge'));
      await w2.finish({ n: 2 }, { status: 'ok', rows: 0, requests: 1 });
      expect(await q(`SELECT COUNT(*) AS "n" FROM "${schema}"."_elt_locks"`)).toEqual([{ n: 0 }]);
    } finally {
      await other.close();
    }
  });
});
