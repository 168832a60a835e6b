/**
 * Issue 17 (items 4, 9, 12, 13, 15-18): the hostile probe's runtime cases (probe-cases.ts), each
 * through the real CLI on DuckDB and Postgres, with a rule proxy (rule-proxy.ts) in front of the
 * fake Intercom answering as a broken proxy or deploy would.
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { startFakeIntercom, type FakeIntercom } from '../../src/fake-intercom/index.js';
import { runCli } from '../helpers/cli.js';
import { asset, type TestProject } from '../helpers/project.js';
import { expectEqualsExport, ingest, openTarget, project, startCli, stateOf, tableExists, type CliRun, type Target, type TargetKind } from './harness.js';
import { KILL_SNOWFLAKE_LEASE_SECONDS } from './plan.js';
import { probeTargets } from './probe-cases.js';
import { ruleProxy, type ProxyRequest, type RuleProxy } from './rule-proxy.js';

const TOKEN = 'tok-rel-probe-7d3a91c2e5b8';
let fake: FakeIntercom;
let proxy: RuleProxy;
const open: Target[] = [];

beforeAll(async () => {
  fake = await startFakeIntercom({ seed: 17, token: TOKEN, contacts: 300, companies: 5, conversations: 5, tickets: 2 });
  proxy = await ruleProxy(fake.url);
});
afterEach(async () => {
  proxy.rule = undefined;
  proxy.hits.clear();
  for (const t of open.splice(0)) await t.close();
});
afterAll(async () => {
  await proxy?.close();
  await fake?.close();
});

/** A project reading through the proxy into a new destination of `kind`; `keys` are added to the intercom connection. */
async function setup(
  kind: TargetKind,
  o: { assets?: Record<string, string>; keys?: Record<string, string | number> } = {},
): Promise<{ p: TestProject; t: Target }> {
  let p: TestProject | undefined;
  const t = await openTarget(kind, () => p!.duckdbPath, { snowflakeLeaseSeconds: KILL_SNOWFLAKE_LEASE_SECONDS });
  open.push(t);
  p = project({ ...fake, url: proxy.url }, TOKEN, t, []);
  for (const [name, body] of Object.entries(o.assets ?? { contacts: asset('contacts', { destination_connection: t.connection }) })) {
    writeFileSync(`${p.assetsDir}/${name}.asset.yml`, body);
  }
  const extra = Object.entries(o.keys ?? {})
    .map(([k, v]) => `\n          ${k}: ${v}`)
    .join('');
  writeFileSync(p.configFile, readFileSync(p.configFile, 'utf8').replace(/( {10}api_version: .*)/, `$1${extra}`));
  return { p, t };
}

const run = (p: TestProject, t: Target, extra: string[] = [], env: Record<string, string> = {}): CliRun =>
  startCli(['ingest', '--config', p.configFile, ...(extra.includes('--progress') ? [] : ['--progress', 'json']), ...extra], { ...t.env, ...env }, p.dir);

