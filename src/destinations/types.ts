/**
 * The contract between the pipeline and every destination (DuckDB, Postgres, Snowflake).
 * A destination never imports Intercom code; it receives Arrow record batches and state.
 */
import type { RecordBatch } from 'apache-arrow';
import type { ColumnDef, SoftDeletes, Strategy, Window } from '../core/schema.js';
import type { Check, CustomCheck } from '../config/index.js';

/** Differences between destinations, as data (STYLE.md: branch on capabilities, never on names). */
export interface DestinationCapabilities {
  /** DDL (CREATE/ALTER) can run inside the load transaction. */
  transactionalDdl: boolean;
  /** `MERGE INTO` is available. */
  merge: boolean;
  /** Longest identifier in bytes (Postgres 63); longer names are shortened deterministically. */
  maxIdentifierLength: number;
  /** How unquoted identifiers fold ('lower' | 'upper'); we always quote. */
  identifierCase: 'lower' | 'upper' | 'preserve';
  /** The SQL type of each column type. */
  types: Record<ColumnDef['type'], string>;
}

/** The state of one asset, stored as JSON in `_elt_state` in the same transaction as its rows. */
export interface AssetState {
  /** Highest incremental value (unix seconds) whose window is completely loaded. */
  cursor?: number;
  /** An interrupted run's position: the frozen window and the extractor's resume token. */
  inProgress?: { window?: Window; resume?: unknown; loadId: string };
  /** Schema-evolution memory and anything else the pipeline wants to carry. */
  [key: string]: unknown;
}

/** One destination table written by a run. */
export interface TableTarget {
  /** Logical name the pipeline uses in `write` (the Intercom table name). */
  key: string;
  schema: string;
  table: string;
  columns: ColumnDef[];
  primaryKey: string[];
  /** Dedup ordering: keep the row with the greatest value (ties: the last staged). */
  incrementalKey?: string;
  strategy: Strategy;
  /** For child tables: rows are replaced per parent key before inserting (see Page.replaceChildren). */
  parentKey?: string[];
}

export interface RunSpec {
  asset: string;
  loadId: string;
  tables: TableTarget[];
  /** The run's window (delete+insert deletes this range of the incremental key). */
  window?: Window;
  /** A full refresh drops the asset's tables and state first. */
  fullRefresh: boolean;
}

export interface LoadSummary {
  status: 'ok' | 'failed' | 'interrupted';
  rows: number;
  requests: number;
  error?: string;
}

/** A run's writer: stage batches, then commit rows and state together. */
export interface RunWriter {
  /** Stage one batch for a table (may spill to disk / staging tables; nothing visible yet). */
  write(tableKey: string, batch: RecordBatch, replaceChildren?: { parentKey: string[]; parents: unknown[][] }): Promise<void>;
  /**
   * Mark rows deleted (`_elt_deleted_at`, added to the table if missing) at the next checkpoint, in
   * its transaction, after that checkpoint's rows are applied. Rows that do not exist are ignored.
   */
  markDeleted(tableKey: string, deletes: SoftDeletes): Promise<void>;
  /**
   * Make every staged row visible together with `state`, in one transaction
   * (for replace tables: staged rows are kept aside until `finish`).
   */
  checkpoint(state: AssetState): Promise<void>;
  /** Last checkpoint + replace swaps + the `_elt_loads` row, atomically. */
  finish(state: AssetState, summary: LoadSummary): Promise<void>;
  /** Roll back what is staged, record the failure in `_elt_loads`, leave committed data as is. */
  abort(summary: LoadSummary): Promise<void>;
}

/** A destination connection. Created by an async factory; never constructed directly. */
export interface Destination {
  readonly name: string;
  readonly capabilities: DestinationCapabilities;
  /** Read the committed state of an asset (undefined if never loaded). */
  readState(asset: string): Promise<AssetState | undefined>;
  /** Start a run: creates schema/metadata tables if needed, takes the asset lock, records `_elt_loads` 'running'. */
  openRun(spec: RunSpec): Promise<RunWriter>;
  /** Forget an asset's state (state reset). */
  resetState(asset: string): Promise<void>;
  /** Rows of `_elt_loads` for an asset, newest first. */
  loads(asset?: string, limit?: number): Promise<Array<Record<string, unknown>>>;
  /**
   * `check`: create the schemas and a table in each the way a run names them, then roll back, so
   * what a run would hit (a name the database refuses, no CREATE permission) fails here. Where DDL
   * is not transactional (Snowflake) nothing is created and only the connection is proved.
   */
  checkWrite(schemas: readonly string[]): Promise<void>;
  /**
   * Run an asset's checks on its table (after the load's final commit) and record the results
   * in `_elt_checks` under `loadId`. A check that cannot run is an `error` result, not a throw.
   */
  runChecks(target: { asset: string; loadId: string; schema: string; table: string }, checks: readonly Check[]): Promise<CheckResult[]>;
  close(): Promise<void>;
}

/** What one check found; `error` when it could not run (a missing column, a failing query). */
export interface CheckResult {
  /** The check's name (built-in name, or the custom check's name). */
  check: string;
  column?: string;
  blocking: boolean;
  status: 'passed' | 'failed' | 'error';
  /** Rows breaking a column check. */
  offendingRows?: number;
  /** One line: what was found (and expected). */
  message: string;
}

/** What `check` and `validate` print about a destination connection (registry.describeDestination). */
export interface DestinationDescription {
  /** Where it points: the file, `host:port/database`, `account/database`. */
  where: string;
  /**
   * The local file the data lives in (DuckDB), undefined for a server or an in-memory database:
   * check and validate test its folder before connecting; read-only commands never create it.
   */
  file?: string;
  /** What a passing `check` proves beyond reaching it and creating tables (DuckDB: 'folder writable'). */
  proves?: string;
}

/** SQL written for others to run on a destination (dbt-sources' test expressions), in its dialect. */
export interface SqlSyntax {
  /** An identifier, quoted as the destination quotes it. */
  quoteIdent(name: string): string;
  /** `schema.table`, both quoted. */
  qualified(schema: string, table: string): string;
  /** A literal of a scalar value (strings escaped as the destination escapes them). */
  literal(value: unknown): string;
  stringLiteral(value: string): string;
  /** True when the text `expr` contains a match of the regular expression `pattern` (a literal). */
  regexMatch(expr: string, pattern: string): string;
  /** A custom check's query with `{{ this }}` replaced by `ref` (the table, already quoted). */
  customCheckSql(check: CustomCheck, ref: string): string;
}

/** What dbt-sources writes about one schema of a destination. */
export interface DbtTarget {
  /** The source's `database:` (DuckDB: the file's catalog; none in memory). */
  database?: string;
  /** Names were created quoted and unquoted ones would fold to another case (Snowflake): dbt must quote them. */
  quoting: boolean;
  sql: SqlSyntax;
}

/** A column of a `query` result. */
export interface QueryColumn {
  name: string;
  /** The destination's type name, e.g. BIGINT, TIMESTAMP WITH TIME ZONE, JSON. */
  type: string;
}

/** The rows `intercom-elt query` prints. */
export interface QueryRows {
  columns: QueryColumn[];
  /** Cells as the database prints them (null for NULL). */
  text: Array<Array<string | null>>;
  /** The same rows as JSON values: safe integers as numbers, JSON columns parsed, the rest as the database's JSON form. */
  json: Array<Record<string, unknown>>;
  /** More rows existed than `limit`. */
  truncated: boolean;
}
