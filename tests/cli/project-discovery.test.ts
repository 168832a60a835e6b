/**
 * Issue 14 items 7 and 8: read-only commands need no Intercom token, an unset variable matters only
 * to a command that uses its connection, and the project is found like git finds its repository.
 */
import { mkdirSync, mkdtempSync, renameSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startFakeIntercom, type FakeIntercom } from '../../src/fake-intercom/index.js';
import { runCli } from '../helpers/cli.js';
import { asset, makeProject } from '../helpers/project.js';

const TOKEN = 'tok-discovery-3a9c0e';
const NO_TOKEN = { INTERCOM_ACCESS_TOKEN: undefined };
let fake: FakeIntercom;

beforeAll(async () => {
  fake = await startFakeIntercom({ seed: 4, token: TOKEN, contacts: 10, companies: 2, conversations: 2, tickets: 1 });
});
afterAll(async () => {
  await fake?.close();
});

const initProject = async (): Promise<string> => {
  const dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'ielt-disc-')), 'proj');
  expect((await runCli(['init', dir])).code).toBe(0);
  return dir;
};

describe('read-only commands without INTERCOM_ACCESS_TOKEN', () => {
  test('list, state show and dbt-sources work; ingest and check name the variable', async () => {
    const dir = await initProject();
    for (const args of [['list'], ['state', 'show'], ['dbt-sources']]) {
      const r = await runCli(args, { cwd: dir, env: NO_TOKEN });
      // dbt-sources notes on stderr which tests need dbt_utils; nothing may be an error or name the variable
      expect(r.stderr, args.join(' ')).not.toMatch(/error|INTERCOM_ACCESS_TOKEN/);
      expect(r.code, args.join(' ')).toBe(0);
    }
    const ingest = await runCli(['ingest', 'intercom.admins'], { cwd: dir, env: NO_TOKEN });
    expect(ingest.code).toBe(1);
    expect(ingest.stderr.trim().split('\n')).toEqual([
      `error: ${path.join(dir, 'connections.yml')}: environments.default.connections.intercom[0].access_token: environment variable INTERCOM_ACCESS_TOKEN is not set`,
    ]);
    const check = await runCli(['check'], { cwd: dir, env: NO_TOKEN });
    expect(check.code).toBe(1);
    expect(check.stdout).toMatch(/^intercom\s+intercom\s+fail\s+.*INTERCOM_ACCESS_TOKEN is not set/m);
    expect(check.stderr).toMatch(/^error: check failed: .*INTERCOM_ACCESS_TOKEN is not set$/m);
  });

  test('an unset variable of a connection no selected asset uses is not an error', async () => {
    const p = makeProject({
      url: fake.url,
      token: TOKEN,
      assets: { admins: asset('admins', { destination_connection: 'duckdb' }) },
      extraConnections: [
        '      postgres:',
        '        - name: pg',
        '          host: localhost',
        '          database: x',
        '          username: u',
        '          password: ${PG_PASSWORD_NOT_SET_4711}',
      ].join('\n'),
    });
    const ingest = await runCli(['ingest', '-c', p.configFile, '--progress', 'log'], { env: { PG_PASSWORD_NOT_SET_4711: undefined } });
    expect(ingest.code, ingest.stderr).toBe(0);
    const check = await runCli(['check', '-c', p.configFile], { env: { PG_PASSWORD_NOT_SET_4711: undefined } });
    expect(check.code, check.stdout + check.stderr).toBe(0);
    expect(check.stdout).toMatch(/^destination\s+pg\s+skip\s+environment variable PG_PASSWORD_NOT_SET_4711 is not set; no selected asset uses it/m);
  });
});

describe('finding the project', () => {
  test('from a subfolder, connections.yml is found in a parent; assets/ beside it', async () => {
    const dir = await initProject();
    const deep = path.join(dir, 'models', 'staging');
    mkdirSync(deep, { recursive: true });
    const r = await runCli(['list'], { cwd: deep, env: NO_TOKEN });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`Assets (${path.join(dir, 'connections.yml')}, environment default)`);
    expect(r.stdout).toMatch(/^intercom\.contacts\s+contacts\s+merge\s+warehouse\s+never/m);
  });

  test("Bruin's .bruin.yml is accepted in place of connections.yml", async () => {
    const dir = await initProject();
    renameSync(path.join(dir, 'connections.yml'), path.join(dir, '.bruin.yml'));
    const r = await runCli(['state', 'show', 'intercom.admins'], { cwd: path.join(dir, 'assets'), env: NO_TOKEN });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('intercom.admins (destination warehouse)');
    const list = await runCli(['list'], { cwd: dir, env: NO_TOKEN });
    expect(list.stdout).toContain(`Assets (${path.join(dir, '.bruin.yml')}, environment default)`);
  });

  test('outside any project: one line saying what to do; list shows only the tables', async () => {
    const outside = mkdtempSync(path.join(os.tmpdir(), 'ielt-noproj-'));
    for (const [args, tail] of [
      [['ingest'], ' / --source-uri'],
      [['state', 'show'], ''],
      [['check'], ''],
      [['dbt-sources'], ''],
    ] as const) {
      const r = await runCli([...args], { cwd: outside });
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stderr).toBe(`error: no connections.yml here or above; run \`intercom-elt init\` or pass -c${tail}\n`);
    }
    const list = await runCli(['list'], { cwd: outside });
    expect(list.code).toBe(0);
    expect(list.stdout).not.toContain('Assets (');
    // an explicit -c that does not exist is still named as it was given
    const missing = await runCli(['state', 'show', '-c', 'nope.yml'], { cwd: outside });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`${path.join(outside, 'nope.yml')}: (file): not found`);
  });
});
