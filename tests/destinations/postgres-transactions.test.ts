/**
 * Postgres transaction edges against the real server: a COMMIT the server turns into ROLLBACK,
 * the per-asset advisory lock across destinations (processes, in effect), and secrets in errors.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DestinationError } from '../../src/core/errors.js';
import { scrub } from '../../src/destinations/postgres/config.js';
import { PgConnector } from '../../src/destinations/postgres/driver.js';
import { createPostgresDestination } from '../../src/destinations/postgres/index.js';
import type { Destination } from '../../src/destinations/types.js';
import { batch, createTestDatabase, load, oneTable, pgClient, pgOptions } from './harness.js';

let db: { name: string; drop(): Promise<void> };
const opened: Destination[] = [];
const open = async (extra = {}): Promise<Destination> => {
  const d = await createPostgresDestination(pgOptions(db.name, extra));
  opened.push(d);
  return d;
};
const sql = async (text: string): Promise<Array<Record<string, unknown>>> => {
  const c = await pgClient(db.name);
  try {
    return (await c.query(text)).rows as Array<Record<string, unknown>>;
  } finally {
    await c.end();
  }
};

beforeEach(async () => {
  db = await createTestDatabase();
});
afterEach(async () => {
  for (const d of opened.splice(0)) await d.close();
  await db.drop();
});

describe('postgres transactions', () => {
  it('the server turns COMMIT of a failed transaction into ROLLBACK; the session throws instead of carrying on', async () => {
    // the premise: plain node-postgres reports success with command 'ROLLBACK'
    const raw = await pgClient(db.name);
    try {
      await raw.query('BEGIN');
      await raw.query('SELECT 1/0').catch(() => undefined);
      expect((await raw.query('COMMIT')).command).toBe('ROLLBACK');
    } finally {
      await raw.end();
    }
    const connector = await PgConnector.create(pgOptions(db.name));
    const s = await connector.connect();
    try {
      await s.execute('CREATE TABLE t (x int)');
      await s.execute('BEGIN');
      await s.execute('INSERT INTO t VALUES (1)');
      await expect(s.execute('SELECT 1/0')).rejects.toThrow(/division by zero/);
      const err = await s.execute('COMMIT').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DestinationError);
      expect(String(err)).toMatch(/COMMIT was turned into ROLLBACK/);
      expect(await s.query('SELECT count(*) AS n FROM t')).toEqual([{ n: 0 }]);
    } finally {
      await connector.close();
    }
  });

  it('an error raised at COMMIT (deferred constraint) fails the checkpoint; rows and state stay as they were', async () => {
    const dest = await open();
    const spec = (id: string) => oneTable('contacts', id, { strategy: 'merge' });
    await load(dest, spec('L1'), [{ id: 'a', v: 'good' }], { cursor: 1 });
    await sql(
      `CREATE FUNCTION intercom.reject_bad() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN ` +
        `IF NEW.v = 'bad' THEN RAISE EXCEPTION 'row rejected at commit'; END IF; RETURN NULL; END $$`,
    );
    await sql(
      `CREATE CONSTRAINT TRIGGER reject_bad AFTER INSERT OR UPDATE ON intercom.contacts ` +
        `DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION intercom.reject_bad()`,
    );
    const w = await dest.openRun(spec('L2'));
    await w.write(
      'contacts',
      batch(
        [
          { id: 'a', v: 'bad' },
          { id: 'b', v: 'new' },
        ],
        'L2',
      ),
    );
    const err = await w.checkpoint({ cursor: 2 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DestinationError);
    expect(String(err)).toMatch(/row rejected at commit/);
    await w.abort({ status: 'failed', rows: 0, requests: 1, error: String(err) });
    expect(await dest.readState('contacts')).toEqual({ cursor: 1 });
    expect(await sql(`SELECT id, v FROM intercom.contacts ORDER BY id`)).toEqual([{ id: 'a', v: 'good' }]);
    expect((await dest.loads('contacts')).map((l) => [l.load_id, l.status])).toEqual([
      ['L2', 'failed'],
      ['L1', 'ok'],
    ]);
  });

  it('two runs of one asset from two processes: the second fails clearly; other assets are free; the lock ends with the run', async () => {
    const first = await open();
    const second = await open();
    const w = await first.openRun(oneTable('contacts', 'L1', { strategy: 'merge' }));
    await w.write('contacts', batch([{ id: 'a', v: 'first' }], 'L1'));
    const err = await second.openRun(oneTable('contacts', 'L2', { strategy: 'merge' })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DestinationError);
    expect(String(err)).toMatch(/another run of contacts holds the lock/);
    // the refused run leaves no trace: no 'running' load row
    expect((await first.loads('contacts')).map((l) => l.load_id)).toEqual(['L1']);
    const other = await second.openRun(oneTable('companies', 'L3', { strategy: 'merge' }));
    await other.finish({}, { status: 'ok', rows: 0, requests: 0 });
    await w.finish({ cursor: 1 }, { status: 'ok', rows: 1, requests: 1 });
    const again = await second.openRun(oneTable('contacts', 'L4', { strategy: 'merge' }));
    await again.write('contacts', batch([{ id: 'a', v: 'second' }], 'L4'));
    await again.finish({ cursor: 2 }, { status: 'ok', rows: 1, requests: 1 });
    expect(await sql(`SELECT id, v FROM intercom.contacts`)).toEqual([{ id: 'a', v: 'second' }]);
  });

  it('with lockWaitMs the second run waits for the first and never interleaves with it', async () => {
    const first = await open();
    const second = await open({ lockWaitMs: 10_000 });
    const events: string[] = [];
    const w = await first.openRun(oneTable('contacts', 'L1', { strategy: 'merge' }));
    const waiting = second.openRun(oneTable('contacts', 'L2', { strategy: 'merge' })).then((w2) => {
      events.push('second opened');
      return w2;
    });
    await new Promise((r) => setTimeout(r, 400));
    events.push('first finishing');
    await w.write('contacts', batch([{ id: 'a', v: 'first' }], 'L1'));
    await w.finish({ cursor: 1 }, { status: 'ok', rows: 1, requests: 1 });
    const w2 = await waiting;
    await w2.finish({ cursor: 1 }, { status: 'ok', rows: 0, requests: 0 });
    expect(events).toEqual(['first finishing', 'second opened']);
  });

  it('a crashed run (connection gone) releases its lock', async () => {
    const first = await open();
    const w = await first.openRun(oneTable('contacts', 'L1', { strategy: 'merge' }));
    await w.write('contacts', batch([{ id: 'a' }], 'L1'));
    // the server ends the run's connection, as when its process is killed
    await sql(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'intercom-elt' AND pid <> pg_backend_pid()`,
    );
    const second = await open();
    const again = await second.openRun(oneTable('contacts', 'L2', { strategy: 'merge' }));
    await again.finish({}, { status: 'ok', rows: 0, requests: 0 });
  });

  it("ssl_mode: 'prefer' falls back to plain on a server without TLS; 'require' refuses it", async () => {
    const d = await open({ sslMode: 'prefer' });
    expect(await d.readState('nothing')).toBeUndefined();
    const err = await createPostgresDestination(pgOptions(db.name, { sslMode: 'require' })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DestinationError);
    expect(String(err)).toMatch(/does not support SSL/);
  });

  it('parallel assets reading state share the admin session one statement at a time: no pg queueing deprecation', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(`${w.name}: ${w.message}`);
    process.on('warning', onWarning);
    try {
      const d = await open();
      const w = await d.openRun(oneTable('contacts', 'L1', { strategy: 'merge' }));
      await w.write('contacts', batch([{ id: 'a' }], 'L1'));
      await w.finish({ cursor: 5 }, { status: 'ok', rows: 1, requests: 1 });
      // what runAssets does with --parallel: every asset asks at once
      const states = await Promise.all(Array.from({ length: 8 }, (_, i) => (i % 2 ? d.loads('contacts', 5) : d.readState('contacts'))));
      expect(states.filter((x) => !Array.isArray(x))).toEqual(Array.from({ length: 4 }, () => ({ cursor: 5 })));
      await new Promise((r) => setImmediate(r));
      expect(warnings.filter((x) => x.includes('already executing a query'))).toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('never puts the password in an error', async () => {
    const password = 'S3cret-pw-7f1e';
    const err = await createPostgresDestination(pgOptions(db.name, { password })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DestinationError);
    expect(String((err as Error).message)).toMatch(/cannot connect .* password authentication failed/);
    expect(JSON.stringify(err) + String(err) + String((err as Error).stack)).not.toContain(password);
    const noDb = await createPostgresDestination(pgOptions('no_such_database_x', {})).catch((e: unknown) => e);
    expect(String(noDb)).toMatch(/no_such_database_x/);
    expect(scrub('connect postgresql://bob:hunter2@db:5432/x failed; hunter2', 'hunter2')).toBe('connect postgresql://bob:***@db:5432/x failed; ***');
    expect(scrub('postgres://u:p%40ss@h/db', undefined)).toBe('postgres://u:***@h/db');
  });
});
