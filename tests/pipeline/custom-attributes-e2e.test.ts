/**
 * Issue #4 end to end: the fake Intercom (custom attributes of every data type with hostile
 * names) -> runAssets -> a real DuckDB file. Typed columns exist with the right DuckDB types,
 * hold the JSON column's values where they fit, and are NULL (and counted) where they do not.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { AssetConfig, DestinationConnection, IntercomConnection } from '../../src/config/index.js';
import { startFakeIntercom, type FakeIntercom } from '../../src/fake-intercom/index.js';
import { runAssets } from '../../src/pipeline/run.js';
import { query } from '../helpers/duck.js';
import { exportTable } from '../helpers/truth.js';
import { assetConfig } from '../helpers/asset-config.js';

const TOKEN = 'tok-ca-71f3';
const h8 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex').slice(0, 8);
const LONG = `long_${'x'.repeat(295)}`;
const TSTZ = 'TIMESTAMP WITH TIME ZONE';

/** attribute -> [column, DuckDB type, data_type], written out by hand from the naming rule. */
const CONTACT_COLUMNS: Record<string, [string, string, string]> = {
  plan_tier: ['ca_plan_tier', 'VARCHAR', 'string'],
  seats: ['ca_seats', 'BIGINT', 'integer'],
  mrr: ['ca_mrr', 'DOUBLE', 'float'],
  is_vip: ['ca_is_vip', 'BOOLEAN', 'boolean'],
  trial_ends_at: ['ca_trial_ends_at', TSTZ, 'date'],
  account_name: ['ca_account_name', 'VARCHAR', 'string'],
  Account_Name: [`ca_account_name_${h8('Account_Name')}`, 'VARCHAR', 'string'],
  'say "hello"': ['ca_say_hello', 'VARCHAR', 'string'],
  "it's; DROP TABLE contacts; --": ['ca_it_s_drop_table_contacts', 'VARCHAR', 'string'],
  'préférence_名前_🚀': ['ca_préférence_名前', 'BIGINT', 'integer'],
  // DuckDB's limit (4096 bytes) leaves a 300-character name whole
  [LONG]: [`ca_${LONG}`, 'BOOLEAN', 'boolean'],
};
const CONVERSATION_COLUMNS: Record<string, [string, string, string]> = {
  order_number: ['ca_order_number', 'VARCHAR', 'string'],
  refund_amount_cents: ['ca_refund_amount_cents', 'BIGINT', 'integer'],
  'Escalation level': ['ca_escalation_level', 'VARCHAR', 'string'],
  items_count: ['ca_items_count', 'BIGINT', 'integer'],
  follow_up_on: ['ca_follow_up_on', TSTZ, 'date'],
};

let fake: FakeIntercom;
let dir: string;

function project(file: string, apiVersion: string) {
  const intercom: IntercomConnection = { name: 'intercom', accessToken: TOKEN, region: 'us', apiVersion, baseUrl: fake.url };
  const duck: DestinationConnection = { type: 'duckdb', name: 'duckdb', path: file };
  return { intercom: new Map([['intercom', intercom]]), destinations: new Map([['duckdb', duck]]) };
}

function asset(table: string, customAttributeColumns = true): AssetConfig {
  return assetConfig(table, { customAttributeColumns });
}

const q = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** What the typed cell must hold for a JSON value of `dataType`, written independently of the code under test. */
function expected(dataType: string, v: unknown): { value: unknown; mismatch: boolean } {
  if (v === null || v === undefined) return { value: null, mismatch: false };
  const fits = (ok: boolean, value: unknown = v) => (ok ? { value, mismatch: false } : { value: null, mismatch: true });
  switch (dataType) {
    case 'string':
      return fits(typeof v === 'string');
    case 'integer':
      return fits(Number.isInteger(v));
    case 'float':
      return fits(typeof v === 'number');
    case 'boolean':
      return fits(typeof v === 'boolean');
    default: {
      if (typeof v === 'number') return fits(true);
      const ms = typeof v === 'string' && /^\d{4}-\d{2}-\d{2}/.test(v) ? Date.parse(v) : NaN;
      return fits(!Number.isNaN(ms), ms / 1000);
    }
  }
}

