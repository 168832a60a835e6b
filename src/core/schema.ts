/**
 * The shared vocabulary of every layer (docs/architecture.md): column types, rows, strategies,
 * windows, soft deletes and the `_elt_*` column names. The Intercom tables declare with these
 * words, Arrow builds with them and every destination loads with them; nothing here imports
 * anything of ours.
 */

/** Column types shared by Arrow batches and every destination. */
export type ColumnType = 'string' | 'int64' | 'float64' | 'bool' | 'timestamp' | 'json';

/** One destination column. `timestamp` columns receive unix seconds (Intercom's `*_at`). */
export interface ColumnDef {
  name: string;
  type: ColumnType;
  /** Where to read the value in the source row when it is not `row[name]`. */
  description?: string;
}

/** A record as it leaves a table's extractor: top-level fields, snake_case, JSON values. */
export type Row = Record<string, unknown>;

export type Strategy = 'merge' | 'replace' | 'append' | 'delete+insert';

/** The incremental window of one run, in unix seconds, both bounds inclusive. */
export interface Window {
  start: number;
  end: number;
}

/** Rows to mark deleted in one destination table: `keys[i]` (values of `keyColumns`) deleted at `deletedAt[i]` (unix seconds). */
export interface SoftDeletes {
  keyColumns: string[];
  keys: unknown[][];
  deletedAt: number[];
}

/** The soft-delete column on tables that can see deletes. */
export const DELETED_AT_COLUMN = '_elt_deleted_at';

/** Metadata columns appended to every batch (dbt freshness, load lineage). */
export const LOADED_AT_COLUMN = '_elt_loaded_at';
export const LOAD_ID_COLUMN = '_elt_load_id';
export const METADATA_COLUMNS: readonly string[] = [LOADED_AT_COLUMN, LOAD_ID_COLUMN];

/** The schema a destination's tables and metadata tables go to when the connection names none. */
export const DEFAULT_SCHEMA = 'intercom';

/** Intercom's hosting regions (api.intercom.io, api.eu.intercom.io, api.au.intercom.io). */
export type Region = 'us' | 'eu' | 'au';
