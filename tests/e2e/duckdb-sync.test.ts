/**
 * Issue #3 end to end: the fake Intercom over HTTP -> the real CLI -> a real DuckDB file,
 * compared with the fake's ground truth (GET /_fake/export/<table>).
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startFakeIntercom, type FakeIntercom } from '../../src/fake-intercom/index.js';
import { runCli } from '../helpers/cli.js';
import { query } from '../helpers/duck.js';
import { asset, makeProject, type TestProject } from '../helpers/project.js';
import { exportTable, idMap } from '../helpers/truth.js';
import { localDayStart } from '../../src/intercom/read/timezone.js';

const TOKEN = 'tok-e2e-3f9a7c1d';
const TZ = 'America/Los_Angeles';
const TABLES = ['admins', 'teams', 'tags', 'segments', 'data_attributes', 'contacts', 'conversations', 'articles'];

let fake: FakeIntercom;
let p: TestProject;

async function ingest(...extra: string[]) {
  const r = await runCli(['ingest', '--config', p.configFile, '--progress', 'log', ...extra]);
  if (r.code !== 0) throw new Error(`ingest exited ${r.code}\n${r.stdout}\n${r.stderr}`);
  return r;
}

async function destMap(table: string, key = 'id', ts = 'updated_at'): Promise<Map<string, number | null>> {
  const rows = await query(p.duckdbPath, `select "${key}"::varchar as k, epoch("${ts}")::bigint as t from intercom."${table}"`);
  return new Map(rows.map((r) => [String(r['k']), r['t'] == null ? null : Number(r['t'])]));
}

async function expectNoDuplicates(table: string) {
  const [row] = await query(p.duckdbPath, `select count(*) - count(distinct id) as dups from intercom."${table}"`);
  expect(Number(row!['dups'])).toBe(0);
}

async function expectEqualsExport(table: string) {
  const truth = idMap(await exportTable(fake.url, table));
  const got = await destMap(table);
  expect(got.size).toBe(truth.size);
  expect(got).toEqual(truth);
  await expectNoDuplicates(table);
}

beforeAll(async () => {
  fake = await startFakeIntercom({ seed: 7, token: TOKEN, contacts: 900, companies: 40, conversations: 400, tickets: 20, timezone: TZ });
  p = makeProject({ url: fake.url, token: TOKEN, assets: Object.fromEntries(TABLES.map((t) => [t, asset(t)])) });
});

afterAll(async () => {
  await fake?.close();
});

describe('duckdb end to end', () => {
  test('every table lands with exactly the ids and updated_at of the export', async () => {
    const r = await ingest();
    expect(r.stdout).toContain('intercom.contacts');
    for (const t of ['contacts', 'conversations', 'articles', 'segments']) await expectEqualsExport(t);
    for (const t of ['admins', 'teams', 'tags']) {
      const truth = (await exportTable(fake.url, t)).map((x) => String(x['id'])).sort();
      const got = (await query(p.duckdbPath, `select id from intercom."${t}" order by id`)).map((x) => String(x['id'])).sort();
      expect(got).toEqual(truth);
    }
    const attrs = (await exportTable(fake.url, 'data_attributes')).map((a) => `${a['model']}|${a['name']}`).sort();
    const gotAttrs = (await query(p.duckdbPath, `select model || '|' || name as k from intercom.data_attributes`)).map((x) => String(x['k'])).sort();
    expect(gotAttrs).toEqual(attrs);
    const state = await query(p.duckdbPath, `select asset, state::varchar as s from intercom._elt_state order by asset`);
    expect(state.map((s) => s['asset'])).toEqual(expect.arrayContaining(['intercom.contacts', 'intercom.conversations']));
    const loads = await query(p.duckdbPath, `select status, count(*) n from intercom._elt_loads group by status`);
    expect(loads).toEqual([{ status: 'ok', n: BigInt(TABLES.length) }]);
  });

  test('after creates, same-second and midnight updates, a second run matches the export again', async () => {
    const [st] = await query(p.duckdbPath, `select (state->>'cursor')::bigint as c from intercom._elt_state where asset = 'intercom.contacts'`);
    const cursor = Number(st!['c']);
    const [cst] = await query(p.duckdbPath, `select (state->>'cursor')::bigint as c from intercom._elt_state where asset = 'intercom.conversations'`);
    const convCursor = Number(cst!['c']);
    const now = fake.clock.now();
    const contacts = await exportTable(fake.url, 'contacts');
    const convs = await exportTable(fake.url, 'conversations');

    // an update in the very second of the previous run's cursor (whole-second timestamps)
    fake.clock.set(cursor);
    fake.updateContact(String(contacts[0]!['id']), { name: 'Same Second' });
    fake.clock.set(convCursor);
    fake.updateConversation(String(convs[0]!['id']), { title: 'same second' });
    // contacts updated minutes before and after the workspace-local midnight after `now`
    const midnight = localDayStart(now + 86400, TZ);
    fake.clock.set(midnight - 120);
    fake.updateContact(String(contacts[1]!['id']), { name: 'Before Midnight' });
    fake.clock.set(midnight + 120);
    fake.updateContact(String(contacts[2]!['id']), { name: 'After Midnight' });
    const created = fake.createContact({ name: 'Brand New' });
    fake.createConversation({ title: 'new conversation' });
    fake.clock.set(midnight + 3600);

    await ingest();
    await expectEqualsExport('contacts');
    await expectEqualsExport('conversations');
    const names = await query(
      p.duckdbPath,
      `select name from intercom.contacts where name in ('Same Second','Before Midnight','After Midnight','Brand New') order by name`,
    );
    expect(names.map((n) => n['name'])).toEqual(['After Midnight', 'Before Midnight', 'Brand New', 'Same Second']);
    expect(created.id).toBeTruthy();
  });

  test('a rerun with no changes changes nothing', async () => {
    const snapshot = async () => query(p.duckdbPath, `select * exclude (_elt_loaded_at, _elt_load_id) from intercom.contacts order by id`);
    const before = await snapshot();
    const convBefore = await query(p.duckdbPath, `select * exclude (_elt_loaded_at, _elt_load_id) from intercom.conversations order by id`);
    await ingest('intercom.contacts', 'intercom.conversations');
    expect(await snapshot()).toEqual(before);
    expect(await query(p.duckdbPath, `select * exclude (_elt_loaded_at, _elt_load_id) from intercom.conversations order by id`)).toEqual(convBefore);
  });
});
