/**
 * Talks to Postgres through node-postgres: one client per session (a run, or the destination's
 * own reads), bulk loads with `COPY … FROM STDIN (FORMAT binary)` through pg-copy-streams.
 * Every error leaving this file has its message scrubbed of the password.
 */
import type { RecordBatch } from 'apache-arrow';
import pg from 'pg';
import copyStreams from 'pg-copy-streams';
import { DestinationError } from '../../core/errors.js';
import type { ExistingColumn, SqlConnector, SqlSession } from '../shared/driver.js';
import { SEQ_COLUMN, type PhysicalColumn } from '../shared/statements.js';
import { scrub, sslOption, type PostgresOptions } from './config.js';
import { COPY_HEADER, COPY_TRAILER, encodeRows, prepareBatch } from './copy.js';
import { columnTypeOfSql, lockKey, postgresDialect, TRY_CAST_FUNCTION } from './sql.js';
import { crashPoint } from '../../core/crash-point.js';

/** The node-postgres client methods we call (a test can hand in another implementation). */
export interface PgClientApi {
  query(sql: string, values?: unknown[]): Promise<{ command: string; rows: Array<Record<string, unknown>> }>;
  query<T extends NodeJS.WritableStream>(stream: T): T;
  end(): Promise<void>;
}

const lit = postgresDialect.stringLiteral;
/** Rows encoded between two turns of the event loop (~1-2 MB of COPY data for contacts). */
const SLICE_ROWS = 2000;
const TWO_53 = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * Plain JS values: int8 as number when exact (else bigint), json/jsonb as text (the loader
 * parses what it needs), timestamptz as Date (node-postgres's default).
 */
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === pg.types.builtins.INT8) {
      return (v: string) => {
        const b = BigInt(v);
        return b >= -TWO_53 && b <= TWO_53 ? Number(b) : b;
      };
    }
    if (oid === pg.types.builtins.JSON || oid === pg.types.builtins.JSONB) return (v: string) => v;
    return pg.types.getTypeParser(oid, format ?? 'text');
  },
};

/** SQLSTATEs of a concurrent `CREATE … IF NOT EXISTS` losing the race: the object now exists. */
const CREATE_RACE = new Set(['23505', '42P06', '42P07']);

export class PgSession implements SqlSession {
  private constructor(
    private readonly client: PgClientApi,
    private readonly opts: PostgresOptions,
    private readonly onClose: () => void,
  ) {}

  static async create(client: PgClientApi, opts: PostgresOptions, onClose: () => void = () => undefined): Promise<PgSession> {
    const s = new PgSession(client, opts, onClose);
    // timestamps compare and render in UTC whatever the server's zone; literals are standard
    await s.execute(`SET TIME ZONE 'UTC'`);
    await s.execute(`SET standard_conforming_strings = on`);
    await s.execute(TRY_CAST_FUNCTION);
    return s;
  }

  /** A driver error as an Error whose message (and detail) never carries the password. */
  private wrap(err: unknown, what?: string): Error {
    if (err instanceof DestinationError) return err;
    const e = err as { message?: string; code?: string; detail?: string };
    const message = scrub(`${what ? `${what}: ` : ''}${e?.message ?? String(err)}${e?.detail ? ` (${e.detail})` : ''}`, this.opts.password);
    return Object.assign(new Error(message), { code: e?.code });
  }

