/**
 * The fake Snowflake's execution engine: one DuckDB database for the account, one DuckDB
 * connection per Snowflake session (so transactions and temporary tables are per session, as
 * in Snowflake), stages as folders, and Snowflake's transaction rules where they differ from
 * DuckDB's: a DDL statement commits the open transaction first and then runs on its own
 * (counted in `implicitCommits`), COMMIT/ROLLBACK without a transaction do nothing.
 *
 * Concurrency, as Snowflake documents it (sql-reference/transactions, "Resource locking"):
 * UPDATE, DELETE and MERGE hold a lock on their table until their transaction ends (at once
 * under autocommit), so two of them on one table run one after the other: the second waits,
 * then sees what the first committed. INSERT and COPY take no such lock. DDL statements of
 * different sessions run one at a time (DuckDB would report a catalog conflict where Snowflake
 * just runs both). A transaction whose client went quiet and that blocks another's lock is
 * rolled back after `detachedAbortMs` (Snowflake: 5 minutes), which frees the tables a killed
 * run left locked. Not modelled: LOCK_TIMEOUT (a waiter waits for ever), deadlock detection,
 * and read-committed statements *inside* a transaction (DuckDB keeps a transaction's snapshot,
 * so a row changed by a commit after it began fails with a conflict instead).
 */
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { decodeSql, parse, SnowflakeSqlError, toDuck, unquote, type Parsed, type WriteVerb } from './rewrite.js';
import { STATUS_OK, tableResult, toJsonResult, type JsonResult } from './results.js';

/** What a statement answers: rows, or (PUT) the upload instructions the driver executes itself. */
export type Outcome =
  | { kind: 'rows'; result: JsonResult; statementTypeId?: number }
  | { kind: 'upload'; file: string; stageDir: string; autoCompress: boolean; overwrite: boolean };

/** Snowflake's statement type ids (snowflake-sdk lib/connection/result/statement_type.js) and result columns of DML. */
const WRITES: Record<WriteVerb, { typeId: number; columns: string[] }> = {
  INSERT: { typeId: 0x3100, columns: ['number of rows inserted'] },
  UPDATE: { typeId: 0x3200, columns: ['number of rows updated', 'number of multi-joined rows updated'] },
  DELETE: { typeId: 0x3300, columns: ['number of rows deleted'] },
  MERGE: { typeId: 0x3400, columns: ['number of rows inserted', 'number of rows updated', 'number of rows deleted'] },
};

const MACROS = [
  `CREATE OR REPLACE MACRO main.parse_json(x) AS CAST(x AS JSON)`,
  `CREATE OR REPLACE MACRO main.try_parse_json(x) AS TRY_CAST(x AS JSON)`,
  `CREATE OR REPLACE MACRO main.to_varchar(x) AS CAST(x AS VARCHAR)`,
  // TO_TIMESTAMP_TZ(seconds) and TO_TIMESTAMP_TZ(n, scale): n / 10^scale seconds since the epoch
  `CREATE OR REPLACE MACRO main.to_timestamp_tz(n) AS to_timestamp(n), (n, s) AS CAST(make_timestamp(CAST(n * pow(10, 6 - s) AS BIGINT)) AS TIMESTAMPTZ)`,
  // REGEXP_INSTR(subject, pattern): the position of the first match, 0 when none (the checks only compare it with 0)
  `CREATE OR REPLACE MACRO main.regexp_instr(x, p) AS CASE WHEN x IS NULL THEN NULL WHEN regexp_matches(x, p) THEN 1 ELSE 0 END`,
  `CREATE SCHEMA IF NOT EXISTS sf_meta`,
  // Snowflake's information_schema spelling of our types
  `CREATE OR REPLACE VIEW sf_meta.columns AS SELECT ${decodeSql('table_schema')} AS table_schema, ${decodeSql('table_name')} AS table_name,
     ${decodeSql('column_name')} AS column_name, ordinal_position,
     CASE data_type WHEN 'VARCHAR' THEN 'TEXT' WHEN 'BIGINT' THEN 'NUMBER' WHEN 'DOUBLE' THEN 'FLOAT'
       WHEN 'TIMESTAMP WITH TIME ZONE' THEN 'TIMESTAMP_TZ' WHEN 'JSON' THEN 'VARIANT' ELSE data_type END AS data_type,
     CASE WHEN data_type = 'BIGINT' THEN 0 END AS numeric_scale
     FROM information_schema.columns WHERE table_catalog = current_database()`,
  `CREATE OR REPLACE VIEW sf_meta.tables AS SELECT ${decodeSql('table_schema')} AS table_schema, ${decodeSql('table_name')} AS table_name
     FROM information_schema.tables WHERE table_catalog = current_database()`,
];

