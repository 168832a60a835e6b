/**
 * Issue #5: kill-and-resume and a failed replace on Postgres, through the real pipeline
 * (in-process runAssets, so checkpoints can be every 2 pages) against the suite's server.
 */
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { AssetConfig, DestinationConnection, IntercomConnection } from '../../src/config/index.js';
import { startFakeIntercom, type FakeIntercom } from '../../src/fake-intercom/index.js';
import { runAssets } from '../../src/pipeline/run.js';
import { createTestDatabase, pgClient, pgOptions } from '../destinations/harness.js';
import { exportTable, idMap } from '../helpers/truth.js';
import { assetConfig } from '../helpers/asset-config.js';

const TOKEN = 'tok-pg-ckpt-41aa';
let fake: FakeIntercom;
let db: { name: string; drop(): Promise<void> };
let client: pg.Client;

function project() {
  // one cursor chain (search_slices 1), so "the 7th search page fails" is an exact point; sliced
  // reads are killed and resumed in tests/tables/search-slices.test.ts and tests/reliability/kills.test.ts
  const intercom: IntercomConnection = {
    name: 'intercom',
    accessToken: TOKEN,
    region: 'us',
    apiVersion: '2.14',
    baseUrl: fake.url,
    maxAttempts: 2,
    searchSlices: 1,
  } as IntercomConnection;
  const o = pgOptions(db.name);
  const dest: DestinationConnection = {
    type: 'postgres',
    name: 'postgres',
    host: o.host,
    port: o.port!,
    database: db.name,
    username: o.user,
    password: o.password,
    sslMode: 'disable',
  };
  return { intercom: new Map([['intercom', intercom]]), destinations: new Map([['postgres', dest]]) };
}

function contactsAsset(strategy: AssetConfig['strategy']): AssetConfig {
  return assetConfig('contacts', { strategy, destination: 'postgres' });
}

const q = async (sql: string) => (await client.query(sql)).rows as Array<Record<string, unknown>>;

beforeAll(async () => {
  fake = await startFakeIntercom({ seed: 11, token: TOKEN, contacts: 3000, companies: 10, conversations: 10, tickets: 5 });
  db = await createTestDatabase();
  client = await pgClient(db.name);
});
afterAll(async () => {
  await client?.end();
  await fake?.close();
  await db?.drop();
});

describe('postgres checkpoints', () => {
  test('a run killed between checkpoints loses nothing and resumes from its last checkpoint', async () => {
    const pages = Math.ceil(3000 / 150);
    const trapped = fake.stats().faultsByKind.fail_after ?? 0;
    fake.failAfter(7, '/contacts/search');
    const first = await runAssets(project(), [contactsAsset('merge')], { checkpointPages: 2 });
    expect(first.summaries[0]!.status).toBe('failed');
    expect(first.summaries[0]!.checkpoints).toBe(3);
    expect(await q('SELECT count(*)::int AS n FROM intercom.contacts')).toEqual([{ n: 6 * 150 }]);
    const [st] = await q(`SELECT state FROM intercom._elt_state WHERE asset = 'intercom.contacts'`);
    const state = JSON.parse(String(st!['state']));
    expect(state.cursor ?? null).toBeNull();
    expect(state.inProgress.resume).toBeTruthy();

    fake.failAfter(-1);
    expect(fake.stats().faultsByKind.fail_after ?? 0).toBeGreaterThan(trapped);

    const before = fake.stats().byPath['/contacts/search'] ?? 0;
    const second = await runAssets(project(), [contactsAsset('merge')], { checkpointPages: 2 });
    expect(second.ok).toBe(true);
    expect((fake.stats().byPath['/contacts/search'] ?? 0) - before).toBe(pages - 6);
    const got = await q(`SELECT id, extract(epoch FROM updated_at)::bigint AS t FROM intercom.contacts`);
    expect(new Map(got.map((r) => [String(r['id']), Number(r['t'])]))).toEqual(idMap(await exportTable(fake.url, 'contacts')));
    expect((await q(`SELECT status FROM intercom._elt_loads ORDER BY started_at`)).map((l) => l['status'])).toEqual(['failed', 'ok']);
  });

  test('a replace that fails midway leaves the previous table intact and no leftovers', async () => {
    await q('DROP TABLE intercom.contacts');
    const ok = await runAssets(project(), [contactsAsset('replace')], {});
    expect(ok.ok).toBe(true);
    const snap = () => q(`SELECT id, name, extract(epoch FROM updated_at)::bigint AS t FROM intercom.contacts ORDER BY id`);
    const snapshot = await snap();
    expect(snapshot).toHaveLength(3000);
    fake.updateContact(String(snapshot[0]!['id']), { name: 'Changed Later' });
    const trapped = fake.stats().faultsByKind.fail_after ?? 0;
    fake.failAfter(4, '/contacts/search');
    const failed = await runAssets(project(), [contactsAsset('replace')], { checkpointPages: 2 });
    fake.failAfter(-1);
    expect(fake.stats().faultsByKind.fail_after ?? 0).toBeGreaterThan(trapped);
    expect(failed.ok).toBe(false);
    expect(await snap()).toEqual(snapshot);
    expect(await q(`SELECT table_name FROM information_schema.tables WHERE table_name LIKE '%elt_replace%'`)).toEqual([]);
  });
});
