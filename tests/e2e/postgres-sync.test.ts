/**
 * Issue #5 end to end: the fake Intercom over HTTP -> the real CLI with a `postgres` connection in
 * connections.yml -> the suite's real Postgres server; every table of the registry (and its
 * relation tables) compared with the fake's ground truth.
 */
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startFakeIntercom, type FakeIntercom } from '../../src/fake-intercom/index.js';
import { tables } from '../../src/intercom/tables/index.js';
import { createTestDatabase, pgClient, pgOptions } from '../destinations/harness.js';
import { runCli } from '../helpers/cli.js';
import { asset, makeProject, postgresConnectionYaml, type TestProject } from '../helpers/project.js';
import { exportTable, visiblePartKeys } from '../helpers/truth.js';

const TOKEN = 'tok-pg-e2e-8d2b';
const TABLES = tables.map((t) => t.name);

let fake: FakeIntercom;
let p: TestProject;
let db: { name: string; drop(): Promise<void> };
let client: pg.Client;

function project(): TestProject {
  return makeProject({
    url: fake.url,
    token: TOKEN,
    extraConnections: postgresConnectionYaml(pgOptions(db.name), 'TEST_PG_PASSWORD'),
    assets: Object.fromEntries(TABLES.map((t) => [t, asset(t, { destination: 'postgres' })])),
  });
}

async function ingest(password = pgOptions('x').password!, ...extra: string[]) {
  return runCli(['ingest', '--config', p.configFile, '--progress', 'log', ...extra], { env: { TEST_PG_PASSWORD: password } });
}

async function ingestOk(...extra: string[]) {
  const r = await ingest(undefined, ...extra);
  if (r.code !== 0) throw new Error(`ingest exited ${r.code}\n${r.stdout}\n${r.stderr}`);
  return r;
}

const q = async (sql: string): Promise<Array<Record<string, unknown>>> => (await client.query(sql)).rows as Array<Record<string, unknown>>;

async function api<T>(path: string): Promise<T> {
  const res = await fetch(`${fake.url}${path}`, { headers: { authorization: `Bearer ${TOKEN}`, accept: 'application/json', 'intercom-version': '2.14' } });
  if (!res.ok) throw new Error(`GET ${path}: ${res.status}`);
  return (await res.json()) as T;
}

const keyOf = (table: string, r: Record<string, unknown>): string => (table === 'data_attributes' ? `${r['model']}|${r['name']}` : String(r['id']));

/** A table equals its export: same keys, and the same updated_at where the table has one; no duplicates. */
async function expectEqualsExport(table: string): Promise<void> {
  const truth = await exportTable(fake.url, table);
  const cols = (await q(`SELECT column_name FROM information_schema.columns WHERE table_schema = 'intercom' AND table_name = '${table}'`)).map(
    (c) => c['column_name'],
  );
  const withTs = cols.includes('updated_at') && truth.some((r) => typeof r['updated_at'] === 'number');
  const key = table === 'data_attributes' ? `model || '|' || name` : 'id';
  const rows = await q(`SELECT ${key} AS k${withTs ? ', extract(epoch FROM updated_at)::bigint AS t' : ''} FROM intercom."${table}"`);
  const got = new Map(rows.map((r) => [String(r['k']), withTs ? (r['t'] == null ? null : Number(r['t'])) : null]));
  const want = new Map(truth.map((r) => [keyOf(table, r), withTs ? (r['updated_at'] == null ? null : Number(r['updated_at'])) : null]));
  expect(got.size, `${table}: rows`).toBe(rows.length);
  expect(got, table).toEqual(want);
}

/** `parent|id` of a relation table (never empty here: the fake workspace has every kind of relation). */
async function pairs(table: string, parent: string): Promise<string[]> {
  const out = (await q(`SELECT "${parent}" || '|' || id AS k FROM intercom."${table}"`)).map((r) => String(r['k'])).sort();
  expect(out.length, `${table} rows`).toBeGreaterThan(0);
  return out;
}

