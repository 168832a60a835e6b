/**
 * Layer 3, the asset lock: Snowflake has no advisory locks, so a run holds a lease on its asset
 * in `"intercom"."_elt_locks"` (docs/destinations/snowflake.md, "One run per asset"). Each
 * destination here is its own snowflake-sdk connection (its own Snowflake sessions), as two
 * processes would be; the fake Snowflake serializes MERGE/UPDATE/DELETE per table as Snowflake does.
 */
import os from 'node:os';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { createSchema } from '../../src/destinations/shared/statements.js';
import { connectSdk } from '../../src/destinations/snowflake/driver.js';
import { createSnowflakeDestination, type SnowflakeOptions } from '../../src/destinations/snowflake/index.js';
import { acquireLock, createLocksTable, releaseLock, renewLock, snowflakeDialect } from '../../src/destinations/snowflake/sql.js';
import { DestinationError } from '../../src/core/errors.js';
import { startFakeIntercom, type FakeIntercom } from '../../src/fake-intercom/index.js';
import { runAssets } from '../../src/pipeline/run.js';
import { batch, oneTable } from '../destinations/harness.js';
import { assetConfig } from '../helpers/asset-config.js';
import { exportTable } from '../helpers/truth.js';
import type { FakeSnowflake } from './fake/server.js';
import { fakeSnowflake, options, pipelineProject } from './helpers.js';

// through the pipeline the message is prefixed with the connection it came from
const LOCKED =
  /^(?:destination '[^']+': )?snowflake: asset (\S+) is locked by (\S+) until (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ): another run is loading it \(the lock of a run that died expires then\)$/;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let sf: FakeSnowflake;
const open: Array<{ close(): Promise<void> }> = [];
async function dest(extra: Partial<SnowflakeOptions> = {}) {
  const d = await createSnowflakeDestination(options(sf, extra));
  open.push(d);
  return d;
}
const locks = () => sf.query(`SELECT asset, holder FROM "intercom"."_elt_locks" ORDER BY asset`);

afterEach(async () => {
  for (const d of open.splice(0)) await d.close().catch(() => undefined);
  await sf?.close();
});

describe('one run per asset across sessions', () => {
  test('a second run of a held asset fails at once, naming the asset, the holder and the lease end; other assets are free; finish releases', async () => {
    sf = await fakeSnowflake();
    const first = await dest();
    const second = await dest();
    const w = await first.openRun(oneTable('contacts', 'L1', { strategy: 'merge' }));
    await w.write('contacts', batch([{ id: 'a', v: 'first' }], 'L1'));
    const err = await second.openRun(oneTable('contacts', 'L2', { strategy: 'merge' })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DestinationError);
    const m = LOCKED.exec((err as Error).message);
    expect(m?.slice(1, 3)).toEqual(['contacts', `${os.hostname()}:${process.pid}:L1`]);
    // the lease ends about 600 s (the default) after it was taken, by the server's clock
    expect(Date.parse(m![3]!) - Date.now()).toBeGreaterThan(590_000);
    expect(Date.parse(m![3]!) - Date.now()).toBeLessThan(601_000);
    // the refused run left nothing behind: no 'running' load row
    expect((await first.loads('contacts')).map((l) => l.load_id)).toEqual(['L1']);
    const other = await second.openRun(oneTable('companies', 'L3', { strategy: 'merge' }));
    expect((await locks()).map((l) => l.asset)).toEqual(['companies', 'contacts']);
    await other.finish({}, { status: 'ok', rows: 0, requests: 0 });
    await w.finish({ cursor: 1 }, { status: 'ok', rows: 1, requests: 1 });
    expect(await locks()).toEqual([]);
    const again = await second.openRun(oneTable('contacts', 'L4', { strategy: 'merge' }));
    await again.write('contacts', batch([{ id: 'a', v: 'second' }], 'L4'));
    await again.finish({ cursor: 2 }, { status: 'ok', rows: 1, requests: 1 });
    expect(await sf.query(`SELECT id, v FROM "intercom"."contacts"`)).toEqual([{ id: 'a', v: 'second' }]);
  });

  test('abort releases the lock too', async () => {
    sf = await fakeSnowflake();
    const first = await dest();
    const w = await first.openRun(oneTable('contacts', 'L1', { strategy: 'merge' }));
    await w.abort({ status: 'failed', rows: 0, requests: 0, error: 'boom' });
    expect(await locks()).toEqual([]);
    const w2 = await (await dest()).openRun(oneTable('contacts', 'L2', { strategy: 'merge' }));
    await w2.finish({}, { status: 'ok', rows: 0, requests: 0 });
  });

  test('checkpoints renew the lease: a run checkpointing more often than its lease keeps the asset', async () => {
    sf = await fakeSnowflake();
    const first = await dest({ lockLeaseSeconds: 2 });
    const w = await first.openRun(oneTable('contacts', 'L1', { strategy: 'merge' }));
    for (let i = 0; i < 4; i++) {
      await sleep(800);
      await w.write('contacts', batch([{ id: `c${i}`, v: 'first' }], 'L1'));
      await w.checkpoint({ cursor: i });
    }
    // 3.2 s after the lease was first taken: held only because each checkpoint renewed it
    const err = await (await dest({ lockLeaseSeconds: 2 })).openRun(oneTable('contacts', 'L2', { strategy: 'merge' })).catch((e: unknown) => e);
    expect(String((err as Error).message)).toMatch(LOCKED);
    await w.finish({ cursor: 9 }, { status: 'ok', rows: 4, requests: 4 });
    // each checkpoint renews twice: before its DDL, and as the last statement before COMMIT,
    // so a run whose lease was taken over meanwhile rolls back instead of committing
    const renew = /^UPDATE "intercom"\."_elt_locks" SET expires_at = /;
    const run = sf.engine.statements;
    const commits = run.flatMap((st, i) => (st === 'COMMIT' ? [i] : []));
    expect(commits).toHaveLength(5);
    for (const i of commits) expect(run[i - 1]).toMatch(renew);
    expect(run.filter((st) => renew.test(st)).length).toBeGreaterThanOrEqual(10);
  });
});

