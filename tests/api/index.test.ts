/**
 * Issue #14 item 18: the package entry (package.json `main`, the built dist/index.js) as a Node
 * orchestrator uses it: `ingest()` against the fake Intercom into a real DuckDB file, and `check()`.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startFakeIntercom, type FakeIntercom } from '../../src/fake-intercom/index.js';
import { repoRoot } from '../helpers/cli.js';
import { query } from '../helpers/duck.js';
import { asset, makeProject } from '../helpers/project.js';
import { exportTable } from '../helpers/truth.js';

type Api = typeof import('../../src/index.js');
const TOKEN = 'tok-api-2b4d6f8a0c1e';
let fake: FakeIntercom;
let api: Api;

beforeAll(async () => {
  const pkg = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { main: string; types: string };
  expect(existsSync(path.join(repoRoot, pkg.types)), pkg.types).toBe(true);
  api = (await import(pathToFileURL(path.join(repoRoot, pkg.main)).href)) as Api;
  fake = await startFakeIntercom({ seed: 18, token: TOKEN, contacts: 80, companies: 5, conversations: 5, tickets: 1 });
});
afterAll(async () => {
  await fake?.close();
});

describe('the package entry', () => {
  test('ingest() loads the project into DuckDB, reports every event, prints nothing', async () => {
    const p = makeProject({ url: fake.url, token: TOKEN, assets: { contacts: asset('contacts'), admins: asset('admins') } });
    const events: string[] = [];
    const written: string[] = [];
    const write = process.stdout.write;
    process.stdout.write = ((chunk: string) => (written.push(String(chunk)), true)) as typeof process.stdout.write;
    let result: Awaited<ReturnType<Api['ingest']>>;
    try {
      result = await api.ingest({ config: p.configFile, onEvent: (e) => events.push(`${e.type} ${e.asset}`) });
    } finally {
      process.stdout.write = write;
    }
    expect(written).toEqual([]);
    expect(result.ok).toBe(true);
    const contacts = await exportTable(fake.url, 'contacts');
    const admins = await exportTable(fake.url, 'admins');
    const byAsset = Object.fromEntries(result.summaries.map((s) => [s.asset, s]));
    expect(byAsset['intercom.contacts']).toMatchObject({ status: 'ok', rows: contacts.length });
    expect(byAsset['intercom.admins']).toMatchObject({ status: 'ok', rows: admins.length });
    for (const a of ['intercom.contacts', 'intercom.admins']) {
      expect(events).toContain(`asset_start ${a}`);
      expect(events).toContain(`asset_end ${a}`);
    }
    const [n] = await query(p.duckdbPath, 'SELECT count(DISTINCT id)::INTEGER AS n FROM intercom.contacts');
    expect(n!.n).toBe(contacts.length);

    // an incremental second run through the same API reads only what changed
    const again = await api.ingest({ config: p.configFile, assets: ['intercom.contacts'] });
    expect(again.ok).toBe(true);
    expect(again.summaries.map((s) => s.asset)).toEqual(['intercom.contacts']);
    expect(again.summaries[0]!.rows).toBeLessThan(contacts.length);
  });

  test('check() returns the report: ok for a good project, a failed row for a wrong token', async () => {
    const good = makeProject({ url: fake.url, token: TOKEN, assets: { contacts: asset('contacts') } });
    const ok = await api.check({ config: good.configFile });
    expect(ok.ok).toBe(true);
    expect(ok.rows.map((r) => `${r.check} ${r.target} ${r.status}`)).toEqual([
      'config connections.yml ok',
      'intercom intercom ok',
      'permission intercom: contacts ok',
      'destination duckdb ok',
    ]);
    const wrong = makeProject({ url: fake.url, token: 'tok-wrong-9a8b7c6d5e', assets: { contacts: asset('contacts') } });
    const bad = await api.check({ config: wrong.configFile });
    expect(bad.ok).toBe(false);
    expect(bad.rows.find((r) => r.check === 'intercom')).toMatchObject({ status: 'fail' });
    expect(JSON.stringify(bad.rows)).not.toContain('tok-wrong-9a8b7c6d5e');
  });

  test('bad input rejects with the typed error the CLI prints; an unknown option is not ignored', async () => {
    const missing = path.join(repoRoot, 'no-such-dir', 'connections.yml');
    await expect(api.ingest({ config: missing })).rejects.toBeInstanceOf(api.EltError);
    await expect(api.ingest({ fullRefesh: true } as never)).rejects.toThrow(`ingest(): unknown option 'fullRefesh'; did you mean "fullRefresh"?`);
    await expect(api.check({ tag: ['x'] } as never)).rejects.toThrow(/^check\(\): unknown option 'tag'/);
    const p = makeProject({ url: fake.url, token: TOKEN, assets: { contacts: asset('contacts') } });
    await expect(api.ingest({ config: p.configFile, assets: ['intercom.nope'] })).rejects.toBeInstanceOf(api.ConfigError);
  });
});