async function columnTypes(file: string, table: string): Promise<Record<string, string>> {
  const rows = await query(file, `select column_name, data_type from information_schema.columns where table_schema = 'intercom' and table_name = '${table}'`);
  return Object.fromEntries(rows.map((r) => [String(r['column_name']), String(r['data_type'])]));
}

/** Compares every typed cell with the JSON column; returns the number of mismatches seen. */
async function compareValues(file: string, table: string, columns: Record<string, [string, string, string]>): Promise<number> {
  const select = Object.values(columns)
    .map(([col, type], i) => (type === TSTZ ? `epoch(${q(col)}) as c${i}` : type === 'BIGINT' ? `${q(col)}::double as c${i}` : `${q(col)} as c${i}`))
    .join(', ');
  const rows = await query(file, `select id, custom_attributes::varchar as ca, ${select} from intercom.${table}`);
  expect(rows.length).toBeGreaterThan(0);
  let mismatches = 0;
  let nonNull = 0;
  for (const r of rows) {
    const ca = JSON.parse(String(r['ca'])) as Record<string, unknown>;
    Object.entries(columns).forEach(([attr, [, , dataType]], i) => {
      const e = expected(dataType, ca[attr]);
      if (e.mismatch) mismatches++;
      if (e.value !== null) nonNull++;
      expect({ id: r['id'], attr, value: r[`c${i}`] }).toEqual({ id: r['id'], attr, value: e.value });
    });
  }
  // the comparison must have compared real values, not only NULLs
  expect(nonNull).toBeGreaterThan(rows.length);
  return mismatches;
}

beforeAll(async () => {
  fake = await startFakeIntercom({ seed: 44, token: TOKEN, contacts: 300, companies: 5, conversations: 40, tickets: 0 });
  dir = mkdtempSync(path.join(os.tmpdir(), 'ielt-ca-'));
  const contacts = await exportTable(fake.url, 'contacts');
  const conversations = await exportTable(fake.url, 'conversations');
  // 5 values that do not fit their declared types, 2 ISO dates that do
  fake.updateContact(String(contacts[0]!['id']), { custom_attributes: { seats: 'lots', mrr: 'n/a', is_vip: 'yes', trial_ends_at: 'someday' } });
  fake.updateContact(String(contacts[1]!['id']), { custom_attributes: { trial_ends_at: '2025-06-01T12:30:00Z', seats: 12 } });
  fake.updateContact(String(contacts[2]!['id']), { custom_attributes: { plan_tier: 42 } });
  fake.updateConversation(String(conversations[0]!['id']), { custom_attributes: { refund_amount_cents: 'twelve' } });
  fake.updateConversation(String(conversations[1]!['id']), { custom_attributes: { follow_up_on: '2025-07-01T08:00:00+02:00' } });
  // past the settle lag: the updates fall inside the run's frozen window
  fake.clock.advance(3600);
});
afterAll(async () => {
  await fake?.close();
});

