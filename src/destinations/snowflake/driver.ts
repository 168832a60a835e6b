/**
 * Talks to Snowflake through the official snowflake-sdk: one SDK connection (one Snowflake
 * session) per SqlSession. Batches are bulk loaded, never inserted row by row:
 * Arrow -> Parquet file (parquet.ts) -> PUT to a temporary internal stage -> COPY INTO the
 * session staging table (PURGE removes the staged file). The shared loader then MERGEs from
 * staging, with the state, in one transaction.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { RecordBatch } from 'apache-arrow';
import { DestinationError } from '../../core/errors.js';
import type { Dialect } from '../shared/dialect.js';
import type { ExistingColumn, SqlConnector, SqlSession } from '../shared/driver.js';
import { createSchema, SEQ_COLUMN, type PhysicalColumn } from '../shared/statements.js';
import { DEFAULT_LEASE_SECONDS, sdkOptions, type SnowflakeOptions } from './config.js';
import { ParquetWriter } from './parquet.js';
import * as sf from './sql.js';

type Sdk = typeof import('snowflake-sdk');
let sdk: Promise<Sdk> | undefined;

/** The SDK is loaded on first use: it is large (cloud storage SDKs), and a DuckDB or Postgres run should not pay for it. */
function loadSdk(): Promise<Sdk> {
  // On import, snowflake-sdk detects its platform for telemetry (lib/telemetry/platform_detection.js):
  // requests to cloud metadata endpoints and AWS STS that nobody asked for, and the STS client it
  // builds for that is what printed the AWS SDK's Node-version warning. Off unless the user set it.
  process.env['SNOWFLAKE_DISABLE_PLATFORM_DETECTION'] ??= 'true';
  return (sdk ??= import('snowflake-sdk').then((m) => {
    const snowflake = ((m as { default?: Sdk }).default ?? m) as Sdk;
    // the SDK logs to ./snowflake.log at INFO by default; nothing but the CLI may print or write logs
    snowflake.configure({ logLevel: 'OFF' });
    return snowflake;
  }));
}

/** The few snowflake-sdk calls we make, as promises (a test can hand in another implementation). */
export interface SnowflakeApi {
  /** Run one statement; rows as objects keyed by result column name. */
  run(sqlText: string): Promise<Array<Record<string, unknown>>>;
  /** Run one INSERT/UPDATE/DELETE/MERGE; the number of rows it changed. */
  dml(sqlText: string): Promise<number>;
  destroy(): Promise<void>;
}

/** Open an SDK connection (login) and wrap it. */
export async function connectSdk(opts: SnowflakeOptions): Promise<SnowflakeApi> {
  const snowflake = await loadSdk();
  const conn = snowflake.createConnection(sdkOptions(opts));
  // connect's callback, not connectAsync: connectAsync resolves even when the login is refused
  await new Promise<void>((resolve, reject) => void conn.connect((err) => (err ? reject(err) : resolve())));
  return {
    run: (sqlText) =>
      new Promise((resolve, reject) => {
        conn.execute({
          sqlText,
          complete: (err, _stmt, rows) => (err ? reject(err) : resolve((rows ?? []) as Array<Record<string, unknown>>)),
        });
      }),
    dml: (sqlText) =>
      new Promise((resolve, reject) => {
        conn.execute({
          sqlText,
          // the SDK sums the result row of a DML statement ("number of rows inserted", "… updated", …)
          complete: (err, stmt) => (err ? reject(err) : resolve(stmt.getNumUpdatedRows() ?? 0)),
        });
      }),
    destroy: () => new Promise<void>((resolve, reject) => conn.destroy((err) => (err ? reject(err) : resolve()))),
  };
}

/**
 * Result column names: unquoted names fold to upper case in Snowflake, so our own unquoted
 * metadata columns come back as STATE, LOAD_ID…; the shared code reads them lower-case.
 */
function lowerKeys(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) out[/[a-z]/.test(k) ? k : k.toLowerCase()] = v;
  return out;
}

/** A lock timestamp for a message: ISO 8601 UTC to the second. */
function isoTime(v: unknown): string {
  return v instanceof Date ? v.toISOString().replace(/\.\d+Z$/, 'Z') : String(v);
}

/** The asset lease this session holds (see sql.acquireLock). */
interface Lease {
  schema: string;
  asset: string;
  holder: string;
  /** Client clock of the last renewal: only decides when to renew, never who holds the asset. */
  renewedAt: number;
}

export class SnowflakeSession implements SqlSession {
  private stageReady = false;
  private lease: Lease | undefined;
  private closed = false;
  /** Called once the session is closed (the connector's bookkeeping). */
  onClose: () => void = () => undefined;
  private files = 0;
  private readonly stage: string;
  private readonly dir: string;

  private constructor(
    private readonly api: SnowflakeApi,
    private readonly d: Dialect,
    private readonly schema: string,
    private readonly parquet: ParquetWriter,
    tmpDir: string | undefined,
    private readonly leaseSeconds: number,
  ) {
    // unique per session: staged file names never repeat, so COPY's load history never skips one
    const id = randomBytes(6).toString('hex');
    this.stage = `_elt_files_${id}`;
    this.dir = mkdtempSync(path.join(tmpDir ?? os.tmpdir(), `intercom-elt-sf-${id}-`));
  }

  static async create(
    api: SnowflakeApi,
    d: Dialect,
    schema: string,
    opts: Pick<SnowflakeOptions, 'tmpDir' | 'lockLeaseSeconds'> = {},
  ): Promise<SnowflakeSession> {
    for (const s of sf.sessionSetup()) await api.run(s);
    return new SnowflakeSession(api, d, schema, await ParquetWriter.create(), opts.tmpDir, opts.lockLeaseSeconds ?? DEFAULT_LEASE_SECONDS);
  }

