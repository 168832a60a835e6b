/**
 * `intercom-elt list`: the Intercom tables intercom-elt can read and, when a project exists, its
 * assets with their last load and cursor, read from the destination (state lives with the data).
 */
import { destinationConnection, MAX_API_VERSION, MIN_API_VERSION, type Project } from '../../config/index.js';
import { tables } from '../../intercom/tables/index.js';
import type { TableSpec } from '../../intercom/tables/spec.js';
import { endpointsOf } from '../../intercom/tables/common.js';
import { secretsOf } from '../../destinations/registry.js';
import { makeRedactor, type Output } from '../render.js';
import { DestinationPool } from '../destination-pool.js';
import { cellText, configPath, cursorText, formatTable, jsonDocument, projectFromFlags, projectOptions, type JsonFlag, type ProjectFlags } from '../project.js';
import type { CommandDefinition } from '../command.js';

export const command: CommandDefinition = {
  name: 'list',
  description: 'List the Intercom tables and, with a project, its assets with their last load and cursor',
  options: [
    ...projectOptions(true),
    ['--tables-only', 'Only the table catalogue, even when connections.yml exists'],
    ['--json', 'Print the tables and assets as one JSON document on stdout'],
  ],
  examples: ['intercom-elt list', 'intercom-elt list --config prod/connections.yml -e production'],
  action: async ({ output }, flags: ListFlags) => {
    await listCommand(flags, output);
  },
};

export interface ListFlags extends ProjectFlags, JsonFlag {
  /** Only the table catalogue, even when a project exists. */
  tablesOnly?: boolean;
}

export interface TableListing {
  name: string;
  primaryKey: string[];
  incrementalKey?: string;
  defaultStrategy: string;
  endpoint: string;
  apiVersions: string;
}

export interface AssetListing {
  asset: string;
  table: string;
  strategy: string;
  destination: string;
  lastLoad?: Record<string, unknown>;
  cursor?: number;
  /** Why the destination could not be read, if it could not. */
  unavailable?: string;
}

export interface ListResult {
  tables: TableListing[];
  assets?: AssetListing[];
}

/** API versions a table works on: from its `minVersion` (or the oldest supported) to the newest supported. */
export function apiVersions(t: Pick<TableSpec, 'minVersion'>): string {
  return `${t.minVersion ?? MIN_API_VERSION}–${MAX_API_VERSION}`;
}

export async function listCommand(f: ListFlags, o: Output): Promise<ListResult> {
  const result: ListResult = {
    tables: tables.map((t) => ({
      name: t.name,
      primaryKey: t.primaryKey,
      incrementalKey: t.incrementalKey,
      defaultStrategy: t.defaultStrategy,
      endpoint: endpointsOf(t),
      apiVersions: apiVersions(t),
    })),
  };
  // --json: the same result as one document, printed once everything is known
  const text = f.json ? () => undefined : (line: string) => o.out(line);
  text('Intercom tables');
  const tableRows = result.tables.map((t) => [t.name, t.primaryKey.join(', '), t.incrementalKey ?? '-', t.defaultStrategy, t.apiVersions, t.endpoint]);
  for (const line of formatTable(['table', 'primary key', 'incremental key', 'default strategy', 'API versions', 'endpoint'], tableRows)) text(line);

  // No project here is fine (list the catalogue only); an explicit --config that is missing is an error
  // (loadProject reports it).
  if (f.tablesOnly || configPath(f) === undefined) {
    if (f.json) o.out(jsonDocument(result));
    return result;
  }
  const project = await projectFromFlags(f);
  const redact = makeRedactor(secretsOf(project));
  result.assets = await assetListings(project);
  if (f.json) {
    o.out(redact(jsonDocument(result)));
    return result;
  }
  o.out('');
  o.out(`Assets (${project.configFile}, environment ${project.environment})`);
  const assetRows = result.assets.map((a) => [
    a.asset,
    a.table,
    a.strategy,
    a.destination,
    a.unavailable ? `unavailable: ${a.unavailable}` : lastLoadText(a.lastLoad),
    a.unavailable ? '?' : cursorText(a.cursor === undefined ? undefined : { cursor: a.cursor }),
  ]);
  for (const line of formatTable(['asset', 'table', 'strategy', 'destination', 'last load', 'cursor'], assetRows)) o.out(redact(line));
  return result;
}

async function assetListings(project: Project): Promise<AssetListing[]> {
  const pool = new DestinationPool();
  try {
    const out: AssetListing[] = [];
    for (const a of project.assets) {
      const item: AssetListing = { asset: a.name, table: a.sourceTable, strategy: a.strategy, destination: a.destination };
      try {
        const dest = await pool.get(destinationConnection(project, a.destination));
        if (dest) {
          item.lastLoad = (await dest.loads(a.name, 1))[0];
          const state = await dest.readState(a.name);
          if (typeof state?.cursor === 'number') item.cursor = state.cursor;
        }
      } catch (err) {
        item.unavailable = err instanceof Error ? err.message.split('\n')[0] : String(err);
      }
      out.push(item);
    }
    return out;
  } finally {
    await pool.close();
  }
}

/** `ok, 1,234 rows, 2024-05-01T12:00:00Z` (finished, else started) or `never`. */
export function lastLoadText(load: Record<string, unknown> | undefined): string {
  if (!load) return 'never';
  const when = load['finished_at'] ?? load['started_at'];
  const rows = load['rows'];
  return `${cellText(load['status'])}, ${rows === undefined || rows === null ? '?' : Number(rows).toLocaleString('en-US')} rows, ${cellText(when)}`;
}