async function expectRelations(): Promise<void> {
  expect(await pairs('conversation_parts', 'conversation_id')).toEqual([...visiblePartKeys(await exportTable(fake.url, 'conversation_parts'))].sort());
  const convs = await exportTable(fake.url, 'conversations');
  const convTags = convs.flatMap((c) => ((c['tags'] as { tags?: Array<{ id: string }> })?.tags ?? []).map((t) => `${c['id']}|${t.id}`)).sort();
  const convContacts = convs.flatMap((c) => ((c['contacts'] as { contacts?: Array<{ id: string }> })?.contacts ?? []).map((t) => `${c['id']}|${t.id}`)).sort();
  expect(await pairs('conversation_tags', 'conversation_id')).toEqual(convTags);
  expect(await pairs('conversation_contacts', 'conversation_id')).toEqual(convContacts);
  type Sub = { data: Array<{ id: string }> };
  const contactTags: string[] = [];
  const contactCompanies: string[] = [];
  for (const c of await exportTable(fake.url, 'contacts')) {
    for (const t of (await api<Sub>(`/contacts/${c['id']}/tags`)).data) contactTags.push(`${c['id']}|${t.id}`);
    for (const x of (await api<Sub>(`/contacts/${c['id']}/companies?per_page=150`)).data) contactCompanies.push(`${c['id']}|${x.id}`);
  }
  expect(await pairs('contact_tags', 'contact_id')).toEqual(contactTags.sort());
  expect(await pairs('contact_companies', 'contact_id')).toEqual(contactCompanies.sort());
  const segs: string[] = [];
  for (const c of await exportTable(fake.url, 'companies')) {
    for (const s of (await api<Sub>(`/companies/${c['id']}/segments`)).data) segs.push(`${c['id']}|${s.id}`);
  }
  expect(await pairs('company_segments', 'company_id')).toEqual(segs.sort());
}

beforeAll(async () => {
  fake = await startFakeIntercom({ seed: 11, token: TOKEN, contacts: 300, companies: 30, conversations: 120, tickets: 15 });
  db = await createTestDatabase();
  p = project();
  client = await pgClient(db.name);
  await client.query(`SET TIME ZONE 'UTC'`);
});

afterAll(async () => {
  await client?.end();
  await fake?.close();
  await db?.drop();
});

describe('postgres end to end (CLI, connections.yml)', () => {
  test('every table of the registry and its relation tables land equal to the export', async () => {
    const r = await ingestOk();
    expect(r.stdout).toContain('intercom.contacts');
    for (const t of TABLES) if (t !== 'company_segments') await expectEqualsExport(t);
    await expectRelations();
    const state = await q(`SELECT asset, (state->>'cursor')::bigint AS c FROM intercom._elt_state ORDER BY asset`);
    expect(state.map((s) => s['asset'])).toEqual(expect.arrayContaining(['intercom.contacts', 'intercom.conversations', 'intercom.companies']));
    const loads = await q(`SELECT status, count(*)::int AS n FROM intercom._elt_loads GROUP BY status`);
    expect(loads).toEqual([{ status: 'ok', n: TABLES.length }]);
  });

  test('after creates and same-second updates, a second run matches the export again', async () => {
    const [st] = await q(`SELECT (state->>'cursor')::bigint AS c FROM intercom._elt_state WHERE asset = 'intercom.contacts'`);
    const contacts = await exportTable(fake.url, 'contacts');
    const convs = await exportTable(fake.url, 'conversations');
    fake.clock.set(Number(st!['c']));
    fake.updateContact(String(contacts[0]!['id']), { name: 'Same Second' });
    fake.updateConversation(String(convs[0]!['id']), { title: 'same second' });
    fake.clock.set(fake.clock.now() + 3600);
    fake.createContact({ name: 'Brand New' });
    fake.createConversation({ title: 'new conversation' });
    fake.clock.set(fake.clock.now() + 3600);
    await ingestOk();
    for (const t of ['contacts', 'conversations']) await expectEqualsExport(t);
    await expectRelations();
    const names = await q(`SELECT name FROM intercom.contacts WHERE name IN ('Same Second', 'Brand New') ORDER BY name`);
    expect(names.map((n) => n['name'])).toEqual(['Brand New', 'Same Second']);
  });

  test('a rerun with no changes changes nothing', async () => {
    const snapshot = async (table: string) =>
      (await q(`SELECT to_jsonb(t) - '_elt_loaded_at' - '_elt_load_id' AS r FROM intercom."${table}" t ORDER BY id`)).map((r) => r['r']);
    const before = await snapshot('contacts');
    const convBefore = await snapshot('conversations');
    await ingestOk('intercom.contacts', 'intercom.conversations');
    expect(await snapshot('contacts')).toEqual(before);
    expect(await snapshot('conversations')).toEqual(convBefore);
  });

  test('a wrong password fails the run with a clear message that never contains the password', async () => {
    const wrong = 'Wr0ng-pw-e2e-91c';
    const r = await ingest(wrong, 'intercom.tags');
    expect(r.code).not.toBe(0);
    expect(r.stdout + r.stderr).toMatch(/password authentication failed/);
    expect(r.stdout + r.stderr).not.toContain(wrong);
  });
});