describe('the fake Snowflake locks like Snowflake (what the lease relies on)', () => {
  test('a MERGE on a table that another open transaction has updated waits for it to end, then sees its commit; DML answers with row counts', async () => {
    sf = await fakeSnowflake();
    const a = await connectSdk(options(sf));
    const b = await connectSdk(options(sf));
    try {
      await a.run(createSchema(snowflakeDialect('intercom'), 'intercom'));
      await a.run(createLocksTable('intercom'));
      expect(await a.dml(acquireLock('intercom', 'x', 'A', 600))).toBe(1);
      expect(await b.dml(acquireLock('intercom', 'x', 'B', 600))).toBe(0);
      await a.run('BEGIN TRANSACTION');
      expect(await a.dml(renewLock('intercom', 'x', 'A', 600))).toBe(1);
      let taken: number | undefined;
      const racing = b.dml(acquireLock('intercom', 'x', 'B', 600)).then((n) => (taken = n));
      await sleep(400);
      expect(taken).toBeUndefined();
      expect(sf.engine.lockWaits).toBe(1);
      expect(await a.dml(releaseLock('intercom', 'x', 'A'))).toBe(1);
      await a.run('COMMIT');
      // B ran after A's commit and saw the lease released: it inserted its own
      expect(await racing).toBe(1);
      expect(await locks()).toEqual([{ asset: 'x', holder: 'B' }]);
      expect(await a.run(acquireLock('intercom', 'x', 'A', 600))).toEqual([{ 'number of rows inserted': 0, 'number of rows updated': 0 }]);
    } finally {
      await a.destroy();
      await b.destroy();
    }
  });
});