async function until(what: string, ok: () => boolean, ms = 30_000): Promise<void> {
  for (const end = Date.now() + ms; !ok();) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function loads(t: Target): Promise<Array<{ status: string; rows: number; error: string | null; finished: boolean }>> {
  if (!(await tableExists(t, 'intercom', '_elt_loads'))) return [];
  const rows = await t.query(`SELECT status, "rows" AS n, error, finished_at IS NOT NULL AS f FROM "intercom"."_elt_loads" ORDER BY started_at`);
  return rows.map((r) => ({
    status: String(r['status']),
    rows: Number(r['n']),
    error: r['error'] == null ? null : String(r['error']),
    finished: r['f'] === true,
  }));
}

const isPage2 = (r: ProxyRequest) =>
  r.path === '/contacts/search' && typeof (r.json as { pagination?: { starting_after?: unknown } })?.pagination?.starting_after === 'string';
const noStack = (s: string) => expect(s, 'a stack trace').not.toMatch(/^\s+at /m);

describe('GET /me without a usable time zone (item 4)', () => {
  test.each(probeTargets('me-no-timezone'))(
    '%s: no app.timezone is an error naming /me',
    async (kind) => {
      const { p, t } = await setup(kind);
      proxy.rule = async (r, up) => {
        if (r.path !== '/me') return undefined;
        const res = await up();
        const body = JSON.parse(res.body) as { app: Record<string, unknown> };
        delete body.app['timezone'];
        return { ...res, body: JSON.stringify(body) };
      };
      const r = await run(p, t).done;
      expect(r.code, r.stderr).toBe(1);
      expect(r.stdout).toContain('GET /me');
      expect(r.stdout).toContain('app.timezone');
      noStack(r.stderr);
      expect(await stateOf(t)).toEqual(new Map());
    },
    60_000,
  );

  test.each(probeTargets('me-bad-timezone'))(
    '%s: a zone that is not IANA is an error naming /me',
    async (kind) => {
      const { p, t } = await setup(kind);
      proxy.rule = async (r, up) => {
        if (r.path !== '/me') return undefined;
        const res = await up();
        return { ...res, body: res.body.replace(/"timezone":"[^"]*"/, '"timezone":"Mars/Olympus_Mons"') };
      };
      const r = await run(p, t).done;
      expect(r.code, r.stderr).toBe(1);
      for (const s of ['/me', 'Mars/Olympus_Mons', 'IANA']) expect(r.stdout).toContain(s);
      noStack(r.stderr);
    },
    60_000,
  );
});

describe('a secret echoed by Intercom is never stored (item 9)', () => {
  test.each(probeTargets('token-echo'))(
    '%s: a 401 echoing the token: redacted in the output and in _elt_loads',
    async (kind) => {
      const { p, t } = await setup(kind);
      proxy.rule = (r) =>
        r.path === '/contacts/search'
          ? {
              status: 401,
              body: JSON.stringify({
                type: 'error.list',
                request_id: 'probe-401',
                errors: [{ code: 'unauthorized', message: `Access Token Invalid: Bearer ${TOKEN}` }],
              }),
            }
          : undefined;
      const r = await run(p, t).done;
      expect(r.code, r.stderr).toBe(1);
      expect(r.stdout + r.stderr).not.toContain(TOKEN);
      const [load] = await loads(t);
      expect(load?.status).toBe('failed');
      expect(load?.error).toContain('Bearer [redacted]');
      expect(JSON.stringify(await t.query(`SELECT * FROM "intercom"."_elt_loads"`), (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v))).not.toContain(
        TOKEN,
      );
    },
    60_000,
  );
});

/** A 429 asking for a day's wait on every search request. */
const dayLong429 = (r: ProxyRequest) =>
  r.path === '/contacts/search'
    ? {
        status: 429,
        headers: {
          'retry-after': '86400',
          'x-ratelimit-limit': '1000',
          'x-ratelimit-remaining': '0',
          'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 86_400),
        },
        body: JSON.stringify({ type: 'error.list', request_id: 'probe-429', errors: [{ code: 'rate_limit_exceeded', message: 'Rate Limit Exceeded' }] }),
      }
    : undefined;

describe('waits are capped, reported and abortable (item 12)', () => {
  test.each(probeTargets('retry-after-day'))(
    '%s: a day-long 429 waits 120 s at most, in a wait event; SIGTERM ends it',
    async (kind) => {
      const { p, t } = await setup(kind);
      proxy.rule = dayLong429;
      const cli = run(p, t);
      await until('a wait event', () => cli.events.some((e) => e['type'] === 'wait'));
      const wait = cli.events.find((e) => e['type'] === 'wait')!;
      expect(wait).toMatchObject({ asset: 'intercom.contacts', method: 'POST', path: '/contacts/search' });
      expect(Number(wait['seconds'])).toBeGreaterThanOrEqual(120);
      expect(Number(wait['seconds'])).toBeLessThan(121);
      const sent = Date.now();
      cli.child.kill('SIGTERM');
      const r = await cli.done;
      expect(Date.now() - sent).toBeLessThan(5000);
      expect(r.code, r.stderr).toBe(2);
      noStack(r.stderr);
      expect((await loads(t)).map((l) => l.status)).toEqual(['interrupted']);
    },
    60_000,
  );

  test.each(probeTargets('two-signals'))(
    '%s: two signals: exit 2, and no load stays running after the next run',
    async (kind) => {
      const { p, t } = await setup(kind);
      proxy.rule = dayLong429;
      const cli = run(p, t);
      await until('a wait event', () => cli.events.some((e) => e['type'] === 'wait'));
      cli.child.kill('SIGTERM');
      cli.child.kill('SIGTERM');
      const r = await cli.done;
      expect(r.code, r.stderr).toBe(2);
      proxy.rule = undefined;
      const again = await ingest(p, t);
      expect(again.code, again.stderr).toBe(0);
      const after = await loads(t);
      expect(after.filter((l) => l.status === 'running')).toEqual([]);
      expect(after.at(-1)?.status).toBe('ok');
      await expectEqualsExport(fake, t, ['contacts']);
    },
    90_000,
  );
});

/** The first search page, sent 64 bytes every half second. */
const trickled = async (r: ProxyRequest, up: () => Promise<{ status: number; headers: Record<string, string>; body: string }>) =>
  r.path === '/contacts/search' ? { ...(await up()), trickle: { bytes: 64, everyMs: 500 } } : undefined;

describe('a trickled body meets the request deadline (item 13)', () => {
  test.each(probeTargets('trickle-deadline'))(
    '%s: request_timeout_seconds ends each attempt; the run fails naming it',
    async (kind) => {
      const { p, t } = await setup(kind, { keys: { request_timeout_seconds: 2, max_attempts: 2 } });
      proxy.rule = trickled;
      const started = Date.now();
      const r = await run(p, t).done;
      expect(Date.now() - started).toBeLessThan(30_000);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stdout + r.stderr).toContain('request_timeout_seconds');
      expect(proxy.hits.get('POST /contacts/search')).toBe(2);
      noStack(r.stderr);
    },
    60_000,
  );

  test.each(probeTargets('trickle-sigterm'))(
    '%s: SIGTERM during a trickled body is prompt',
    async (kind) => {
      const { p, t } = await setup(kind);
      proxy.rule = trickled;
      const cli = run(p, t);
      await until('the trickled request', () => (proxy.hits.get('POST /contacts/search') ?? 0) > 0);
      await new Promise((r) => setTimeout(r, 1500));
      const sent = Date.now();
      cli.child.kill('SIGTERM');
      const r = await cli.done;
      expect(Date.now() - sent).toBeLessThan(5000);
      expect(r.code, r.stderr).toBe(2);
      expect((await loads(t)).map((l) => l.status)).toEqual(['interrupted']);
    },
    60_000,
  );
});

describe('_elt_loads records what was committed (item 15)', () => {
  test.each(probeTargets('interrupt-replace'))(
    '%s: an interrupted replace run committed nothing, and says so',
    async (kind) => {
      const { p, t } = await setup(kind, { assets: { contacts: asset('contacts', { destination_connection: kind, incremental_strategy: 'replace' }) } });
      proxy.rule = (r) => (isPage2(r) ? 'stall' : undefined);
      const cli = run(p, t, ['--checkpoint-pages', '1']);
      await until('the request for page 2', () => (proxy.hits.get('POST /contacts/search') ?? 0) >= 2);
      cli.child.kill('SIGINT');
      const r = await cli.done;
      expect(r.code, r.stderr).toBe(2);
      const [load] = await loads(t);
      expect(load).toMatchObject({ status: 'interrupted', rows: 0, finished: true });
      expect(load?.error).toContain('nothing of this run was committed');
      expect(await tableExists(t, 'intercom', 'contacts')).toBe(false);
    },
    60_000,
  );

  test.each(probeTargets('interrupt-merge'))(
    '%s: SIGINT while page 2 hangs commits page 1 promptly, and says 150 rows',
    async (kind) => {
      const { p, t } = await setup(kind);
      proxy.rule = (r) => (isPage2(r) ? 'stall' : undefined);
      const cli = run(p, t, ['--checkpoint-pages', '10000', '--checkpoint-seconds', '3600']);
      // (page 1 is delivered only with the pages read ahead of it, or at the end of the stream)
      await until('the request for page 2', () => (proxy.hits.get('POST /contacts/search') ?? 0) >= 2);
      const sent = Date.now();
      cli.child.kill('SIGINT');
      const r = await cli.done;
      expect(Date.now() - sent).toBeLessThan(5000);
      expect(r.code, r.stderr).toBe(2);
      const [load] = await loads(t);
      expect(load, JSON.stringify({ load, err: r.stdout.slice(-1500) })).toMatchObject({ status: 'interrupted', rows: 150 });
      expect(load?.error).toContain('150 rows were committed');
      expect(Number((await t.query(`SELECT count(*) AS n FROM "intercom"."contacts"`))[0]!['n'])).toBe(150);
      expect((await stateOf(t)).get('intercom.contacts')?.['inProgress']).toBeDefined();
      proxy.rule = undefined;
      const again = await ingest(p, t);
      expect(again.code, again.stderr).toBe(0);
      await expectEqualsExport(fake, t, ['contacts']);
    },
    60_000,
  );
});

describe('a signal before any asset starts (item 16)', () => {
  test.each(probeTargets('sigterm-before-start'))(
    '%s: exit 2 with a line, the asset listed as interrupted',
    async (kind) => {
      const { p, t } = await setup(kind);
      const r = await run(p, t, ['--progress', 'log'], { INTERCOM_ELT_CRASH_AT: 'run-start:1:SIGTERM' }).done;
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain('SIGTERM: stopping');
      expect(r.stdout).toMatch(/^intercom\.contacts\s+interrupted\b/m);
      expect(r.stdout).toContain('before it started');
      if (kind === 'duckdb') expect(existsSync(p.duckdbPath)).toBe(false);
      else expect(await tableExists(t, 'intercom', '_elt_loads')).toBe(false);
    },
    60_000,
  );
});

describe('loads left running are marked abandoned (item 17)', () => {
  test.each(probeTargets('abandoned'))(
    '%s: kill -9 after a checkpoint, then the next run marks the load abandoned',
    async (kind) => {
      const { p, t } = await setup(kind);
      const killed = await run(p, t, ['--checkpoint-pages', '1'], { INTERCOM_ELT_CRASH_AT: 'after-commit:1' }).done;
      expect(killed.signal).toBe('SIGKILL');
      expect((await loads(t)).map((l) => l.status)).toEqual(['running']);
      if (kind === 'snowflake') await new Promise((r) => setTimeout(r, (KILL_SNOWFLAKE_LEASE_SECONDS + 1) * 1000));
      const again = await ingest(p, t);
      expect(again.code, again.stderr).toBe(0);
      const [first, second] = await loads(t);
      expect(first).toMatchObject({ status: 'abandoned', finished: true });
      expect(first?.error).toContain('abandoned');
      expect(second?.status).toBe('ok');
      const show = await runCli(['state', 'show', '-c', p.configFile], { cwd: p.dir, env: t.env });
      expect(show.code, show.stderr).toBe(0);
      expect(show.stdout).toContain('abandoned');
    },
    90_000,
  );

  test.each(probeTargets('lock-holder-not-abandoned'))(
    "%s: a second run on the lock leaves the first's load running",
    async (kind) => {
      const { p, t } = await setup(kind);
      proxy.rule = (r) => (isPage2(r) ? 'stall' : undefined);
      const first = run(p, t);
      await until('the request for page 2', () => (proxy.hits.get('POST /contacts/search') ?? 0) >= 2);
      const second = await ingest(p, t);
      expect(second.code, second.stderr).toBe(1);
      expect(second.stderr).toMatch(/lock/i);
      if (kind !== 'duckdb') expect((await loads(t)).map((l) => l.status)).toEqual(['running']); // DuckDB: the file is the writer's alone
      first.child.kill('SIGTERM');
      expect((await first.done).code).toBe(2);
      expect((await loads(t)).map((l) => l.status)).toEqual(['interrupted']);
    },
    60_000,
  );
});

describe('read-only commands open DuckDB read-only (item 18)', () => {
  test.each(probeTargets('read-only-reader'))(
    '%s: state show and list beside a read-only reader',
    async (kind) => {
      const { p, t } = await setup(kind);
      expect((await ingest(p, t)).code).toBe(0);
      const reader = await DuckDBInstance.create(p.duckdbPath, { access_mode: 'READ_ONLY' });
      try {
        for (const args of [['state', 'show'], ['list']]) {
          const r = await runCli([...args, '-c', p.configFile], { cwd: p.dir });
          expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
          expect(r.stdout).toContain('intercom.contacts');
        }
      } finally {
        reader.closeSync();
      }
    },
    60_000,
  );
});
