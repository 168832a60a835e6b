/**
 * Issue #7, SIGINT/SIGTERM: the run stops at its next checkpoint, commits it, and exits 2 with a
 * message; what it committed is consistent (state never ahead of the rows, no duplicate key)
 * and a rerun resumes and ends equal to the export.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startFakeIntercom, type FakeIntercom } from '../../src/fake-intercom/index.js';
import type { TestProject } from '../helpers/project.js';
import { expectEqualsExport, expectNoDuplicates, expectStateNotAhead, openTarget, project, startCli, stateOf } from './harness.js';
import { RUN_ASSETS, SIGNAL_AFTER_EVENTS, SIGNAL_WORKSPACE, SIGNALS } from './plan.js';

const TOKEN = 'tok-rel-signals-0b7d44';
let fake: FakeIntercom;
/**
 * For the relaunch tests, which read contacts alone: read by one search chain at 300 ms a page the
 * 16 pages take ~5 s, so the signal lands mid-run even when the test process is seconds late to see
 * the pages (at 40 ms a page, with the pace opening a second chain under CPU contention, a CI run
 * read all 2,400 contacts in 0.3 s and exited 0 before the signal came).
 */
let slowFake: FakeIntercom;
const SLOW = { latencyMs: 300, searchSlices: 1 };

beforeAll(async () => {
  // latency makes the run last a few seconds, so the signal lands mid-run; contacts, read by one
  // search chain at 150 ms a page, are still being read when it comes
  fake = await startFakeIntercom({ ...SIGNAL_WORKSPACE, token: TOKEN, latencyMs: 40, searchLatencyMs: 150 });
  slowFake = await startFakeIntercom({ ...SIGNAL_WORKSPACE, token: TOKEN, latencyMs: SLOW.latencyMs });
});
afterAll(async () => {
  await fake?.close();
  await slowFake?.close();
});

describe('SIGINT and SIGTERM stop at the next checkpoint', () => {
  test.each(SIGNALS)(
    '$signal into $target: checkpoint committed, exit 2, the rerun resumes',
    async ({ signal, target: kind }) => {
      let p: TestProject | undefined;
      const target = await openTarget(kind, () => p!.duckdbPath);
      try {
        p = project(fake, TOKEN, target, RUN_ASSETS, { searchSlices: 1 });
        // checkpoints only by the signal (the page and time triggers are far away)
        const run = startCli(
          ['ingest', '--config', p.configFile, '--progress', 'json', '--checkpoint-pages', '10000', '--checkpoint-seconds', '3600'],
          target.env,
          p.dir,
        );
        const pagesOf = (asset: string) => run.events.filter((e) => e['type'] === 'page' && e['asset'] === asset).length;
        for (const until = Date.now() + 60_000; pagesOf('intercom.contacts') < SIGNAL_AFTER_EVENTS && run.child.exitCode === null;) {
          if (Date.now() > until) throw new Error('no contacts pages');
          await new Promise((r) => setTimeout(r, 5));
        }
        run.child.kill(signal);
        const r = await run.done;
        expect(r.code, r.stdout + r.stderr).toBe(2);
        expect(r.stderr).toContain(`${signal}: stopping at the next checkpoint`);
        expect(r.stdout + r.stderr).not.toMatch(/^\s+at /m);

        // the contacts read before the signal were committed with their state, resumable
        const contacts = await target.query(`SELECT count(*) AS n FROM "intercom"."contacts"`);
        expect(Number(contacts[0]!['n'])).toBeGreaterThanOrEqual(150 * SIGNAL_AFTER_EVENTS);
        const state = (await stateOf(target)).get('intercom.contacts');
        expect(state?.['inProgress'], JSON.stringify(state)).toBeDefined();
        const loads = await target.query(`SELECT status FROM "intercom"."_elt_loads" WHERE asset = 'intercom.contacts'`);
        expect(loads.map((l) => l['status'])).toEqual(['interrupted']);
        await expectNoDuplicates(target, RUN_ASSETS);
        await expectStateNotAhead(fake, target, RUN_ASSETS);

        const again = startCli(['ingest', '--config', p.configFile, '--progress', 'json'], target.env, p.dir);
        expect((await again.done).code).toBe(0);
        const start = again.events.find((e) => e['type'] === 'asset_start' && e['asset'] === 'intercom.contacts');
        expect(start?.['resumed']).toBe(true);
        await expectEqualsExport(fake, target, RUN_ASSETS);
      } finally {
        await target.close();
      }
    },
    180_000,
  );
});

