/** Issue 14 item 11: what Bruin (and dbt) users write out of habit works, or says what to write instead. */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startFakeIntercom, type FakeIntercom } from '../../src/fake-intercom/index.js';
import { runCli } from '../helpers/cli.js';
import { query } from '../helpers/duck.js';
import { makeProject } from '../helpers/project.js';

const TOKEN = 'tok-bruin-habits-6b2d';
let fake: FakeIntercom;

beforeAll(async () => {
  fake = await startFakeIntercom({ seed: 6, token: TOKEN, contacts: 5, companies: 1, conversations: 1, tickets: 1 });
});
afterAll(async () => {
  await fake?.close();
});

const lake = '        - name: lake\n          path: ./lake.duckdb';
const admins = (extra: string) => `name: intercom.admins\ntype: ingestr\n${extra}parameters:\n  source_table: admins\n`;

describe('Bruin habits', () => {
  test("an asset's top-level connection: names its destination connection, as in Bruin", async () => {
    const p = makeProject({ url: fake.url, token: TOKEN, assets: { admins: admins('connection: lake\n') }, extraConnections: lake });
    const list = await runCli(['list', '-c', p.configFile]);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toMatch(/^intercom\.admins\s+admins\s+replace\s+lake\s+never/m);
    const r = await runCli(['ingest', '-c', p.configFile, '--progress', 'log']);
    expect(r.code, r.stderr).toBe(0);
    const [row] = await query(path.join(p.dir, 'lake.duckdb'), 'SELECT count(*)::INTEGER AS n FROM "lake"."intercom"."admins"');
    expect(row!.n).toBeGreaterThan(0);
  });

  test('connection: and parameters.destination_connection that disagree: one line naming both', async () => {
    const p = makeProject({
      url: fake.url,
      token: TOKEN,
      assets: { admins: admins('connection: lake\n').replace('  source_table: admins\n', '  source_table: admins\n  destination_connection: duckdb\n') },
      extraConnections: lake,
    });
    const r = await runCli(['list', '-c', p.configFile]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `error: ${path.join(p.assetsDir, 'admins.asset.yml')}: connection: conflicts with parameters.destination_connection; set it in one place\n`,
    );
  });

  test("{{ env_var('X') }} says to write ${X}, without echoing the default", async () => {
    const p = makeProject({ url: fake.url, token: TOKEN, assets: { admins: admins('') } });
    const yml = readFileSync(p.configFile, 'utf8').replace(`\${TEST_INTERCOM_TOKEN:-${TOKEN}}`, `"{{ env_var('INTERCOM_ACCESS_TOKEN', '${TOKEN}') }}"`);
    writeFileSync(p.configFile, yml);
    for (const args of [['ingest'], ['list']]) {
      const r = await runCli([...args, '-c', p.configFile]);
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(
        `error: ${p.configFile}: environments.default.connections.intercom[0].access_token: {{ env_var('INTERCOM_ACCESS_TOKEN') }} is dbt/Jinja syntax, ` +
          'not expanded here: write ${INTERCOM_ACCESS_TOKEN} (or ${INTERCOM_ACCESS_TOKEN:-default})\n',
      );
      expect(r.stderr + r.stdout).not.toContain(TOKEN);
    }
  });
});