  private async run(sql: string, values?: unknown[]): Promise<{ command: string; rows: Array<Record<string, unknown>> }> {
    try {
      return await this.client.query(sql, values);
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code !== undefined && CREATE_RACE.has(code) && /^\s*CREATE (SCHEMA|TABLE) IF NOT EXISTS/i.test(sql)) return { command: 'CREATE', rows: [] };
      throw this.wrap(err);
    }
  }

  async execute(sql: string): Promise<void> {
    const res = await this.run(sql);
    // Postgres answers COMMIT of a transaction that already failed with ROLLBACK, not an
    // error: the rows are gone, so the caller must not go on as if they were committed
    if (/^\s*(COMMIT|END)\b/i.test(sql) && res.command === 'ROLLBACK') {
      throw new DestinationError('postgres', 'COMMIT was turned into ROLLBACK by the server: an earlier statement of the transaction failed');
    }
  }

  async query(sql: string): Promise<Array<Record<string, unknown>>> {
    return (await this.run(sql)).rows;
  }

  async tableColumns(schema: string, table: string): Promise<ExistingColumn[] | undefined> {
    const rows = await this.query(
      `SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = ${lit(schema)} ` +
        `AND table_name = ${lit(table)} ORDER BY ordinal_position`,
    );
    if (rows.length === 0) return undefined;
    return rows.map((r) => ({ name: String(r.column_name), type: columnTypeOfSql(String(r.data_type)) }));
  }

  async tableNames(schema: string): Promise<string[]> {
    const rows = await this.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = ${lit(schema)}`);
    return rows.map((r) => String(r.table_name));
  }

  async appendStaging(table: string, columns: readonly PhysicalColumn[], batch: RecordBatch, fields: readonly number[], seqStart: number): Promise<void> {
    const names = [SEQ_COLUMN, ...columns.map((c) => c.name)].map((name) => postgresDialect.quoteIdent(name)).join(', ');
    const stream = this.client.query(copyStreams.from(`COPY ${postgresDialect.tempTableRef(table)} (${names}) FROM STDIN (FORMAT binary)`));
    let failed: unknown;
    const done = new Promise<void>((resolve, reject) => {
      stream.on('finish', resolve);
      stream.on('error', (err) => {
        failed = err;
        reject(err);
      });
    });
    done.catch(() => undefined);
    try {
      // encode a slice of rows at a time and yield between slices, so the server parses one
      // slice while we encode the next; waiting for 'drain' keeps memory to a few slices
      const prepared = prepareBatch(columns, batch, fields);
      let full = !stream.write(COPY_HEADER);
      for (let start = 0; start < prepared.numRows && failed === undefined; start += SLICE_ROWS) {
        if (full) await new Promise<void>((r) => stream.once('drain', r).once('error', () => r()));
        else await new Promise<void>((r) => setImmediate(r));
        full = false;
        encodeRows(prepared, seqStart, start, Math.min(prepared.numRows, start + SLICE_ROWS), (c) => {
          if (failed === undefined && !stream.write(c)) full = true;
        });
        crashPoint('copy');
      }
      if (failed === undefined) stream.end(COPY_TRAILER);
      await done;
    } catch (err) {
      // 54001: jsonb parsing recurses; a value nested deeper than the server's max_stack_depth allows
      // fails the load, never dropped (issue #17): say which limit it met
      const deep =
        (err as { code?: string }).code === '54001' ? ' (a JSON value nested deeper than this server parses; raise max_stack_depth or exclude the column)' : '';
      throw this.wrap(err, `COPY into staging${deep}`);
    }
  }

  async lockAsset(schema: string, asset: string): Promise<void> {
    const key = lockKey(schema, asset);
    const deadline = Date.now() + (this.opts.lockWaitMs ?? 0);
    for (let wait = 100; ; wait = Math.min(wait * 2, 2000)) {
      const [row] = await this.query(`SELECT pg_try_advisory_lock(${key}) AS ok`);
      if (row?.ok === true) return;
      if (Date.now() >= deadline) {
        throw new DestinationError('postgres', `another run of ${asset} holds the lock (advisory lock ${key}); it must finish before this one starts`, {
          meta: { asset, lock: key },
        });
      }
      await new Promise((r) => setTimeout(r, Math.min(wait, Math.max(0, deadline - Date.now()))));
    }
  }

  async close(): Promise<void> {
    // ending the connection also releases the advisory lock and drops the temp tables
    try {
      await this.client.end();
    } catch (err) {
      throw this.wrap(err);
    } finally {
      this.onClose();
    }
  }
}

export class PgConnector implements SqlConnector {
  /** Every open session: close() ends them all, like a process exit would. */
  private readonly open = new Set<PgSession>();

  private constructor(private readonly opts: PostgresOptions) {}

  static async create(opts: PostgresOptions): Promise<PgConnector> {
    const c = new PgConnector(opts);
    // fail at open time on a wrong host or password, not at the first run
    await (await c.connect()).close();
    return c;
  }

  private async client(ssl: ReturnType<typeof sslOption>): Promise<pg.Client> {
    const o = this.opts;
    const client = new pg.Client({
      host: o.host,
      port: o.port ?? 5432,
      database: o.database,
      user: o.user,
      password: o.password,
      ssl,
      application_name: 'intercom-elt',
      connectionTimeoutMillis: o.connectTimeoutMs ?? 15_000,
      types,
    });
    // an idle client whose server goes away emits 'error'; the next query reports it
    client.on('error', () => undefined);
    await client.connect();
    return client;
  }

  async connect(): Promise<SqlSession> {
    const mode = this.opts.sslMode ?? 'prefer';
    let client: pg.Client;
    try {
      try {
        client = await this.client(sslOption(mode));
      } catch (err) {
        // libpq's 'prefer': TLS if the server offers it, else plain
        if (mode !== 'prefer' || !/does not support SSL/i.test(String((err as Error)?.message))) throw err;
        client = await this.client(false);
      }
    } catch (err) {
      const o = this.opts;
      throw new DestinationError(
        'postgres',
        scrub(`cannot connect to ${o.host}:${o.port ?? 5432}/${o.database} as ${o.user}: ${(err as Error)?.message ?? String(err)}`, o.password),
        { meta: { host: o.host, port: o.port ?? 5432, database: o.database } },
      );
    }
    let session: PgSession | undefined;
    try {
      session = await PgSession.create(client as unknown as PgClientApi, this.opts, () => void this.open.delete(session!));
    } catch (err) {
      await client.end().catch(() => undefined);
      throw err;
    }
    this.open.add(session);
    return session;
  }

  async close(): Promise<void> {
    const all = [...this.open];
    this.open.clear();
    await Promise.all(all.map((s) => s.close().catch(() => undefined)));
  }
}
