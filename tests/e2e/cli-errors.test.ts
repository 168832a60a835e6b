/**
 * Issue #3: every config error is one line naming the file and the field, exit 1, no stack trace
 * without --debug, and the access token appears in no output of a failing or a passing run.
 */
import { writeFileSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startFakeIntercom, type FakeIntercom } from '../../src/fake-intercom/index.js';
import { runCli } from '../helpers/cli.js';
import { asset, makeProject } from '../helpers/project.js';

const TOKEN = 'tok-secret-5b8e21c4a7';
let fake: FakeIntercom;

beforeAll(async () => {
  fake = await startFakeIntercom({ seed: 3, token: TOKEN, contacts: 300, companies: 10, conversations: 50, tickets: 5 });
});
afterAll(async () => {
  await fake?.close();
});

const good = () => ({
  conn: [
    'connections:',
    '  intercom:',
    '    - name: intercom',
    `      access_token: ${TOKEN}`,
    '      region: us',
    '  duckdb:',
    '    - name: duckdb',
    '      path: ./w.duckdb',
  ].join('\n'),
  assets: { contacts: asset('contacts') } as Record<string, string>,
});

interface Case {
  name: string;
  conn?: (c: string) => string;
  assets?: Record<string, string>;
  args?: string[];
  env?: Record<string, string>;
  /** substrings the one error line must contain (file and field) */
  expect: string[];
}

const cases: Case[] = [
  { name: 'bad YAML in connections.yml', conn: (c) => c + '\n  : [unclosed', expect: ['connections.yml'] },
  { name: 'unknown strategy', assets: { contacts: asset('contacts', { incremental_strategy: 'upsert' }) }, expect: ['contacts.asset.yml', 'incremental_strategy'] },
  { name: 'missing environment variable', conn: (c) => c.replace(TOKEN, '${NOT_SET_ANYWHERE_XYZ}'), expect: ['connections.yml', 'access_token', 'NOT_SET_ANYWHERE_XYZ'] },
  { name: 'unknown source connection', assets: { contacts: asset('contacts', { source_connection: 'nope' }) }, expect: ['contacts.asset.yml', 'source_connection'] },
  { name: 'bad region', conn: (c) => c.replace('region: us', 'region: mars'), expect: ['connections.yml', 'region'] },
  { name: 'unknown source table', assets: { x: asset('contactz') }, expect: ['x.asset.yml', 'source_table'] },
  { name: 'unknown key with a suggestion', conn: (c) => c.replace('access_token', 'acess_token'), expect: ['connections.yml', 'acess_token', 'access_token'] },
  { name: 'bad api_version', conn: (c) => c + '\n      api_version: "3.9"', expect: ['connections.yml', 'api_version'] },
  { name: 'bad lookback duration', assets: { contacts: asset('contacts', { lookback: '10x' }) }, expect: ['contacts.asset.yml', 'lookback'] },
  { name: 'bad start_date', assets: { contacts: asset('contacts') + 'start_date: yesterday-ish\n' }, expect: ['contacts.asset.yml', 'start_date'] },
  { name: 'duplicate asset names', assets: { a: asset('contacts'), b: asset('contacts') }, expect: ['intercom.contacts'] },
  { name: 'unknown destination connection', assets: { contacts: asset('contacts', { destination_connection: 'warehouse9' }) }, expect: ['contacts.asset.yml', 'destination'] },
  { name: 'region of the wrong type', conn: (c) => c.replace('region: us', 'region: [us]'), expect: ['connections.yml', 'region'] },
  { name: 'empty access token', conn: (c) => c.replace(TOKEN, '""'), expect: ['connections.yml', 'access_token'] },
  { name: 'bad YAML in an asset', assets: { contacts: 'name: [oops\n' }, expect: ['contacts.asset.yml'] },
  { name: 'missing config file', args: ['--config', 'does-not-exist.yml'], expect: ['does-not-exist.yml'] },
  { name: 'unknown environment', args: ['-e', 'staging'], expect: ['connections.yml', 'staging'] },
  { name: 'unknown strategy in an asset materialization', assets: { contacts: 'parameters:\n  source_table: contacts\nmaterialization:\n  strategy: explode\n' }, expect: ['contacts.asset.yml', 'strategy'] },
  { name: 'no intercom connection', conn: (c) => c.split('  duckdb:')[0]!.replace(/  intercom:[\s\S]*/, '') + '  duckdb:\n    - name: duckdb\n      path: ./w.duckdb', expect: ['source_connection'] },
  { name: 'bad --source-uri', args: ['--source-uri', 'intercom://?region=eu', '--source-table', 'contacts', '--dest-uri', 'duckdb:///x.duckdb'], expect: ['--source-uri', 'access_token'] },
  { name: 'bad --dest-uri', args: ['--source-uri', `intercom://?access_token=${TOKEN}`, '--source-table', 'contacts', '--dest-uri', 'mysql://u@h/db'], expect: ['--dest-uri'] },
  { name: 'unknown --source-table', args: ['--source-uri', `intercom://?access_token=${TOKEN}`, '--source-table', 'contactz', '--dest-uri', 'duckdb:///x.duckdb'], expect: ['--source-table', 'contactz'] },
  { name: 'bad --interval-start', args: ['--interval-start', 'last tuesday'], expect: ['--interval-start'] },
  { name: 'unknown asset selected', args: ['intercom.nope'], expect: ['intercom.nope'] },
];

