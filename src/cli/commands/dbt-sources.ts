/**
 * `intercom-elt dbt-sources`: a dbt `sources.yml` for the project's assets — one source per
 * destination schema, a table per asset with the table declaration's description and column
 * descriptions, and freshness on `_elt_loaded_at` (written on every row by each load).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { stringify } from 'yaml';
import { destinationConnection, type AssetConfig, type DestinationConnection, type Project } from '../../config/index.js';
import { getTable } from '../../intercom/tables/index.js';
import type { ColumnDef, TableSpec } from '../../intercom/tables/spec.js';
import type { Output } from '../render.js';
import { projectFromFlags, type ProjectFlags } from './shared.js';

export interface DbtSourcesFlags extends ProjectFlags {
  out?: string;
}

/** Loads land at least daily in a typical schedule: warn after a day, error after two. */
export const FRESHNESS = {
  warn_after: { count: 24, period: 'hour' },
  error_after: { count: 48, period: 'hour' },
} as const;

interface DbtColumn {
  name: string;
  description: string;
}

interface DbtTable {
  name: string;
  description: string;
  columns: DbtColumn[];
}

interface DbtSource {
  name: string;
  description: string;
  database?: string;
  schema: string;
  quoting?: Record<string, boolean>;
  loaded_at_field: string;
  freshness: typeof FRESHNESS;
  tables: DbtTable[];
}

const METADATA_COLUMNS: DbtColumn[] = [
  { name: '_elt_loaded_at', description: 'When intercom-elt loaded this row (UTC); the freshness field.' },
  { name: '_elt_load_id', description: 'The load that wrote this row (see _elt_loads).' },
];

function columnDescription(c: ColumnDef, t: { primaryKey: string[]; incrementalKey?: string }): string {
  const notes: string[] = [];
  if (c.description) notes.push(c.description.replace(/\.?$/, '.'));
  if (t.primaryKey.includes(c.name)) notes.push(t.primaryKey.length > 1 ? 'Part of the primary key.' : 'Primary key.');
  if (t.incrementalKey === c.name) notes.push('Incremental key (the cursor of the sync).');
  if (c.type === 'timestamp') notes.push('Timestamp (UTC).');
  if (c.type === 'json') notes.push('JSON, as Intercom returns it.');
  return notes.join(' ') || `Intercom's \`${c.name}\` field (${c.type}).`;
}

function columnsOf(columns: ColumnDef[], keys: { primaryKey: string[]; incrementalKey?: string }): DbtColumn[] {
  return [...columns.map((c) => ({ name: c.name, description: columnDescription(c, keys) })), ...METADATA_COLUMNS];
}

/** The DuckDB catalog of a file is its name without extension (what dbt-duckdb calls the database). */
function databaseOf(dest: DestinationConnection): string | undefined {
  if (dest.type === 'duckdb') return dest.path === ':memory:' ? undefined : path.basename(dest.path).replace(/\.[^.]*$/, '');
  return dest.database;
}

function tablesOf(asset: AssetConfig, spec: TableSpec): DbtTable[] {
  const main: DbtTable = {
    name: asset.table,
    description: `${spec.description} Intercom ${spec.endpoint}; ${asset.strategy} on ${asset.primaryKey.join(', ') || '(no key)'}.`,
    columns: columnsOf(spec.columns, { primaryKey: asset.primaryKey, incrementalKey: asset.incrementalKey }),
  };
  // Child tables land beside the parent under their own name (pipeline/run-asset.ts targetsFor).
  const children = (spec.children ?? []).map<DbtTable>((c) => ({
    name: c.name,
    description: `Child table of ${asset.name}, replaced per ${c.parentKey.join(', ')}.`,
    columns: columnsOf(c.columns, { primaryKey: c.primaryKey }),
  }));
  return [main, ...children];
}

/** The sources.yml document for a project (pure: no I/O). */
export function dbtSources(project: Pick<Project, 'assets' | 'destinations'> & Partial<Pick<Project, 'unavailable'>>): { version: 2; sources: DbtSource[] } {
  const groups = new Map<string, { dest: DestinationConnection; schema: string; assets: AssetConfig[] }>();
  for (const a of project.assets) {
    const key = `${a.destination}\u0000${a.schema}`;
    const g = groups.get(key) ?? { dest: destinationConnection(project, a.destination), schema: a.schema, assets: [] };
    g.assets.push(a);
    groups.set(key, g);
  }
  const schemaCount = new Map<string, number>();
  for (const g of groups.values()) schemaCount.set(g.schema, (schemaCount.get(g.schema) ?? 0) + 1);
  const sources: DbtSource[] = [];
  for (const g of groups.values()) {
    const source: DbtSource = {
      // the schema name, unless two destinations share it
      name: (schemaCount.get(g.schema) ?? 0) > 1 ? `${g.dest.name}_${g.schema}` : g.schema,
      description: `Intercom data loaded by intercom-elt into ${g.dest.type} connection ${g.dest.name}.`,
      schema: g.schema,
      loaded_at_field: '_elt_loaded_at',
      freshness: FRESHNESS,
      tables: [],
    };
    const database = databaseOf(g.dest);
    if (database) source.database = database;
    // intercom-elt quotes every identifier, so on Snowflake the names keep their case: dbt must quote too
    if (g.dest.type === 'snowflake') source.quoting = { schema: true, identifier: true };
    const seen = new Set<string>();
    for (const a of g.assets) {
      const spec = getTable(a.sourceTable);
      if (!spec) continue;
      for (const t of tablesOf(a, spec)) {
        if (seen.has(t.name)) continue;
        seen.add(t.name);
        source.tables.push(t);
      }
    }
    // reorder keys the way dbt docs show them
    const { name, description, database: db, schema, quoting, loaded_at_field, freshness, tables } = source;
    sources.push({ name, description, ...(db ? { database: db } : {}), schema, ...(quoting ? { quoting } : {}), loaded_at_field, freshness, tables } as DbtSource);
  }
  return { version: 2, sources };
}

export async function dbtSourcesCommand(f: DbtSourcesFlags, o: Output): Promise<{ yaml: string; file?: string }> {
  const project = await projectFromFlags(f);
  const text = `# Generated by intercom-elt dbt-sources from ${path.basename(project.configFile)} and assets/; regenerate rather than edit.\n` +
    stringify(dbtSources(project), { lineWidth: 0, aliasDuplicateObjects: false });
  if (!f.out) {
    for (const line of text.trimEnd().split('\n')) o.out(line);
    return { yaml: text };
  }
  const file = path.resolve(f.out);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, text);
  o.err(`wrote ${file} (${project.assets.length} asset(s))`);
  return { yaml: text, file };
}