describe('the installed command relaunches ingest with malloc settings: signals still stop it once, at a checkpoint', () => {
  test.each([
    ["Ctrl-C (SIGINT to the terminal's process group: parent and run both get it)", 'group'],
    ['SIGTERM to the command alone (a scheduler stopping the process it started)', 'parent'],
  ] as const)(
    '%s',
    async (_, to) => {
      let p: TestProject | undefined;
      const target = await openTarget('duckdb', () => p!.duckdbPath);
      try {
        p = project(slowFake, TOKEN, target, ['contacts'], { searchSlices: SLOW.searchSlices });
        const run = startCli(
          ['ingest', '--config', p.configFile, '--progress', 'json', '--checkpoint-pages', '10000', '--checkpoint-seconds', '3600'],
          target.env,
          p.dir,
          { installed: true },
        );
        const parent = run.child.pid!;
        const pages = () => run.events.filter((e) => e['type'] === 'page').length;
        for (const until = Date.now() + 60_000; pages() < SIGNAL_AFTER_EVENTS && run.child.exitCode === null;) {
          if (Date.now() > until) throw new Error('no contacts pages');
          await new Promise((r) => setTimeout(r, 5));
        }
        // the run is a child of the command, with the malloc settings in its environment
        const [runPid] = readFileSync(`/proc/${parent}/task/${parent}/children`, 'utf8').trim().split(/\s+/);
        expect(readFileSync(`/proc/${runPid}/environ`, 'utf8').split('\0')).toContain('MALLOC_ARENA_MAX=2');
        if (to === 'group') process.kill(-parent, 'SIGINT');
        else process.kill(parent, 'SIGTERM');
        const r = await run.done;
        expect(r.code, r.stdout + r.stderr).toBe(2);
        // one notice: the repeat (terminal + parent) is the same signal, not "quit at once"
        expect(r.stderr.match(/stopping at the next checkpoint/g)).toHaveLength(1);
        const state = (await stateOf(target)).get('intercom.contacts');
        expect(state?.['inProgress'], JSON.stringify(state)).toBeDefined();
        const loads = await target.query(`SELECT status FROM "intercom"."_elt_loads" WHERE asset = 'intercom.contacts'`);
        expect(loads.map((l) => l['status'])).toEqual(['interrupted']);
      } finally {
        await target.close();
      }
    },
    120_000,
  );
});

test('SIGKILL to the command: the run it relaunched goes with it, and the next run resumes', async () => {
  let p: TestProject | undefined;
  const target = await openTarget('duckdb', () => p!.duckdbPath);
  try {
    p = project(slowFake, TOKEN, target, ['contacts'], { searchSlices: SLOW.searchSlices });
    const run = startCli(['ingest', '--config', p.configFile, '--progress', 'json', '--checkpoint-pages', '2'], target.env, p.dir, { installed: true });
    const parent = run.child.pid!;
    for (const until = Date.now() + 60_000; run.events.filter((e) => e['type'] === 'checkpoint').length < 1 && run.child.exitCode === null;) {
      if (Date.now() > until) throw new Error('no checkpoint');
      await new Promise((r) => setTimeout(r, 5));
    }
    const [runPid] = readFileSync(`/proc/${parent}/task/${parent}/children`, 'utf8').trim().split(/\s+/);
    process.kill(parent, 'SIGKILL');
    await run.done;
    const gone = async () => {
      for (const until = Date.now() + 10_000; Date.now() < until; await new Promise((r) => setTimeout(r, 20))) {
        try {
          process.kill(Number(runPid), 0);
        } catch {
          return true;
        }
      }
      return false;
    };
    expect(await gone(), 'the relaunched run still runs after its command was killed').toBe(true);
    const again = startCli(['ingest', '--config', p.configFile, '--progress', 'json'], target.env, p.dir);
    expect((await again.done).code).toBe(0);
    expect(again.events.find((e) => e['type'] === 'asset_start')?.['resumed']).toBe(true);
    await expectEqualsExport(slowFake, target, ['contacts']);
  } finally {
    await target.close();
  }
}, 120_000);