export class FakeSession {
  inTxn = false;
  /** `"schema"."name"` as written -> the session's DuckDB temp table. */
  readonly temps = new Map<string, string>();
  /** `"schema"."stage"` -> folder. */
  readonly stages = new Map<string, string>();
  /** Files each stage has loaded (COPY's load history: a loaded file is skipped). */
  readonly loaded = new Set<string>();
  /** Tables this session's UPDATE/DELETE/MERGE locked, until its transaction ends. */
  readonly locks = new Set<string>();
  /** When this session last ran a statement (a detached transaction is one whose client went quiet). */
  lastActiveMs = Date.now();

  constructor(
    readonly id: number,
    readonly conn: DuckDBConnection,
    readonly root: string,
  ) {}
}

export class Engine {
  implicitCommits = 0;
  readonly statements: string[] = [];
  private nextSession = 1;
  /** Fault injection: statements matching `re` fail (Snowflake error) `times` times. */
  private faults: Array<{ re: RegExp; times: number }> = [];
  /** Table -> the session holding its DML lock, and a promise settled when it lets go. */
  private readonly tableLocks = new Map<string, { owner: FakeSession; released: Promise<void>; release: () => void }>();
  /** DDL of all sessions, one statement at a time. */
  private ddlTail: Promise<void> = Promise.resolve();
  /** Statements that waited for another session's table lock (for tests). */
  lockWaits = 0;

  private constructor(
    readonly instance: DuckDBInstance,
    private readonly stageRoot: string,
    private readonly detachedAbortMs: number,
  ) {}

  /** Transactions rolled back because they were detached and blocked another (for tests). */
  detachedAborts = 0;

  static async create(dbPath: string, stageRoot: string, detachedAbortMs = 300_000): Promise<Engine> {
    const instance = await DuckDBInstance.create(dbPath, { autoinstall_known_extensions: 'false', autoload_known_extensions: 'false' });
    const conn = await instance.connect();
    for (const m of MACROS) await conn.run(m);
    conn.closeSync();
    return new Engine(instance, stageRoot, detachedAbortMs);
  }

  failOn(re: RegExp, times = 1): void {
    this.faults.push({ re, times });
  }

  async openSession(): Promise<FakeSession> {
    const conn = await this.instance.connect();
    const id = this.nextSession++;
    return new FakeSession(id, conn, path.join(this.stageRoot, `session-${id}`));
  }

  closeSession(s: FakeSession): void {
    // temporary tables and stages end with the session; its open transaction rolls back
    s.conn.closeSync();
    this.unlockTables(s);
    rmSync(s.root, { recursive: true, force: true });
  }

  async execute(s: FakeSession, sqlText: string): Promise<Outcome> {
    s.lastActiveMs = Date.now();
    this.statements.push(sqlText);
    const fault = this.faults.find((f) => f.times > 0 && f.re.test(sqlText));
    if (fault) {
      fault.times--;
      throw new SnowflakeSqlError('100132', 'injected failure (fake Snowflake)', '57014');
    }
    const p = parse(sqlText);
    try {
      return await this.run(s, p);
    } catch (err) {
      if (err instanceof SnowflakeSqlError) throw err;
      const msg = err instanceof Error ? err.message : String(err);
      throw new SnowflakeSqlError(/does not exist/i.test(msg) ? '002003' : '001003', `SQL compilation error:\n${msg}`);
    }
  }

  private rows(result: JsonResult): Outcome {
    return { kind: 'rows', result };
  }

  /** Replace `"schema"."name"` of the session's temporary tables with their DuckDB names. */
  private resolve(s: FakeSession, sql: string): string {
    let out = sql;
    for (const [written, duck] of s.temps) out = out.replaceAll(written, duck);
    return out;
  }

  private async query(s: FakeSession, sql: string): Promise<JsonResult> {
    const duck = toDuck(this.resolve(s, sql));
    const reader = await s.conn.runAndReadAll(duck);
    return reader.columnCount === 0 ? STATUS_OK() : toJsonResult(reader, sql);
  }