function setup(c: Case): { dir: string; args: string[] } {
  const g = good();
  const p = makeProject({ url: fake.url, token: TOKEN, assets: {} });
  writeFileSync(p.configFile, (c.conn ?? ((x: string) => x))(g.conn.replace('region: us', `region: us\n      base_url: ${fake.url}`)));
  rmSync(p.assetsDir, { recursive: true });
  mkdirSync(p.assetsDir);
  for (const [n, body] of Object.entries(c.assets ?? g.assets)) writeFileSync(path.join(p.assetsDir, `${n}.asset.yml`), body);
  return { dir: p.dir, args: ['ingest', '--progress', 'log', ...(c.args ?? ['--config', p.configFile])].concat(c.args && !c.args.includes('--config') && !c.args.includes('--source-uri') ? ['--config', p.configFile] : []) };
}

describe('bad input: one line, exit 1, no stack, no secret', () => {
  test.each(cases)('$name', async (c) => {
    const { dir, args } = setup(c);
    const r = await runCli(args, { cwd: dir });
    const lines = r.stderr.trim().split('\n');
    expect(r.code, r.stderr).toBe(1);
    expect(lines, r.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(/^error: /);
    for (const s of c.expect) expect(lines[0]).toContain(s);
    expect(r.stderr + r.stdout).not.toMatch(/\n\s+at /);
    expect(r.stderr + r.stdout).not.toContain(TOKEN);
  });
  expect(cases.length).toBeGreaterThanOrEqual(20);
});

describe('secrets', () => {
  test('the token appears in no output of passing runs in every progress mode, with --debug', async () => {
    for (const mode of ['log', 'json', 'interactive']) {
      const { dir, args } = setup({ name: 'ok', expect: [] });
      const r = await runCli([...args, '--progress', mode, '--debug'], { cwd: dir });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout + r.stderr).not.toContain(TOKEN);
    }
  });

  test('a 401 from Intercom fails the table with exit 1, names the table, and never shows the token', async () => {
    const { dir, args } = setup({ name: '401', conn: (c) => c.replace(TOKEN, 'wrong-token-77aa99'), expect: [] });
    const r = await runCli([...args, '--debug'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).toContain('intercom.contacts');
    expect(r.stdout + r.stderr).toContain('unauthorized');
    expect(r.stdout + r.stderr).not.toContain('wrong-token-77aa99');
    expect(r.stdout + r.stderr).not.toContain(TOKEN);
  });
});
