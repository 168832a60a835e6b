/**
 * Layer 3 end to end: every Intercom table of the registry, from the fake Intercom through the
 * pipeline, the Snowflake destination and the real snowflake-sdk into the fake Snowflake, then
 * read back from the fake Snowflake's database and compared with the fake Intercom's export.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { AssetConfig } from '../../src/config/index.js';
import { EXPORT_TABLES, startFakeIntercom, type FakeIntercom } from '../../src/fake-intercom/index.js';
import { tables } from '../../src/intercom/tables/index.js';
import { runAssets } from '../../src/pipeline/run.js';
import { apiVisibleParts, exportTable } from '../helpers/truth.js';
import type { FakeSnowflake } from './fake/server.js';
import { fakeSnowflake, pipelineProject } from './helpers.js';
import { assetConfig } from '../helpers/asset-config.js';

const TOKEN = 'tok-sf-e2e-51c0';
let intercom: FakeIntercom;
let sf: FakeSnowflake;

const project = () => pipelineProject(sf, intercom.url, TOKEN);

function assetFor(table: string): AssetConfig {
  return assetConfig(table, { destination: 'snowflake' });
}

/** `key -> updated_at` of a destination table (key: the primary key columns joined by '|'). */
async function destKeys(table: string, key: string[], ts?: string): Promise<Map<string, number | null>> {
  const k = key.map((c) => `"${c}"::varchar`).join(` || '|' || `);
  const rows = await sf.query(`select ${k} as k, ${ts ? `epoch("${ts}")::bigint` : 'null'} as t from "intercom"."${table}"`);
  return new Map(rows.map((r) => [String(r.k), r.t == null ? null : Number(r.t)]));
}

async function truthKeys(table: string, key: string[], ts?: string): Promise<Map<string, number | null>> {
  const all = await exportTable(intercom.url, table);
  const rows = table === 'conversation_parts' ? apiVisibleParts(all) : all;
  return new Map(rows.map((r) => [key.map((c) => String(r[c])).join('|'), ts && r[ts] != null ? Number(r[ts]) : null]));
}

const exported = new Set<string>(EXPORT_TABLES);
/** Every registry table and child table the fake Intercom can export, with its key and cursor. */
const compared = tables
  .flatMap((t) => [
    { name: t.name, key: t.primaryKey, ts: t.incrementalKey === 'updated_at' ? 'updated_at' : undefined },
    ...(t.children ?? []).map((c) => ({ name: c.name, key: c.primaryKey, ts: undefined as string | undefined })),
  ])
  .filter((t) => exported.has(t.name));

beforeAll(async () => {
  intercom = await startFakeIntercom({ seed: 23, token: TOKEN, contacts: 400, companies: 30, conversations: 80, tickets: 12 });
  sf = await fakeSnowflake();
});

afterAll(async () => {
  await intercom?.close();
  await sf?.close();
});

describe('snowflake end to end (real snowflake-sdk, fake Snowflake)', () => {
  test('a full ingest of every Intercom table equals the export', async () => {
    const r = await runAssets(
      project(),
      tables.map((t) => assetFor(t.name)),
    );
    expect(r.summaries.filter((s) => s.status !== 'ok')).toEqual([]);
    expect(compared.map((c) => c.name)).toEqual(expect.arrayContaining(['contacts', 'conversations', 'conversation_parts', 'tickets', 'companies']));
    for (const t of compared) {
      const truth = await truthKeys(t.name, t.key, t.ts);
      const got = await destKeys(t.name, t.key, t.ts);
      expect({ table: t.name, size: got.size }).toEqual({ table: t.name, size: truth.size });
      expect(got).toEqual(truth);
    }
    const loads = await sf.query(`select status, count(*)::int as n from "intercom"."_elt_loads" group by status`);
    expect(loads).toEqual([{ status: 'ok', n: tables.length }]);
    const stats = sf.stats();
    // rows reached Snowflake as Parquet files (PUT + COPY INTO), never row by row
    expect(stats.puts).toBeGreaterThan(0);
    expect(sf.engine.statements.filter((s) => /^INSERT INTO "intercom"\."_elt_stage/.test(s))).toEqual([]);
    // no DDL ever ran inside a data transaction (it would have committed the transaction half-way)
    expect(stats.implicitCommits).toBe(0);
    expect(stats.openSessions).toBe(0);
  });

  test('an incremental run after updates and creates matches the export again', async () => {
    const contacts = await exportTable(intercom.url, 'contacts');
    intercom.clock.set(intercom.clock.now() + 3600);
    intercom.updateContact(String(contacts[0]!.id), { name: 'Updated In Snowflake Test' });
    intercom.createContact({ name: 'Created In Snowflake Test' });
    intercom.clock.set(intercom.clock.now() + 3600);
    const r = await runAssets(project(), [assetFor('contacts')]);
    expect(r.ok).toBe(true);
    expect(await destKeys('contacts', ['id'], 'updated_at')).toEqual(await truthKeys('contacts', ['id'], 'updated_at'));
    const names = await sf.query(`select name from "intercom"."contacts" where name like '% In Snowflake Test' order by name`);
    expect(names.map((n) => n.name)).toEqual(['Created In Snowflake Test', 'Updated In Snowflake Test']);
    const [dups] = await sf.query(`select count(*) - count(distinct id) as d from "intercom"."contacts"`);
    expect(Number(dups!.d)).toBe(0);
    expect(sf.stats().implicitCommits).toBe(0);
  });

  test('the asset checks run on Snowflake after the final commit; a failed blocking one fails the run (issue #16)', async () => {
    const industries = new Set((await exportTable(intercom.url, 'companies')).map((c) => String(c['industry'])));
    const [one] = [...industries];
    const r = await runAssets(project(), [
      {
        ...assetFor('companies'),
        checks: [
          { kind: 'column', name: 'unique', column: 'id', blocking: true, excludeDeleted: false },
          { kind: 'column', name: 'accepted_values', column: 'industry', value: [one!], blocking: true, excludeDeleted: false },
          { kind: 'custom', name: 'rows', query: 'SELECT COUNT(*) FROM {{ this }}', value: 0, blocking: false },
        ],
      },
    ]);
    expect(r.ok).toBe(false);
    expect(r.summaries[0]!.status).toBe('ok');
    expect(r.summaries[0]!.checks!.map((c) => [c.check, c.status])).toEqual([
      ['unique', 'passed'],
      ['accepted_values', 'failed'],
      ['rows', 'failed'],
    ]);
    const rows = await sf.query(`select "check_name", "status", "blocking" from "intercom"."_elt_checks" order by "check_name"`);
    expect(rows).toEqual([
      { check_name: 'accepted_values', status: 'failed', blocking: true },
      { check_name: 'rows', status: 'failed', blocking: false },
      { check_name: 'unique', status: 'passed', blocking: true },
    ]);
  });
});