  /**
   * Wait for `table`'s DML lock, then hold it for `s` (until its transaction ends). A holder idle
   * for `detachedAbortMs` is taken for detached and rolled back: "If it blocks another transaction
   * from acquiring a lock on the same table and is idle for 5 minutes, it is automatically aborted
   * and rolled back" (Snowflake docs, sql-reference/transactions, "Aborting transactions").
   */
  private async lockTable(s: FakeSession, table: string): Promise<void> {
    for (let held = this.tableLocks.get(table); held && held.owner !== s; held = this.tableLocks.get(table)) {
      this.lockWaits++;
      const holder = held.owner;
      for (;;) {
        const idleFor = Date.now() - holder.lastActiveMs;
        if (idleFor >= this.detachedAbortMs) {
          await holder.conn.run('ROLLBACK').catch(() => undefined);
          holder.inTxn = false;
          this.detachedAborts++;
          this.unlockTables(holder);
          break;
        }
        let timer: NodeJS.Timeout | undefined;
        const waited = await Promise.race([
          held.released.then(() => true),
          new Promise<boolean>((r) => (timer = setTimeout(() => r(false), this.detachedAbortMs - idleFor))),
        ]);
        clearTimeout(timer);
        if (waited) break;
      }
    }
    if (this.tableLocks.has(table)) return;
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    this.tableLocks.set(table, { owner: s, released, release });
    s.locks.add(table);
  }

  private unlockTables(s: FakeSession): void {
    for (const table of s.locks) {
      const held = this.tableLocks.get(table);
      if (held?.owner === s) {
        this.tableLocks.delete(table);
        held.release();
      }
    }
    s.locks.clear();
  }

  /** Snowflake DDL: commits the open transaction, then runs in its own (one session's DDL at a time). */
  private async ddl(s: FakeSession, statements: string[]): Promise<void> {
    if (s.inTxn) {
      await s.conn.run('COMMIT');
      s.inTxn = false;
      this.implicitCommits++;
      this.unlockTables(s);
    }
    const previous = this.ddlTail;
    let done!: () => void;
    this.ddlTail = new Promise<void>((r) => (done = r));
    await previous;
    try {
      await s.conn.run('BEGIN TRANSACTION');
      try {
        for (const st of statements) await s.conn.run(st);
        await s.conn.run('COMMIT');
      } catch (err) {
        await s.conn.run('ROLLBACK').catch(() => undefined);
        throw err;
      }
    } finally {
      done();
    }
  }

  /**
   * INSERT/UPDATE/DELETE/MERGE: UPDATE, DELETE and MERGE lock their (non-temporary) table
   * first; the answer is Snowflake's: one row of counts ("number of rows inserted", …) and the
   * statement type, from which snowflake-sdk's getNumUpdatedRows() sums the rows changed.
   */
  private async write(s: FakeSession, p: Extract<Parsed, { kind: 'write' }>): Promise<Outcome> {
    if (p.verb !== 'INSERT' && !s.temps.has(p.table)) await this.lockTable(s, p.table);
    try {
      const duck = toDuck(this.resolve(s, p.sql));
      const counts: Record<string, number> = {};
      if (p.verb === 'MERGE') {
        const actions = (await s.conn.runAndReadAll(`${duck} RETURNING merge_action`)).getRows().map((r) => String(r[0]));
        for (const [action, column] of [
          ['INSERT', 'number of rows inserted'],
          ['UPDATE', 'number of rows updated'],
          ['DELETE', 'number of rows deleted'],
        ]) {
          counts[column!] = actions.filter((a) => a === action).length;
        }
      } else {
        counts[WRITES[p.verb].columns[0]!] = Number((await s.conn.runAndReadAll(duck)).getRows()[0]?.[0] ?? 0);
      }
      // Snowflake reports "number of rows deleted" of a MERGE only when it has a DELETE clause
      const columns = WRITES[p.verb].columns.filter((c) => p.verb !== 'MERGE' || c !== 'number of rows deleted' || /\bTHEN\s+DELETE\b/i.test(p.sql));
      const result = tableResult(
        columns.map((c) => [c, 'fixed']),
        [columns.map((c) => counts[c] ?? 0)],
      );
      return { kind: 'rows', result, statementTypeId: WRITES[p.verb].typeId };
    } finally {
      if (!s.inTxn) this.unlockTables(s);
    }
  }

