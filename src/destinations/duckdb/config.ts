import type { DuckDBInstance } from '@duckdb/node-api';

/** DuckDB connection config: a database file (or ':memory:'), the schema, read-only mode. */
export interface DuckDbOptions {
  /** Database file path; created if missing (unless readOnly). */
  path: string;
  /** Schema of the asset tables and of `_elt_state`/`_elt_loads` (default 'intercom'). */
  schema?: string;
  readOnly?: boolean;
  /** Extra DuckDB configuration options (e.g. { memory_limit: '1GB', threads: '4' }); they win over our defaults. */
  settings?: Record<string, string>;
  /** How merge upserts (default 'delete-insert', measured faster than MERGE INTO on long backfills). */
  upsert?: 'merge' | 'delete-insert';
  /** An instance opened by the caller (shared with its own connections; not closed by us). */
  instance?: DuckDBInstance;
}

/**
 * Instance options: extensions are never downloaded or auto-loaded at run time (the JSON
 * and ICU extensions this build links statically are all we use), so a run works offline
 * and does not execute code fetched from the network.
 */
export function instanceOptions(opts: DuckDbOptions): Record<string, string> {
  return {
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
    // measured on a 1M-contact backfill: the default 16MB WAL threshold checkpoints every
    // couple of commits and the checkpoints dominate; a bounded buffer pool keeps RSS flat
    checkpoint_threshold: '128MB',
    memory_limit: '128MB',
    // DuckDB's jemalloc purges freed pages only when its threads allocate again, unless background
    // threads do it: measured at 1M contacts, jemalloc resident 200 MB for 108 MB allocated without,
    // 106 for 97 with (docs/benchmarks.md, "Issue 19, where the memory goes")
    allocator_background_threads: 'true',
    ...(opts.readOnly ? { access_mode: 'READ_ONLY' } : {}),
    ...opts.settings,
  };
}
