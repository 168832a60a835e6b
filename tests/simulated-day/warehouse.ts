/** Reading the simulated day's DuckDB file and the fake's ground truth, for the invariants. */
import { DuckDBInstance } from '@duckdb/node-api';
import type { AssetConfig, DestinationConnection, IntercomConnection } from '../../src/config/index.js';
import type { FakeIntercom } from '../../src/fake-intercom/index.js';
import { assetConfig } from '../helpers/asset-config.js';
import { visiblePartKeys } from '../helpers/truth.js';

export type Row = Record<string, unknown>;

/** Runs several queries on one read-only open of the file (the pipeline has closed it between runs). */
export async function readDuck(file: string, queries: Record<string, string>): Promise<Record<string, Row[]>> {
  const db = await DuckDBInstance.create(file, { access_mode: 'READ_ONLY' });
  const conn = await db.connect();
  try {
    const out: Record<string, Row[]> = {};
    for (const [k, sql] of Object.entries(queries)) out[k] = (await conn.runAndReadAll(sql)).getRowObjectsJS() as Row[];
    return out;
  } finally {
    conn.closeSync();
    db.closeSync();
  }
}

/** The incremental tables of the day: destination table, its incremental key, the asset that feeds it. */
export const TABLES = [
  { table: 'contacts', key: 'updated_at' },
  { table: 'conversations', key: 'updated_at' },
  { table: 'companies', key: 'updated_at' },
  { table: 'tickets', key: 'updated_at' },
  { table: 'activity_logs', key: 'created_at' },
] as const;
export type TableName = (typeof TABLES)[number]['table'];

/** `id -> incremental key` of every table, the state cursors, and duplicate-key counts, in one open. */
export async function snapshot(file: string): Promise<{
  rows: Record<TableName, Map<string, number>>;
  cursors: Map<string, number>;
  duplicates: Record<string, number>;
}> {
  const q: Record<string, string> = {
    state: `select asset, (state->>'cursor')::double as c from intercom._elt_state`,
    dup_conversation_parts: `select count(*) - count(distinct (conversation_id, id)) as n from intercom.conversation_parts`,
  };
  for (const t of TABLES) {
    q[t.table] = `select id, epoch("${t.key}")::bigint as t from intercom."${t.table}"`;
    q[`dup_${t.table}`] = `select count(*) - count(distinct id) as n from intercom."${t.table}"`;
  }
  const r = await readDuck(file, q);
  const rows = {} as Record<TableName, Map<string, number>>;
  for (const t of TABLES) rows[t.table] = new Map(r[t.table]!.map((x) => [String(x['id']), Number(x['t'])]));
  const duplicates: Record<string, number> = {};
  for (const [k, v] of Object.entries(r)) if (k.startsWith('dup_')) duplicates[k.slice(4)] = Number(v[0]!['n']);
  const cursors = new Map(r['state']!.filter((x) => x['c'] !== null).map((x) => [String(x['asset']), Number(x['c'])]));
  return { rows, cursors, duplicates };
}

export async function exportRows(url: string, table: string): Promise<Row[]> {
  const res = await fetch(`${url}/_fake/export/${table}`);
  if (!res.ok) throw new Error(`export ${table}: ${res.status}`);
  return (await res.text())
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Row);
}

/** A source of ground truth rows: the HTTP export, or the fake's in-process `exportTable` (same rows, no JSON round trip). */
export type TruthSource = (table: string) => Promise<Row[]>;

export const httpExport =
  (url: string): TruthSource =>
  (table) =>
    exportRows(url, table);

export const inProcessExport =
  (fake: FakeIntercom): TruthSource =>
  async (table) => {
    const rows: Row[] = [];
    for await (const r of fake.exportTable(table)) rows.push(r as Row);
    return rows;
  };

/** Ground truth of every table: `id -> incremental key`. */
export async function truth(source: TruthSource): Promise<Record<TableName, Map<string, number>>> {
  const out = {} as Record<TableName, Map<string, number>>;
  for (const t of TABLES) out[t.table] = new Map((await source(t.table)).map((r) => [String(r['id']), Number(r[t.key])]));
  return out;
}

/** Per conversation, the 500 most recent parts (what GET /conversations/{id} can show), but of conversations in `skip`. */
export function expectedParts(parts: Row[], skip: Set<string>): Set<string> {
  return visiblePartKeys(parts.filter((p) => !skip.has(String(p['conversation_id']))));
}

export function project(url: string, token: string, apiVersion: string, file: string) {
  const intercom: IntercomConnection = { name: 'intercom', accessToken: token, region: 'us', apiVersion, baseUrl: url, maxAttempts: 2 };
  const duck: DestinationConnection = { type: 'duckdb', name: 'duckdb', path: file };
  return { intercom: new Map([['intercom', intercom]]), destinations: new Map([['duckdb', duck]]) };
}

/** An asset as `ingest` builds it from a minimal `<table>.asset.yml` (the table's defaults). */
export function asset(table: string): AssetConfig {
  return assetConfig(table);
}
