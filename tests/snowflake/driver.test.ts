/**
 * Layer 3, driver level: what only the Snowflake driver does, through the real snowflake-sdk
 * against the fake Snowflake: password and key-pair (JWT) login, every column type through
 * Parquet -> PUT -> COPY INTO -> MERGE, Snowflake errors surfacing as DestinationError, and
 * transactions that a failed statement rolls back.
 */
import { generateKeyPairSync } from 'node:crypto';
import { afterEach, describe, expect, test } from 'vitest';
import { DestinationError } from '../../src/core/errors.js';
import { createSnowflakeDestination } from '../../src/destinations/snowflake/index.js';
import type { ColumnDef } from '../../src/core/schema.js';
import { batch, load, oneTable } from '../destinations/harness.js';
import { startFakeSnowflake, type FakeSnowflake } from './fake/server.js';
import { fakeSnowflake, options, PASSWORD } from './helpers.js';

let fake: FakeSnowflake | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

describe('login', () => {
  test('a wrong password fails with a DestinationError that does not contain the password', async () => {
    fake = await fakeSnowflake();
    const dest = await createSnowflakeDestination(options(fake, { password: 'wrong-secret-77' }));
    const err = await dest.readState('x').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DestinationError);
    expect(String((err as Error).message)).toMatch(/^snowflake: read state of x: Incorrect username or password was specified/);
    expect(JSON.stringify(err) + String((err as Error).message)).not.toContain('wrong-secret-77');
    expect(fake.stats()).toMatchObject({ logins: 0, failedLogins: 1 });
    await dest.close();
  });

  test('key-pair (SNOWFLAKE_JWT) login: the right key logs in, another key is refused', async () => {
    const pair = () =>
      generateKeyPairSync('rsa', {
        modulusLength: 2048,
        publicKeyEncoding: { type: 'spki', format: 'pem' },
        privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      });
    const good = pair();
    const other = pair();
    fake = await startFakeSnowflake({ account: 'xy12345', users: { LOADER: { publicKey: good.publicKey } } });
    const ok = await createSnowflakeDestination(options(fake, { password: undefined, privateKey: good.privateKey }));
    await load(ok, oneTable('contacts', 'L1', { strategy: 'merge' }), [{ id: 'a', v: 'jwt' }], { cursor: 1 });
    expect(await ok.readState('contacts')).toEqual({ cursor: 1 });
    await ok.close();
    const bad = await createSnowflakeDestination(options(fake, { password: undefined, privateKey: other.privateKey }));
    await expect(bad.readState('contacts')).rejects.toThrow(/JWT token is invalid/);
    await bad.close();
    expect(fake.stats().failedLogins).toBe(1);
  });

  test('exactly one credential is required', async () => {
    await expect(createSnowflakeDestination({ account: 'a', username: 'u', database: 'd' })).rejects.toThrow(/exactly one of password/);
  });
});

describe('types and data', () => {
  const COLS: ColumnDef[] = [
    { name: 'id', type: 'string' },
    { name: 'updated_at', type: 'timestamp' },
    { name: 'n', type: 'int64' },
    { name: 'f', type: 'float64' },
    { name: 'b', type: 'bool' },
    { name: 'j', type: 'json' },
    { name: 'Mixed Case', type: 'string' },
  ];

  test('every column type survives Parquet -> PUT -> COPY INTO -> MERGE', async () => {
    fake = await fakeSnowflake();
    const dest = await createSnowflakeDestination(options(fake));
    const spec = oneTable('things', 'L1', { strategy: 'merge', columns: COLS });
    const text = `quote ' backslash \\ "dq" ünï 名前 \n newline`;
    await load(dest, spec, [
      { id: 'a', updated_at: 1700000000, n: 9007199254740991, f: 1.5, b: true, j: { nested: { list: [1, 'two', null] }, s: text }, 'Mixed Case': text },
      { id: 'b', updated_at: null, n: null, f: null, b: false, j: null, 'Mixed Case': null },
    ]);
    const rows = await fake.query(
      `SELECT id, updated_at, n, f, b, j->'nested'->'list'->>1 AS two, j->>'s' AS s, "Mixed Case" AS mc FROM "intercom"."things" ORDER BY id`,
    );
    expect(rows).toEqual([
      { id: 'a', updated_at: new Date(1700000000 * 1000), n: 9007199254740991, f: 1.5, b: true, two: 'two', s: text, mc: text },
      { id: 'b', updated_at: null, n: null, f: null, b: false, two: null, s: null, mc: null },
    ]);
    const types = await fake.query(`SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'things' ORDER BY ordinal_position`);
    expect(types.map((t) => t.data_type)).toEqual(['TEXT', 'TIMESTAMP_TZ', 'NUMBER', 'FLOAT', 'BOOLEAN', 'VARIANT', 'TEXT', 'TIMESTAMP_TZ', 'TEXT']);
    await dest.close();
  });

  test('a staged batch travels as one Parquet file, one PUT and one COPY', async () => {
    fake = await fakeSnowflake();
    const dest = await createSnowflakeDestination(options(fake));
    const w = await dest.openRun(oneTable('contacts', 'L1', { strategy: 'merge' }));
    const rows = Array.from({ length: 5000 }, (_, i) => ({ id: `c${i}`, updated_at: 1000 + i, v: `v${i}` }));
    await w.write('contacts', batch(rows));
    await w.finish({ cursor: 1 }, { status: 'ok', rows: rows.length, requests: 1 });
    expect(fake.engine.statements.filter((s) => s.startsWith('PUT '))).toHaveLength(1);
    expect(fake.engine.statements.filter((s) => s.startsWith('COPY INTO '))).toHaveLength(1);
    const [{ n }] = (await fake.query(`SELECT count(*)::int AS n FROM "intercom"."contacts"`)) as [{ n: number }];
    expect(n).toBe(5000);
    await dest.close();
  });
});

