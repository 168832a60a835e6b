/**
 * Issue #7, kills: `intercom-elt ingest` killed with SIGKILL at 20 moments (crash points inside
 * the process for the moments a random kill rarely hits, `kill -9` from outside after a number
 * of progress events for the rest), on DuckDB, Postgres and Snowflake. After each kill the state
 * is never ahead of the rows and no key is loaded twice; a normal rerun ends equal to the export.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startFakeIntercom, type FakeIntercom } from '../../src/fake-intercom/index.js';
import type { TestProject } from '../helpers/project.js';
import {
  expectEqualsExport,
  expectNoDuplicates,
  expectStateNotAhead,
  ingest,
  ingestOk,
  openTarget,
  project,
  startCli,
  stateOf,
  tableExists,
  type Target,
} from './harness.js';
import { KILL_CHECKPOINT_PAGES, KILL_SNOWFLAKE_LEASE_SECONDS, KILL_WORKSPACE, KILLS, RUN_ASSETS, SLICED_KILLS, type Kill } from './plan.js';

const TOKEN = 'tok-rel-kills-3e8a1f';
let fake: FakeIntercom;

beforeAll(async () => {
  fake = await startFakeIntercom({ ...KILL_WORKSPACE, token: TOKEN, timezone: 'America/New_York' });
});
afterAll(async () => {
  await fake?.close();
});

async function waitFor(cond: () => boolean, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** The rerun after a kill; on Snowflake the dead run's lease must expire first (it says until when). */
async function rerun(p: TestProject, target: Target) {
  for (let attempt = 0; ; attempt++) {
    const r = await ingest(p, target);
    if (r.code === 0) return r;
    const locked = /is locked by .* until/.test(r.stdout + r.stderr);
    if (!locked || attempt > 5) throw new Error(`rerun exited ${r.code}\n${r.stdout}\n${r.stderr}`);
    await new Promise((res) => setTimeout(res, KILL_SNOWFLAKE_LEASE_SECONDS * 1000));
  }
}

const cases = KILLS.map((k, i) => ({ ...k, i: i + 1, label: k.point ? `crash at ${k.point.name}:${k.point.n}` : `kill -9 after ${k.afterEvents} events` }));

describe('a killed run loses and duplicates nothing', () => {
  test.each(cases)(
    '#$i $target: $label ($what)',
    async (k: Kill & { i: number }) => {
      let p: TestProject | undefined;
      const target = await openTarget(k.target, () => p!.duckdbPath, { snowflakeLeaseSeconds: KILL_SNOWFLAKE_LEASE_SECONDS });
      try {
        p = project(fake, TOKEN, target, RUN_ASSETS);
        const swap = k.point?.name === 'swap';
        if (swap) await ingestOk(p, target); // the replace table exists before the swap is cut short
        const env: Record<string, string> = { ...target.env };
        if (k.point) env['INTERCOM_ELT_CRASH_AT'] = `${k.point.name}:${k.point.n}`;
        const run = startCli(['ingest', '--config', p.configFile, '--progress', 'json', '--checkpoint-pages', String(KILL_CHECKPOINT_PAGES)], env, p.dir);
        if (k.afterEvents !== undefined) {
          await waitFor(() => run.events.length >= k.afterEvents! || run.child.exitCode !== null, 60_000);
          run.child.kill('SIGKILL');
        }
        const r = await run.done;
        // the kill really cut the run short (a run that finished first proves nothing)
        expect(r.signal, `the run ended by itself:\n${r.stdout}\n${r.stderr}`).toBe('SIGKILL');
        expect(run.events.some((e) => e['type'] === 'end')).toBe(false);

        await expectNoDuplicates(target, RUN_ASSETS);
        await expectStateNotAhead(fake, target, RUN_ASSETS);
        if (swap) {
          expect(await tableExists(target, 'intercom', 'tags'), 'the replace table survives a kill in its swap').toBe(true);
          const [row] = await target.query(`SELECT count(*) AS n FROM "intercom"."tags"`);
          expect(Number(row!['n'])).toBeGreaterThan(0);
        }

        await rerun(p, target);
        await expectEqualsExport(fake, target, RUN_ASSETS);
      } finally {
        await target.close();
      }
    },
    180_000,
  );
});

describe('a run killed during sliced search reads loses and duplicates nothing (issue 18)', () => {
  const TOKEN_SLICED = 'tok-rel-kills-sliced-18';
  let sliced: FakeIntercom;
  beforeAll(async () => {
    sliced = await startFakeIntercom({ ...SLICED_KILLS.workspace, token: TOKEN_SLICED, timezone: 'America/New_York' });
  });
  afterAll(async () => {
    await sliced?.close();
  });

  test.each(SLICED_KILLS.afterEvents)(
    'kill -9 after %i events',
    async (afterEvents) => {
      let p: TestProject | undefined;
      const target = await openTarget('duckdb', () => p!.duckdbPath);
      try {
        p = project(sliced, TOKEN_SLICED, target, SLICED_KILLS.assets);
        const run = startCli(['ingest', '--config', p.configFile, '--progress', 'json', '--checkpoint-pages', '1'], target.env, p.dir);
        // after the n-th event, once a checkpoint (a resume token) is committed
        const committed = () => run.events.some((e) => e['type'] === 'checkpoint');
        await waitFor(() => (run.events.length >= afterEvents && committed()) || run.child.exitCode !== null, 60_000);
        run.child.kill('SIGKILL');
        const r = await run.done;
        expect(r.signal, `the run ended by itself:\n${r.stdout}\n${r.stderr}`).toBe('SIGKILL');

        // the kill came during a sliced read: a committed resume token lists several unfinished slices
        const state = await stateOf(target);
        const open = [...state.values()].map((s) => ((s['inProgress'] as { resume?: { slices?: unknown[] } } | undefined)?.resume?.slices ?? []).length);
        expect(Math.max(0, ...open), `resume tokens: ${JSON.stringify([...state.entries()])}`).toBeGreaterThan(1);
        await expectNoDuplicates(target, SLICED_KILLS.assets);
        await expectStateNotAhead(sliced, target, SLICED_KILLS.assets);

        await ingestOk(p, target);
        await expectEqualsExport(sliced, target, SLICED_KILLS.assets);
      } finally {
        await target.close();
      }
    },
    180_000,
  );
});