describe('typed custom attribute columns (DuckDB, fake Intercom)', () => {
  test('contacts and conversations on 2.14: types, values, mismatches counted', async () => {
    const file = path.join(dir, 'v214.duckdb');
    const res = await runAssets(project(file, '2.14'), [asset('contacts'), asset('conversations')]);
    expect(res.summaries.map((s) => [s.asset, s.status, s.error?.message])).toEqual([
      ['intercom.contacts', 'ok', undefined],
      ['intercom.conversations', 'ok', undefined],
    ]);
    const [contacts, conversations] = res.summaries;
    expect(contacts!.rows).toBe(300);
    expect(contacts!.counters['custom_attribute_mismatches']).toBe(5);
    expect(conversations!.counters['custom_attribute_mismatches']).toBe(1);
    // the typed values reached the table exactly: nothing was coerced to NULL by the batch builder
    expect(contacts!.counters['values_coerced'] ?? 0).toBe(0);

    const ct = await columnTypes(file, 'contacts');
    expect(ct['custom_attributes']).toBe('JSON');
    for (const [col, type] of Object.values(CONTACT_COLUMNS)) expect([col, ct[col]]).toEqual([col, type]);
    expect(
      Object.keys(ct)
        .filter((c) => c.startsWith('ca_'))
        .sort(),
    ).toEqual(
      Object.values(CONTACT_COLUMNS)
        .map(([c]) => c)
        .sort(),
    );
    expect(await compareValues(file, 'contacts', CONTACT_COLUMNS)).toBe(5);

    const vt = await columnTypes(file, 'conversations');
    for (const [col, type] of Object.values(CONVERSATION_COLUMNS)) expect([col, vt[col]]).toEqual([col, type]);
    expect(await compareValues(file, 'conversations', CONVERSATION_COLUMNS)).toBe(1);

    // the misfits are NULL in their typed columns and intact in the JSON column
    const [bad] = await query(
      file,
      `select custom_attributes->>'seats' as raw, ca_seats, ca_mrr, ca_is_vip, ca_trial_ends_at from intercom.contacts where custom_attributes->>'seats' = 'lots'`,
    );
    expect(bad).toEqual({ raw: 'lots', ca_seats: null, ca_mrr: null, ca_is_vip: null, ca_trial_ends_at: null });
    const [iso] = await query(
      file,
      `select epoch(ca_trial_ends_at) as t, ca_seats::int as s from intercom.contacts where custom_attributes->>'trial_ends_at' = '2025-06-01T12:30:00Z'`,
    );
    expect(iso).toEqual({ t: Date.UTC(2025, 5, 1, 12, 30) / 1000, s: 12 });
    const [conv] = await query(
      file,
      `select epoch(ca_follow_up_on) as t from intercom.conversations where custom_attributes->>'follow_up_on' like '2025-07-01%'`,
    );
    expect(conv).toEqual({ t: Date.UTC(2025, 6, 1, 6) / 1000 });
  });

  test('conversations on 2.16 read GET /conversations/attributes (datetime -> timestamp)', async () => {
    const file = path.join(dir, 'v216.duckdb');
    const before = fake.stats().byPath['/conversations/attributes'] ?? 0;
    const res = await runAssets(project(file, '2.16'), [asset('conversations')]);
    expect(res.summaries[0]!.error?.message).toBeUndefined();
    expect(res.ok).toBe(true);
    expect((fake.stats().byPath['/conversations/attributes'] ?? 0) - before).toBe(1);
    expect(res.summaries[0]!.counters['custom_attribute_mismatches']).toBe(1);
    const vt = await columnTypes(file, 'conversations');
    for (const [col, type] of Object.values(CONVERSATION_COLUMNS)) expect([col, vt[col]]).toEqual([col, type]);
    expect(await compareValues(file, 'conversations', CONVERSATION_COLUMNS)).toBe(1);
  });

  test('without custom_attribute_columns there are no typed columns and no data_attributes request', async () => {
    const file = path.join(dir, 'off.duckdb');
    const before = fake.stats().byPath['/data_attributes'] ?? 0;
    const res = await runAssets(project(file, '2.14'), [asset('contacts', false)]);
    expect(res.ok).toBe(true);
    expect((fake.stats().byPath['/data_attributes'] ?? 0) - before).toBe(0);
    const ct = await columnTypes(file, 'contacts');
    expect(ct['custom_attributes']).toBe('JSON');
    expect(Object.keys(ct).filter((c) => c.startsWith('ca_'))).toEqual([]);
  });
});
