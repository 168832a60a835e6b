/**
 * Issue #7, concurrency: two `ingest` processes on the same asset and destination. One runs; the
 * other exits 1 at once with one clear line and writes nothing; the result equals the export.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startFakeIntercom, type FakeIntercom } from '../../src/fake-intercom/index.js';
import type { TestProject } from '../helpers/project.js';
import { expectEqualsExport, openTarget, project, startCli } from './harness.js';
import { CONCURRENCY } from './plan.js';

const TOKEN = 'tok-rel-concurrency-5a2c';
let fake: FakeIntercom;

beforeAll(async () => {
  fake = await startFakeIntercom({ ...CONCURRENCY.workspace, token: TOKEN, latencyMs: CONCURRENCY.latencyMs });
});
afterAll(async () => {
  await fake?.close();
});

describe('two runs of one asset never interleave', () => {
  test.each(CONCURRENCY.cases)(
    '$target: the second run exits 1 naming the lock; the first completes',
    async ({ target: kind, message }) => {
      let p: TestProject | undefined;
      const target = await openTarget(kind, () => p!.duckdbPath);
      try {
        p = project(fake, TOKEN, target, ['contacts'], { searchSlices: CONCURRENCY.searchSlices });
        const args = ['ingest', '--config', p.configFile, '--progress', 'json'];
        const first = startCli(args, target.env, p.dir);
        // the second starts once the first is loading (its first page is out)
        for (const until = Date.now() + 60_000; !first.events.some((e) => e['type'] === 'page');) {
          if (Date.now() > until || first.child.exitCode !== null) throw new Error('the first run never loaded a page');
          await new Promise((r) => setTimeout(r, 5));
        }
        const second = await startCli(['ingest', '--config', p.configFile, '--progress', 'log'], target.env, p.dir).done;
        expect(first.child.exitCode, 'the first run was still running when the second ended').toBeNull();
        expect(second.code, second.stdout + second.stderr).toBe(1);
        expect(second.stdout + second.stderr).toMatch(message);
        expect(second.stdout + second.stderr).not.toMatch(/^\s+at /m);
        const done = await first.done;
        expect(done.code, done.stdout + done.stderr).toBe(0);
        await expectEqualsExport(fake, target, ['contacts']);
        // the loser left no trace: one load of the asset, and it succeeded
        const loads = await target.query(`SELECT status FROM "intercom"."_elt_loads" WHERE asset = 'intercom.contacts'`);
        expect(loads.map((l) => l['status'])).toEqual(['ok']);
      } finally {
        await target.close();
      }
    },
    180_000,
  );
});