describe('a run that died without releasing its lock (kill -9)', () => {
  test('blocks the asset until its lease expires; then the next run takes over, and the dead run can commit nothing more', async () => {
    sf = await fakeSnowflake();
    const spec = (id: string) => oneTable('contacts', id, { strategy: 'merge' });
    const zombie = await dest({ lockLeaseSeconds: 2 });
    const w = await zombie.openRun(spec('L1'));
    await w.write('contacts', batch([{ id: 'a', v: 'dead run' }], 'L1'));
    await w.checkpoint({ cursor: 1 });
    // the process "dies": its Snowflake session stays open, nothing releases the lease
    const next = await dest({ lockLeaseSeconds: 2 });
    const err = await next.openRun(spec('L2')).catch((e: unknown) => e);
    const m = LOCKED.exec(String((err as Error).message));
    expect(m?.[2]).toBe(`${os.hostname()}:${process.pid}:L1`);
    const until = Date.parse(m![3]!);
    await sleep(Math.max(0, until - Date.now()) + 1200);
    const w2 = await next.openRun(spec('L2'));
    expect((await locks()).map((l) => l.holder)).toEqual([`${os.hostname()}:${process.pid}:L2`]);
    await w2.write('contacts', batch([{ id: 'b', v: 'next run' }], 'L2'));
    await w2.checkpoint({ cursor: 2 });
    // the dead run's session wakes up: its next write (which renews a lease a third gone) or
    // checkpoint finds the lease taken, and it commits nothing
    const lost = await (async () => {
      await w.write(
        'contacts',
        batch(
          [
            { id: 'a', v: 'zombie write' },
            { id: 'z', v: 'zombie write' },
          ],
          'L1',
        ),
      );
      await w.checkpoint({ cursor: 99 });
    })().catch((e: unknown) => e);
    expect(lost).toBeInstanceOf(DestinationError);
    expect((lost as Error).message).toMatch(new RegExp(`lost the lock on asset contacts: the lease of ${os.hostname()}:${process.pid}:L1 expired`));
    await w.abort({ status: 'failed', rows: 0, requests: 0 });
    await w2.finish({ cursor: 3 }, { status: 'ok', rows: 1, requests: 1 });
    expect(await sf.query(`SELECT id, v FROM "intercom"."contacts" ORDER BY id`)).toEqual([
      { id: 'a', v: 'dead run' },
      { id: 'b', v: 'next run' },
    ]);
    expect(await next.readState('contacts')).toEqual({ cursor: 3 });
    // the dead run's abort released nothing of the new holder's
    expect(await locks()).toEqual([]);
  });
});

describe('two ingests of one asset at once (the pipeline, the real snowflake-sdk)', () => {
  const TOKEN = 'tok-sf-lock-7d21';
  let intercom: FakeIntercom;
  beforeAll(async () => {
    intercom = await startFakeIntercom({ seed: 7, token: TOKEN, contacts: 300, companies: 5, conversations: 5, tickets: 1 });
  });
  afterAll(async () => {
    await intercom?.close();
  });

  /** A project of its own per run: its own destination, so its own Snowflake sessions, as another process would have. */
  const project = () => pipelineProject(sf, intercom.url, TOKEN);

  test('one runs, the other fails with one line naming the asset, the holder and the lease end; never interleaved', async () => {
    sf = await fakeSnowflake();
    const asset = assetConfig('contacts', { destination: 'snowflake' });
    const results = await Promise.all([runAssets(project(), [asset]), runAssets(project(), [asset])]);
    const ok = results.filter((r) => r.ok);
    const failed = results.filter((r) => !r.ok);
    expect([ok.length, failed.length]).toEqual([1, 1]);
    const error = failed[0]!.summaries[0]!.error!;
    expect(error.message).not.toContain('\n');
    expect(error.message).toMatch(LOCKED);
    // the holder named is the run that succeeded
    const [{ load_id: winner }] = (await sf.query(`SELECT load_id FROM "intercom"."_elt_loads" WHERE status = 'ok'`)) as [{ load_id: string }];
    expect(LOCKED.exec(error.message)![2]).toBe(`${os.hostname()}:${process.pid}:${winner}`);
    // only the winner wrote: one load row, every contact once, the lock released
    expect(await sf.query(`SELECT asset, status FROM "intercom"."_elt_loads"`)).toEqual([{ asset: 'intercom.contacts', status: 'ok' }]);
    const truth = await exportTable(intercom.url, 'contacts');
    const [{ n, d }] = (await sf.query(`SELECT count(*)::int AS n, count(DISTINCT id)::int AS d FROM "intercom"."contacts"`)) as [{ n: number; d: number }];
    expect({ n, d }).toEqual({ n: truth.length, d: truth.length });
    expect(await locks()).toEqual([]);
  });
});