  /**
   * Take the asset's lease (sql.acquireLock) for this run; fail at once when another run holds
   * it, naming the holder and when its lease ends.
   */
  async lockAsset(schema: string, asset: string, loadId: string): Promise<void> {
    await this.api.run(createSchema(this.d, schema));
    await this.api.run(sf.createLocksTable(schema));
    const holder = `${os.hostname()}:${process.pid}:${loadId}`;
    // a holder seen in between may release before we read it: then the lease is free, try again
    for (let attempt = 1; ; attempt++) {
      if ((await this.api.dml(sf.acquireLock(schema, asset, holder, this.leaseSeconds))) > 0) {
        this.lease = { schema, asset, holder, renewedAt: Date.now() };
        return;
      }
      const [row] = await this.query(sf.selectLock(schema, asset));
      if (row === undefined && attempt < 3) continue;
      const by = row === undefined ? 'another run' : String(row.holder);
      const until = row === undefined ? 'its lease ends' : isoTime(row.expires_at);
      throw new DestinationError(
        'snowflake',
        `asset ${asset} is locked by ${by} until ${until}: another run is loading it (the lock of a run that died expires then)`,
        { meta: { asset, holder: by, expires_at: until } },
      );
    }
  }

  async renewLock(): Promise<void> {
    const l = this.lease;
    if (!l) return;
    const renewed = await this.api.dml(sf.renewLock(l.schema, l.asset, l.holder, this.leaseSeconds));
    if (renewed === 0) {
      this.lease = undefined;
      throw new DestinationError(
        'snowflake',
        `lost the lock on asset ${l.asset}: the lease of ${l.holder} expired (${this.leaseSeconds} s without a checkpoint) and another run took the asset over; this run commits nothing more`,
        { meta: { asset: l.asset, holder: l.holder } },
      );
    }
    l.renewedAt = Date.now();
  }

  async execute(sql: string): Promise<void> {
    await this.api.run(sql);
  }

  async query(sql: string): Promise<Array<Record<string, unknown>>> {
    return (await this.api.run(sql)).map(lowerKeys);
  }

  async tableColumns(schema: string, table: string): Promise<ExistingColumn[] | undefined> {
    const rows = await this.query(sf.selectColumns(schema, table));
    if (rows.length === 0) return undefined;
    return rows.map((r) => ({ name: String(r.column_name), type: sf.columnTypeOfSql(String(r.data_type), r.numeric_scale) }));
  }

  async tableNames(schema: string): Promise<string[]> {
    return (await this.query(sf.selectTables(schema))).map((r) => String(r.table_name));
  }

  async appendStaging(table: string, columns: readonly PhysicalColumn[], batch: RecordBatch, fields: readonly number[], seqStart: number): Promise<void> {
    // a long extraction between checkpoints keeps its lease
    if (this.lease && Date.now() - this.lease.renewedAt > (this.leaseSeconds * 1000) / 3) await this.renewLock();
    if (!this.stageReady) {
      await this.api.run(sf.createStage(this.schema, this.stage));
      this.stageReady = true;
    }
    const name = `b${++this.files}.parquet`;
    const file = path.join(this.dir, name);
    try {
      await this.parquet.write(file, columns, batch, fields, seqStart);
      await this.api.run(sf.put(file, this.schema, this.stage));
      const result = await this.query(sf.copyInto(this.d.tempTableRef(table), SEQ_COLUMN, columns, this.schema, this.stage, name));
      // COPY skips silently what it considers already loaded or unreadable: count what landed
      const loaded = result.reduce((n, r) => n + Number(r.rows_loaded ?? 0), 0);
      if (loaded !== batch.numRows) throw new Error(`COPY INTO ${table} loaded ${loaded} of ${batch.numRows} rows from ${name}`);
    } finally {
      rmSync(file, { force: true });
    }
  }

  async close(): Promise<void> {
    // the connector may have ended it already (a destination closed under an open run)
    if (this.closed) return;
    this.closed = true;
    const l = this.lease;
    this.lease = undefined;
    try {
      // best effort: a lease not given back (the session already broken) expires on its own
      if (l) await this.api.run(sf.releaseLock(l.schema, l.asset, l.holder)).catch(() => undefined);
      this.parquet.close();
      rmSync(this.dir, { recursive: true, force: true });
    } finally {
      // ends the session: its temporary tables and stage go with it
      try {
        await this.api.destroy();
      } finally {
        this.onClose();
      }
    }
  }
}

export class SnowflakeConnector implements SqlConnector {
  /** Every open session: close() ends them all, releasing their asset locks. */
  private readonly open = new Set<SnowflakeSession>();

  constructor(
    private readonly opts: SnowflakeOptions,
    private readonly d: Dialect,
    private readonly schema: string,
    private readonly connect_: (opts: SnowflakeOptions) => Promise<SnowflakeApi> = connectSdk,
  ) {}

  async connect(): Promise<SqlSession> {
    const api = await this.connect_(this.opts);
    try {
      const session = await SnowflakeSession.create(api, this.d, this.schema, this.opts);
      this.open.add(session);
      session.onClose = () => void this.open.delete(session);
      return session;
    } catch (err) {
      await api.destroy().catch(() => undefined);
      throw err;
    }
  }

  async close(): Promise<void> {
    // sessions are closed by their owners; a destination closed with runs still open ends
    // them (nothing is pooled): their locks are released now, not at the end of their lease
    const all = [...this.open];
    this.open.clear();
    await Promise.all(all.map((s) => s.close().catch(() => undefined)));
  }
}
