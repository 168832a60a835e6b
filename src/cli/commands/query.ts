/**
 * `intercom-elt query "SQL"`: local exploration of a DuckDB destination (Bruin's `bruin query`).
 * The file is opened read-only, so it works beside other readers but not while an ingest writes it
 * (DuckDB's single-writer lock): that is one clear line, exit 1.
 */
import { EltError } from '../../core/errors.js';
import { loadConnections, noProjectError, parseDestUri, type DestinationConnection } from '../../config/index.js';
import { canQuery, queryReadOnly } from '../../destinations/registry.js';
import type { QueryRows } from '../../destinations/types.js';
import type { Output } from '../render.js';
import { configPath, formatTable, type ProjectFlags } from '../project.js';
import type { CommandDefinition } from '../command.js';

export const QUERY_FORMATS = ['table', 'csv', 'json'] as const;
export type QueryFormat = (typeof QUERY_FORMATS)[number];
export const DEFAULT_QUERY_LIMIT = 100;

export interface QueryFlags extends Omit<ProjectFlags, 'assetsDir'> {
  /** The destination connection of connections.yml to read (needed when there are several DuckDB ones). */
  connection?: string;
  /** ingestr form: `duckdb:///file.duckdb`, no project needed. */
  destUri?: string;
  format?: string;
  /** Rows to print (0: all). */
  limit?: number | string;
}

export const command: CommandDefinition = {
  name: 'query [...sql]',
  description: "Run SQL on the project's DuckDB destination, read-only, and print the rows",
  options: [
    ['-c, --config <file>', 'connections.yml to read (default: connections.yml)'],
    ['-e, --environment <name>', 'Environment of connections.yml to use'],
    ['--connection <name>', 'The DuckDB connection to read (needed when connections.yml has several)'],
    ['--dest-uri <uri>', 'Read this file instead of a project: duckdb:///file.duckdb'],
    ['--format <format>', `${QUERY_FORMATS.join(' | ')} (default table)`],
    ['--limit <n>', `Rows to print (default ${DEFAULT_QUERY_LIMIT}; 0 = all)`],
  ],
  examples: [
    'intercom-elt query "select name, email from intercom.contacts order by updated_at desc"',
    'intercom-elt query "select * from intercom.conversations" --format csv --limit 0 > conversations.csv',
    'intercom-elt query --dest-uri duckdb:///demo.duckdb "select count(*) from intercom.contacts"',
  ],
  action: async ({ output }, sql: string[], flags: QueryFlags) => {
    await queryCommand(sql, flags, output);
  },
};

export async function queryCommand(sql: string[], f: QueryFlags, o: Output, cwd = process.cwd()): Promise<QueryRows> {
  if (sql.length !== 1 || sql[0]!.trim() === '') {
    throw new EltError(
      'usage',
      sql.length > 1 ? 'quote the SQL as one argument: intercom-elt query "select …"' : 'query needs SQL: intercom-elt query "select * from intercom.contacts"',
    );
  }
  const format = (f.format ?? 'table') as QueryFormat;
  if (!QUERY_FORMATS.includes(format)) throw new EltError('usage', `--format: '${f.format}' is not one of ${QUERY_FORMATS.join(', ')}`);
  const limit = f.limit === undefined ? DEFAULT_QUERY_LIMIT : Number(f.limit);
  if (!Number.isInteger(limit) || limit < 0) throw new EltError('usage', `--limit: '${f.limit}' is not a whole number (0 prints every row)`);
  const conn = await duckDbConnection(f, cwd);
  const result = await queryReadOnly(conn, sql[0]!, limit);
  for (const line of render(result, format)) o.out(line);
  if (result.truncated && format !== 'table') o.err(`showing the first ${limit} row${limit === 1 ? '' : 's'}; --limit <n> for more, --limit 0 for all`);
  return result;
}

/** The DuckDB connection to read: --dest-uri, --connection, or the project's only DuckDB connection. */
async function duckDbConnection(f: QueryFlags, cwd: string): Promise<DestinationConnection> {
  let conn: DestinationConnection;
  if (f.destUri !== undefined) {
    const extra = (['config', 'environment', 'connection'] as const).find((k) => f[k] !== undefined);
    if (extra) throw new EltError('usage', `--${extra} does not apply with --dest-uri (the URI names the file); drop one of them`);
    conn = parseDestUri(f.destUri, cwd);
  } else {
    const file = configPath(f, cwd);
    if (file === undefined) throw noProjectError(false);
    const { destinations } = await loadConnections(file, { environment: f.environment, env: process.env });
    const all = [...destinations.values()];
    const ducks = all.filter(canQuery);
    if (f.connection !== undefined) {
      const named = destinations.get(f.connection);
      if (!named)
        throw new EltError(
          'usage',
          `--connection: no destination connection '${f.connection}' in ${file} (there are: ${all.map((d) => d.name).join(', ') || 'none'})`,
        );
      conn = named;
    } else if (ducks.length === 1) {
      conn = ducks[0]!;
    } else if (ducks.length > 1) {
      throw new EltError('usage', `${file} has several DuckDB connections (${ducks.map((d) => d.name).join(', ')}): pick one with --connection <name>`);
    } else {
      throw new EltError(
        'usage',
        `${file} has no DuckDB connection: query reads DuckDB files only${all.length ? ` (${all.map((d) => `'${d.name}' is ${d.type}`).join(', ')}: use its own client)` : ''}`,
      );
    }
  }
  if (!canQuery(conn)) {
    throw new EltError(
      'usage',
      `query reads DuckDB files only; ${f.destUri !== undefined ? '--dest-uri' : `connection '${conn.name}'`} is ${conn.type}: use its own client (psql, snowsql)`,
    );
  }
  return conn;
}

/** Widest cell in the table form; csv and json carry every value whole. */
const MAX_CELL = 80;

function render(r: QueryRows, format: QueryFormat): string[] {
  if (format === 'json') return [JSON.stringify(r.json, null, 2)];
  const header = r.columns.map((c) => c.name);
  if (format === 'csv') return [header, ...r.text.map((row) => row.map((v) => v ?? ''))].map((row) => row.map(csvCell).join(','));
  const cell = (v: string | null) => {
    const s = v === null ? 'NULL' : v.replace(/\r?\n/g, '\\n');
    return s.length > MAX_CELL ? `${s.slice(0, MAX_CELL - 1)}…` : s;
  };
  const n = r.text.length;
  return [
    ...formatTable(
      header,
      r.text.map((row) => row.map(cell)),
    ),
    r.truncated ? `(first ${n} row${n === 1 ? '' : 's'}; --limit <n> for more, --limit 0 for all)` : `(${n} row${n === 1 ? '' : 's'})`,
  ];
}

/** RFC 4180: quoted when it holds a comma, a quote or a line break; quotes doubled. */
function csvCell(v: string): string {
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}
