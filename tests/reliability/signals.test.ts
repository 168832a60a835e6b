/**
 * Issue #7, SIGINT/SIGTERM: the run stops at its next checkpoint, commits it, and exits 2 with a
 * message; what it committed is consistent (state never ahead of the rows, no duplicate key)
 * and a rerun resumes and ends equal to the export.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startFakeIntercom, type FakeIntercom } from '../../src/fake-intercom/index.js';
import type { TestProject } from '../helpers/project.js';
import { expectEqualsExport, expectNoDuplicates, expectStateNotAhead, openTarget, project, startCli, stateOf } from './harness.js';
import { RUN_ASSETS, SIGNAL_AFTER_EVENTS, SIGNAL_WORKSPACE, SIGNALS } from './plan.js';

const TOKEN = 'tok-rel-signals-0b7d44';
let fake: FakeIntercom;

beforeAll(async () => {
  // latency makes the run last a few seconds, so the signal lands mid-run
  fake = await startFakeIntercom({ ...SIGNAL_WORKSPACE, token: TOKEN, latencyMs: 40 });
});
afterAll(async () => {
  await fake?.close();
});

describe('SIGINT and SIGTERM stop at the next checkpoint', () => {
  test.each(SIGNALS)(
    '$signal into $target: checkpoint committed, exit 2, the rerun resumes',
    async ({ signal, target: kind }) => {
      let p: TestProject | undefined;
      const target = await openTarget(kind, () => p!.duckdbPath);
      try {
        p = project(fake, TOKEN, target, RUN_ASSETS);
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
