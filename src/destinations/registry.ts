/**
 * Every destination type, and the one place that knows them: how to open one, what `check` prints
 * about it, which of its values are secrets, what dbt-sources writes for it, and whether `query`
 * reads it. Nothing outside destinations/ names a destination type: the pipeline and the commands
 * ask here.
 *
 * Metadata tables (`_elt_state`, `_elt_loads`) live in the connection's schema, default `intercom`.
 * Each destination's module (and its driver: DuckDB's native addon, pg, snowflake-sdk) loads only
 * when a connection uses it: importing snowflake-sdk alone costs ~1 s of CPU at every start. The
 * dialects (SQL text, no driver) load with this file, for commands that only write SQL for others.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { EltError } from '../core/errors.js';
import type { DestinationConnection, DestinationType, Project } from '../config/index.js';
import { duckDbDialect } from './duckdb/sql.js';
import { postgresDialect } from './postgres/sql.js';
import { snowflakeDialect } from './snowflake/sql.js';
import { customCheckSql } from './shared/checks.js';
import { literal, type Dialect } from './shared/dialect.js';
import type { DbtTarget, Destination, DestinationDescription, QueryRows } from './types.js';

export interface OpenOptions {
  /** DuckDB: open the file read-only (works in a read-only folder and beside another reader). */
  readOnly?: boolean;
}

/** One destination type: what the pipeline and the commands need of it. */
interface DestinationEntry<C extends DestinationConnection> {
  /** Open a connection (the type's module and driver load now). */
  open(conn: C, opts: OpenOptions): Promise<Destination>;
  /** What check and validate print about it (and the local file it lives in, if any). */
  describe(conn: C): DestinationDescription;
  /** The connection's values never to print (passwords, private keys). */
  secrets(conn: C): Array<string | undefined>;
  /** What dbt-sources writes for one schema of this connection. */
  dbt(conn: C, schema: string): DbtTarget;
  /** `intercom-elt query`: read-only SQL on the connection's data; absent where its own client is the way (psql, snowsql). */
  readOnlyQuery?(conn: C, sql: string, limit: number): Promise<QueryRows>;
}

type EntryOf<T extends DestinationType> = DestinationEntry<Extract<DestinationConnection, { type: T }>>;

const DESTINATIONS: { [T in DestinationType]: EntryOf<T> } = {
  duckdb: {
    // read-only: works in a read-only folder and beside another process that has the file open read-only
    open: async (c, opts) => (await import('./duckdb/index.js')).createDuckDbDestination({ path: c.path, readOnly: opts.readOnly }),
    describe: (c) => ({ where: c.path, ...(c.path !== ':memory:' && { file: c.path }), proves: 'folder writable' }),
    secrets: () => [],
    // dbt-duckdb calls the file's catalog (its name without extension) the database
    dbt: (c) => dbtTargetOf(duckDbDialect, c.path === ':memory:' ? undefined : path.basename(c.path).replace(/\.[^.]*$/, '')),
    async readOnlyQuery(c, sql, limit) {
      if (c.path === ':memory:') throw new EltError('usage', `connection '${c.name}' is an in-memory DuckDB: it keeps nothing to query`);
      // loaded here, not at the top: ingest and the pipeline import this file and must not load DuckDB for a Postgres run
      return (await import('./duckdb/read.js')).queryDuckDbFile(c.path, sql, limit);
    },
  },
  postgres: {
    async open(c) {
      const pg = await import('./postgres/index.js');
      return pg.createPostgresDestination(pg.optionsFromConnection(c));
    },
    describe: (c) => ({ where: `${c.host}:${c.port}/${c.database}` }),
    secrets: (c) => [c.password],
    dbt: (c) => dbtTargetOf(postgresDialect, c.database),
  },
  snowflake: {
    open: async (c) => (await import('./snowflake/index.js')).createSnowflakeDestination(c),
    describe: (c) => ({ where: `${c.account}/${c.database}` }),
    secrets: (c) => [c.password, c.privateKey],
    // Snowflake's session staging tables belong to a schema: its dialect is made per schema
    dbt: (c, schema) => dbtTargetOf(snowflakeDialect(schema), c.database),
  },
};

function entryOf(conn: DestinationConnection): DestinationEntry<DestinationConnection> {
  const entry = (DESTINATIONS as Partial<Record<string, unknown>>)[conn.type];
  if (entry === undefined) throw new Error(`the ${conn.type} destination is not available yet`);
  // the entry of conn's own type: its functions are only ever called with conn
  return entry as DestinationEntry<DestinationConnection>;
}

/** Opens the destination a connection names. */
export async function openDestination(conn: DestinationConnection, opts: OpenOptions = {}): Promise<Destination> {
  return entryOf(conn).open(conn, opts);
}

/**
 * For read-only commands (list, state show): the destination opened read-only, or undefined when
 * there is nothing to read yet (a DuckDB file that does not exist: opening it would create an
 * empty file just to list nothing).
 */
export function openExisting(conn: DestinationConnection): Promise<Destination | undefined> {
  const { file } = describeDestination(conn);
  return file !== undefined && !existsSync(file) ? Promise.resolve(undefined) : openDestination(conn, { readOnly: true });
}

/** Where a connection points, as check and validate print it, and the local file it lives in. */
export function describeDestination(conn: DestinationConnection): DestinationDescription {
  return entryOf(conn).describe(conn);
}

/** Every secret of the project (Intercom tokens, destination passwords and keys), for the redactor of any output. */
export function secretsOf(project: Pick<Project, 'intercom' | 'destinations'>): string[] {
  const out: string[] = [];
  for (const c of project.intercom.values()) out.push(c.accessToken);
  for (const d of project.destinations.values()) {
    for (const secret of entryOf(d).secrets(d)) if (secret) out.push(secret);
  }
  return out;
}

/** What dbt-sources writes for the tables of `schema` on this connection. */
export function dbtTarget(conn: DestinationConnection, schema: string): DbtTarget {
  return entryOf(conn).dbt(conn, schema);
}

function dbtTargetOf(d: Dialect, database: string | undefined): DbtTarget {
  return {
    ...(database !== undefined && { database }),
    // intercom-elt quotes every identifier: where unquoted names fold to upper case (Snowflake),
    // the lower-case names it created keep their case and dbt must quote them too
    quoting: d.capabilities.identifierCase === 'upper',
    sql: {
      quoteIdent: d.quoteIdent,
      qualified: d.qualified,
      literal: (value) => literal(d, value),
      stringLiteral: d.stringLiteral,
      regexMatch: d.regexMatch,
      customCheckSql,
    },
  };
}

/** Whether `intercom-elt query` reads this connection (DuckDB files; a server has its own client). */
export function canQuery(conn: DestinationConnection): boolean {
  return entryOf(conn).readOnlyQuery !== undefined;
}

/** `intercom-elt query`: `sql` on the connection's data, read-only, at most `limit` rows (0: all). */
export function queryReadOnly(conn: DestinationConnection, sql: string, limit: number): Promise<QueryRows> {
  const query = entryOf(conn).readOnlyQuery;
  if (query === undefined) throw new Error(`query does not read ${conn.type} connections`);
  return query(conn, sql, limit);
}
