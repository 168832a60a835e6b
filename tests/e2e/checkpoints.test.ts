/**
 * Issue #3: state committed with the data. A run that dies mid-stream keeps its last checkpoint
 * (rows + state together) and the next run resumes from it; a failed replace leaves the old table.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import path from 'node:path';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import { startFakeIntercom, type FakeIntercom } from '../../src/fake-intercom/index.js';
import type { AssetConfig, DestinationConnection, IntercomConnection } from '../../src/config/index.js';
import { runAssets } from '../../src/pipeline/run.js';
import type { ProgressEvent } from '../../src/pipeline/events.js';
import { query } from '../helpers/duck.js';
import { exportTable, idMap } from '../helpers/truth.js';
import { assetConfig } from '../helpers/asset-config.js';

const TOKEN = 'tok-ckpt-9d2e';
let fake: FakeIntercom;
let dir: string;

function project(file: string) {
  const intercom: IntercomConnection & { maxAttempts: number } = {
    name: 'intercom',
    accessToken: TOKEN,
    region: 'us',
    apiVersion: '2.14',
    baseUrl: fake.url,
    maxAttempts: 2,
    // one cursor chain, so "the 7th search page fails" is an exact point; sliced reads are killed
    // and resumed in tests/tables/search-slices.test.ts and tests/reliability/kills.test.ts
    searchSlices: 1,
  };
  const duck: DestinationConnection = { type: 'duckdb', name: 'duckdb', path: file };
  return { intercom: new Map([['intercom', intercom as IntercomConnection]]), destinations: new Map([['duckdb', duck]]) };
}

function contactsAsset(strategy: AssetConfig['strategy']): AssetConfig {
  return assetConfig('contacts', { strategy });
}

beforeAll(async () => {
  fake = await startFakeIntercom({ seed: 11, token: TOKEN, contacts: 3000, companies: 10, conversations: 10, tickets: 5 });
  dir = mkdtempSync(path.join(os.tmpdir(), 'ielt-ckpt-'));
});
afterAll(async () => {
  await fake?.close();
});

describe('checkpoints', () => {
  test('a run killed between checkpoints loses nothing and resumes from its last checkpoint', async () => {
    const file = path.join(dir, 'resume.duckdb');
    const pages = Math.ceil(3000 / 150);
    // die after 7 search pages: checkpoints (every 2 pages) cover 6 pages
    const trapped = fake.stats().faultsByKind.fail_after ?? 0;
    fake.failAfter(7, '/contacts/search');
    const first = await runAssets(project(file), [contactsAsset('merge')], { checkpointPages: 2 });
    expect(first.ok).toBe(false);
    expect(first.summaries[0]!.status).toBe('failed');
    expect(first.summaries[0]!.checkpoints).toBe(3);
    const [{ n }] = (await query(file, 'select count(*)::int as n from intercom.contacts')) as [{ n: number }];
    expect(n).toBe(6 * 150);
    const [st] = await query(file, `select state::varchar as s from intercom._elt_state where asset = 'intercom.contacts'`);
    const state = JSON.parse(String(st!['s']));
    expect(state.cursor ?? null).toBeNull(); // never ahead of the data: the window is not finished
    expect(state.inProgress.resume).toBeTruthy();

    fake.failAfter(-1);
    expect(fake.stats().faultsByKind.fail_after ?? 0).toBeGreaterThan(trapped);

    const events: ProgressEvent[] = [];
    const before = fake.stats().byPath['/contacts/search'] ?? 0;
    const second = await runAssets(project(file), [contactsAsset('merge')], { checkpointPages: 2, onEvent: (e) => events.push(e) });
    expect(second.ok).toBe(true);
    expect(events.find((e) => e.type === 'asset_start')).toMatchObject({ resumed: true });
    // resumed: only the pages after the checkpoint were read again
    expect((fake.stats().byPath['/contacts/search'] ?? 0) - before).toBe(pages - 6);
    const truth = idMap(await exportTable(fake.url, 'contacts'));
    const got = await query(file, `select id, epoch(updated_at)::bigint as t from intercom.contacts`);
    expect(new Map(got.map((r) => [String(r['id']), Number(r['t'])]))).toEqual(truth);
    const loads = await query(file, `select status from intercom._elt_loads order by started_at`);
    expect(loads.map((l) => l['status'])).toEqual(['failed', 'ok']);
  });

  test('a replace that fails midway leaves the previous table intact', async () => {
    const file = path.join(dir, 'replace.duckdb');
    const ok = await runAssets(project(file), [contactsAsset('replace')], {});
    expect(ok.ok).toBe(true);
    const snapshot = await query(file, 'select id, name, epoch(updated_at)::bigint t from intercom.contacts order by id');
    expect(snapshot.length).toBe(3000);
    const victim = String(snapshot[0]!['id']);
    fake.updateContact(victim, { name: 'Changed Later' });
    const trapped = fake.stats().faultsByKind.fail_after ?? 0;
    fake.failAfter(4, '/contacts/search');
    const failed = await runAssets(project(file), [contactsAsset('replace')], { checkpointPages: 2 });
    fake.failAfter(-1);
    expect(fake.stats().faultsByKind.fail_after ?? 0).toBeGreaterThan(trapped);
    expect(failed.ok).toBe(false);
    expect(await query(file, 'select id, name, epoch(updated_at)::bigint t from intercom.contacts order by id')).toEqual(snapshot);
  });
});
