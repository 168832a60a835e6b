/** The ready-to-paste `query` line that `demo` and `ingest` end with. */
import path from 'node:path';
import type { AssetConfig, Project } from '../config/index.js';
import { canQuery, describeDestination } from '../destinations/registry.js';

/**
 * The `query` line the demo and `ingest` end with: the same program name the user ran
 * (`npx intercom-elt` under npm/npx) and the flags that select the same file.
 */
export function queryExample(selectArgs: string[], sql: string): string {
  const bin = process.env['npm_command'] ? 'npx intercom-elt' : 'intercom-elt';
  return [bin, 'query', ...selectArgs.map(shellWord), `"${sql}"`].join(' ');
}

/** `--dest-uri duckdb:///…` for a file, relative to the current folder when it is inside it. */
export function destUriArgs(file: string, cwd = process.cwd()): string[] {
  const rel = path.relative(cwd, file);
  return ['--dest-uri', `duckdb:///${rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : `/${path.resolve(file).replace(/^\//, '')}`}`];
}

function shellWord(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * After `ingest`: a `query` line for the first asset that landed in a DuckDB file, with the flags
 * that select that file (undefined when no asset went to DuckDB).
 */
export function ingestQueryHint(
  project: Pick<Project, 'destinations'>,
  assets: Array<Pick<AssetConfig, 'destination' | 'schema' | 'table'>>,
  f: { config?: string; environment?: string; sourceUri?: string },
): string | undefined {
  const ducks = [...project.destinations.values()].filter(canQuery);
  const asset = assets.find((a) => ducks.some((d) => d.name === a.destination));
  const conn = ducks.find((d) => d.name === asset?.destination);
  const file = conn && describeDestination(conn).file;
  if (!asset || !conn || file === undefined) return undefined;
  const args = f.sourceUri
    ? destUriArgs(file)
    : [
        ...(f.config !== undefined ? ['-c', f.config] : []),
        ...(f.environment !== undefined ? ['-e', f.environment] : []),
        ...(ducks.length > 1 ? ['--connection', conn.name] : []),
      ];
  const simple = (s: string) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(s);
  const sql = simple(asset.schema) && simple(asset.table) ? `select * from ${asset.schema}.${asset.table} limit 10` : 'show all tables';
  return `Explore it: ${queryExample(args, sql)}`;
}
