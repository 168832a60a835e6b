/**
 * The Destination every SQL database shares: state and load history in metadata tables of
 * the destination's schema, one session per run, a lock per asset (in process, and across
 * processes where the session provides one).
 */
import { DestinationError } from '../../core/errors.js';
import type { Check } from '../../config/index.js';
import type { AssetState, CheckResult, Destination, RunSpec, RunWriter } from '../types.js';
import { runChecks } from './checks.js';
import type { Dialect } from './dialect.js';
import type { SqlConnector, SqlSession } from './driver.js';
import { SqlRunWriter } from './loader.js';
import * as sql from './statements.js';

/** The table `checkWrite` creates (and rolls back) in each schema. */
const CHECK_TABLE = '_elt_check';

export interface SqlDestinationOptions {
  dialect: Dialect;
  connector: SqlConnector;
  /** Schema of `_elt_state` and `_elt_loads` (the destination's default schema). */
  schema: string;
}

/** Wire a dialect and a connector into a Destination. */
export async function createSqlDestination(opts: SqlDestinationOptions): Promise<Destination> {
  const { dialect: d, connector, schema } = opts;
  const locked = new Set<string>();
  // the promise, not the session: concurrent first reads (parallel assets) must share one login
  let admin: Promise<SqlSession> | undefined;
  // openRun creates schemas and metadata tables: one at a time, so two runs starting
  // together do not race on the catalog
  let opening: Promise<unknown> = Promise.resolve();
  // one asset's checks at a time (two sessions creating _elt_checks at once can collide in the catalog)
  let checking: Promise<unknown> = Promise.resolve();

  const fail = (what: string, err: unknown): never => {
    if (err instanceof DestinationError) throw err;
    throw new DestinationError(d.name, `${what}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  };
  const session = (): Promise<SqlSession> =>
    (admin ??= connector.connect().catch((err: unknown) => {
      admin = undefined;
      throw err;
    }));
  // Parallel assets read state through the one admin session: its statements go one at a time
  // (a pg client given a query while one runs queues it, deprecated in pg 8 and gone in pg 9).
  let adminTail: Promise<unknown> = Promise.resolve();
  const withAdmin = <T>(work: (s: SqlSession) => Promise<T>): Promise<T> => {
    const run = adminTail.then(async () => work(await session()));
    adminTail = run.catch(() => undefined);
    return run;
  };
  const hasTable = async (s: SqlSession, table: string): Promise<boolean> => (await s.tableColumns(schema, table)) !== undefined;

  return {
    name: d.name,
    capabilities: d.capabilities,

    async readState(asset: string): Promise<AssetState | undefined> {
      try {
        const rows = await withAdmin(async (s) => ((await hasTable(s, sql.STATE_TABLE)) ? s.query(sql.selectState(d, schema, asset)) : []));
        const text = rows[0]?.state;
        return typeof text === 'string' ? (JSON.parse(text) as AssetState) : undefined;
      } catch (err) {
        return fail(`read state of ${asset}`, err);
      }
    },

    async resetState(asset: string): Promise<void> {
      try {
        await withAdmin(async (s) => {
          if (await hasTable(s, sql.STATE_TABLE)) await s.execute(sql.deleteState(d, schema, asset));
        });
      } catch (err) {
        fail(`reset state of ${asset}`, err);
      }
    },

    async loads(asset?: string, limit = 20): Promise<Array<Record<string, unknown>>> {
      try {
        return await withAdmin(async (s) => ((await hasTable(s, sql.LOADS_TABLE)) ? s.query(sql.selectLoads(d, schema, asset, limit)) : []));
      } catch (err) {
        return fail('read loads', err);
      }
    },

    async checkWrite(schemas: readonly string[]): Promise<void> {
      if (!d.capabilities.transactionalDdl) return;
      try {
        const s = await connector.connect();
        try {
          await s.execute(d.begin);
          try {
            for (const name of new Set([schema, ...schemas])) {
              await s.execute(sql.createSchema(d, name));
              await s.execute(sql.createTable(d, name, CHECK_TABLE, [{ name: 'id', type: 'string' }]));
              await s.query(`SELECT count(*) AS n FROM ${d.tableRef(name, CHECK_TABLE)}`);
            }
          } finally {
            await s.execute(d.rollback);
          }
        } finally {
          await s.close();
        }
      } catch (err) {
        fail('create tables', err);
      }
    },

    async runChecks(target, checks: readonly Check[]): Promise<CheckResult[]> {
      const run = checking.then(async () => {
        try {
          // a session of their own: the admin session serves other assets' state reads meanwhile
          const s = await connector.connect();
          try {
            return await runChecks(d, s, schema, target, checks);
          } finally {
            await s.close().catch(() => undefined);
          }
        } catch (err) {
          return fail(`check ${target.asset}`, err);
        }
      });
      checking = run.catch(() => undefined);
      return run;
    },

    async openRun(spec: RunSpec): Promise<RunWriter> {
      // in-process lock; across processes the session's lockAsset (Postgres advisory lock,
      // Snowflake lease) or the database's own locking (a DuckDB file has one writer process)
      if (locked.has(spec.asset)) throw new DestinationError(d.name, `asset ${spec.asset} is already being loaded`, { meta: { asset: spec.asset } });
      locked.add(spec.asset);
      const release = (): void => void locked.delete(spec.asset);
      const previous = opening;
      let done!: () => void;
      opening = new Promise<void>((r) => (done = r));
      try {
        await previous;
        const s = await connector.connect().catch((err: unknown) => fail('connect', err));
        try {
          await s.lockAsset?.(schema, spec.asset, spec.loadId);
          return await SqlRunWriter.open(d, s, spec, schema, release);
        } catch (err) {
          await s.close().catch(() => undefined);
          throw err;
        }
      } catch (err) {
        release();
        throw err;
      } finally {
        done();
      }
    },

    async close(): Promise<void> {
      try {
        const open = admin;
        admin = undefined;
        await (await open?.catch(() => undefined))?.close();
        await connector.close();
      } catch (err) {
        fail('close', err);
      }
    },
  };
}