  private async run(s: FakeSession, p: Parsed): Promise<Outcome> {
    switch (p.kind) {
      case 'noop':
        return this.rows(STATUS_OK());
      case 'set-timezone':
        await s.conn.run(`SET TimeZone = '${p.zone.replaceAll("'", "''")}'`);
        return this.rows(STATUS_OK());
      case 'begin':
        if (!s.inTxn) await s.conn.run('BEGIN TRANSACTION');
        s.inTxn = true;
        return this.rows(STATUS_OK());
      case 'commit':
      case 'rollback':
        try {
          if (s.inTxn) await s.conn.run(p.kind === 'commit' ? 'COMMIT' : 'ROLLBACK');
        } finally {
          s.inTxn = false;
          this.unlockTables(s);
        }
        return this.rows(STATUS_OK());
      case 'create-stage': {
        const dir = path.join(s.root, `stage-${s.stages.size + 1}`);
        if (!s.stages.has(p.name)) {
          mkdirSync(dir, { recursive: true });
          s.stages.set(p.name, dir);
        }
        return this.rows(STATUS_OK(`Stage area ${unquote(p.name.split('.').pop()!)} successfully created.`));
      }
      case 'put': {
        const stageDir = s.stages.get(p.stage);
        if (!stageDir) throw new SnowflakeSqlError('002003', `SQL compilation error:\nStage '${p.stage}' does not exist or not authorized.`);
        if (!existsSync(p.file)) throw new SnowflakeSqlError('253006', `File doesn't exist: ['${p.file}']`);
        return { kind: 'upload', file: p.file, stageDir, autoCompress: p.autoCompress, overwrite: p.overwrite };
      }
      case 'copy':
        return this.rows(await this.copy(s, p));
      case 'swap': {
        const [sa, ta] = p.a;
        const [sb, tb] = p.b;
        if (sa !== sb) throw new SnowflakeSqlError('001003', 'SQL compilation error: the fake swaps tables of one schema only');
        const tmp = `"__swap_${Date.now()}"`;
        await this.ddl(
          s,
          [`ALTER TABLE ${sa}.${ta} RENAME TO ${tmp}`, `ALTER TABLE ${sb}.${tb} RENAME TO ${ta}`, `ALTER TABLE ${sa}.${tmp} RENAME TO ${tb}`].map(toDuck),
        );
        return this.rows(STATUS_OK());
      }
      case 'create-like':
        await this.ddl(s, [toDuck(`CREATE TABLE ${p.ifNotExists ? 'IF NOT EXISTS ' : ''}${p.target} AS SELECT * FROM ${p.source} LIMIT 0`)]);
        return this.rows(STATUS_OK());
      case 'create-temp-table': {
        const name = p.name.slice(p.name.indexOf('"."') + 2);
        s.temps.set(p.name, `temp.main.${name}`);
        await this.ddl(s, [toDuck(p.sql.replace(p.name, name))]);
        return this.rows(STATUS_OK());
      }
      case 'ddl':
        await this.ddl(s, [toDuck(this.resolve(s, p.sql))]);
        return this.rows(STATUS_OK());
      case 'write':
        return this.write(s, p);
      case 'dml':
        return this.rows(await this.query(s, p.sql));
    }
  }

  /** COPY INTO <table> FROM (SELECT … FROM @stage) FILES = (…): an INSERT … SELECT from read_parquet. */
  private async copy(s: FakeSession, p: Extract<Parsed, { kind: 'copy' }>): Promise<JsonResult> {
    const stageDir = s.stages.get(p.stage);
    if (!stageDir) throw new SnowflakeSqlError('002003', `SQL compilation error:\nStage '${p.stage}' does not exist or not authorized.`);
    const key = `${p.stage}/${p.file}`;
    const file = path.join(stageDir, p.file);
    if (s.loaded.has(key)) return tableResult([['status', 'text']], [['Copy executed with 0 files processed.']]);
    if (!existsSync(file)) throw new SnowflakeSqlError('091016', `Remote file '${p.file}' was not found.`);
    const select = toDuck(p.select);
    const insert = `INSERT INTO ${toDuck(this.resolve(s, p.target))} (${toDuck(p.columns)}) SELECT ${select} FROM read_parquet('${file.replaceAll("'", "''")}')`;
    const reader = await s.conn.runAndReadAll(insert);
    const n = Number(reader.getRows()[0]?.[0] ?? 0);
    s.loaded.add(key);
    if (p.purge) rmSync(file, { force: true });
    return tableResult(
      [
        ['file', 'text'],
        ['status', 'text'],
        ['rows_parsed', 'fixed'],
        ['rows_loaded', 'fixed'],
        ['error_limit', 'fixed'],
        ['errors_seen', 'fixed'],
      ],
      [[p.file, 'LOADED', n, n, 1, 0]],
    );
  }
}