describe('failures', () => {
  test('a statement failing inside the checkpoint rolls back rows and state; the next run succeeds', async () => {
    fake = await fakeSnowflake();
    const dest = await createSnowflakeDestination(options(fake));
    const spec = (id: string) => oneTable('contacts', id, { strategy: 'merge' });
    await load(dest, spec('L1'), [{ id: 'a', v: 'old' }], { cursor: 1 });
    fake.engine.failOn(/^INSERT INTO "intercom"\."_elt_state"/);
    const w = await dest.openRun(spec('L2'));
    await w.write(
      'contacts',
      batch([
        { id: 'a', v: 'new' },
        { id: 'b', v: 'new' },
      ]),
    );
    const err = await w.checkpoint({ cursor: 2 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DestinationError);
    expect(String(err)).toMatch(/injected failure/);
    await w.abort({ status: 'failed', rows: 0, requests: 1, error: String(err) });
    expect(await dest.readState('contacts')).toEqual({ cursor: 1 });
    expect((await fake.query(`SELECT id, v FROM "intercom"."contacts" ORDER BY id`)).map((r) => [r.id, r.v])).toEqual([['a', 'old']]);
    await load(dest, spec('L3'), [{ id: 'b', v: 'later' }], { cursor: 3 });
    expect(await dest.readState('contacts')).toEqual({ cursor: 3 });
    expect(fake.stats().implicitCommits).toBe(0);
    await dest.close();
  });

  test('a replace whose swap fails leaves the previous table and state', async () => {
    fake = await fakeSnowflake();
    const dest = await createSnowflakeDestination(options(fake));
    const spec = (id: string) => oneTable('admins', id, { strategy: 'replace', incrementalKey: undefined });
    await load(
      dest,
      spec('L1'),
      [
        { id: 'a', v: 'one' },
        { id: 'b', v: 'one' },
      ],
      { n: 1 },
    );
    fake.engine.failOn(/SWAP WITH/);
    const w = await dest.openRun(spec('L2'));
    await w.write('admins', batch([{ id: 'c', v: 'two' }]));
    await w.checkpoint({ n: 2 });
    await expect(w.finish({ n: 2 }, { status: 'ok', rows: 1, requests: 1 })).rejects.toBeInstanceOf(DestinationError);
    await w.abort({ status: 'failed', rows: 0, requests: 1 });
    expect((await fake.query(`SELECT id FROM "intercom"."admins" ORDER BY id`)).map((r) => r.id)).toEqual(['a', 'b']);
    expect(await dest.readState('admins')).toEqual({ n: 1 });
    await load(dest, spec('L3'), [{ id: 'd', v: 'three' }], { n: 3 });
    expect((await fake.query(`SELECT id FROM "intercom"."admins" ORDER BY id`)).map((r) => r.id)).toEqual(['d']);
    const leftovers = await fake.query(`SELECT table_name FROM information_schema.tables WHERE table_name LIKE 'admins%'`);
    expect(leftovers.map((t) => t.table_name)).toEqual(['admins']);
    await dest.close();
  });

  test("a SQL error names the step and carries Snowflake's message", async () => {
    fake = await fakeSnowflake();
    const dest = await createSnowflakeDestination(options(fake));
    fake.engine.failOn(/^COPY INTO/);
    const w = await dest.openRun(oneTable('contacts', 'L1', { strategy: 'merge' }));
    const err = await w.write('contacts', batch([{ id: 'a' }])).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DestinationError);
    expect(String((err as Error).message)).toMatch(/^snowflake: stage contacts failed for asset contacts: injected failure/);
    expect(String((err as Error).message)).not.toContain(PASSWORD);
    await w.abort({ status: 'failed', rows: 0, requests: 0 });
    await dest.close();
  });
});
