/**
 * `intercom-elt check`: validate connections.yml and assets/, then try every connection for real —
 * the Intercom token (GET /me), one cheap request per selected table (permissions and plan), and
 * every destination (reachable, state readable, DuckDB folder writable). Airbyte's best idea:
 * name the missing permission at check time, not six hours into a sync.
 */
import { constants as fsConstants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import path from 'node:path';
import { EltError, IntercomHttpError, NetworkError } from '../../errors.js';
import type { AssetConfig, DestinationConnection, IntercomConnection, Project } from '../../config/index.js';
import { getTable } from '../../intercom/tables/index.js';
import type { TableSpec } from '../../intercom/tables/spec.js';
import { compareVersions } from '../../intercom/tables/versions.js';
import type { IntercomClient, IntercomRequest } from '../../intercom/types.js';
import { openDestination } from '../../pipeline/destinations.js';
import { parseProtection } from '../../pipeline/protect-rules.js';
import { clientFor, selectAssets } from '../../pipeline/run.js';
import { secretsOf } from '../ingest.js';
import { makeRedactor, type Output } from '../render.js';
import { formatTable, projectFromFlags, type ProjectFlags } from './shared.js';

export type CheckStatus = 'ok' | 'warn' | 'fail' | 'skip';

/** One line of the check report. */
export interface CheckRow {
  check: 'config' | 'intercom' | 'permission' | 'destination';
  target: string;
  status: CheckStatus;
  detail: string;
  /** The connection the row is about (permission rows: the Intercom connection). */
  connection?: string;
}

export interface CheckResult {
  ok: boolean;
  rows: CheckRow[];
}

export type CheckFlags = ProjectFlags;

/** A cheap request per table (one record at most) and the app permission it needs. */
interface Probe {
  request: IntercomRequest;
  permission: string;
}

const anyUpdate = { field: 'updated_at', operator: '>', value: 0 };

/**
 * Probes by table. Kept here, not in the table files: they are check's business only.
 * Permission names as Intercom's Developer Hub shows them (app > Configure > Authentication).
 */
const PROBES: Record<string, Probe> = {
  admins: { request: { method: 'GET', path: '/admins' }, permission: 'Read admins' },
  teams: { request: { method: 'GET', path: '/teams' }, permission: 'Read admins' },
  tags: { request: { method: 'GET', path: '/tags' }, permission: 'Read tags' },
  segments: { request: { method: 'GET', path: '/segments' }, permission: 'Read and list users and companies' },
  data_attributes: { request: { method: 'GET', path: '/data_attributes', query: { model: 'contact' } }, permission: 'Read data attributes' },
  contacts: {
    request: { method: 'POST', path: '/contacts/search', body: { query: anyUpdate, pagination: { per_page: 1 } } },
    permission: 'Read and list users and companies',
  },
  companies: { request: { method: 'GET', path: '/companies', query: { per_page: 1 } }, permission: 'Read and list users and companies' },
  conversations: {
    request: { method: 'POST', path: '/conversations/search', body: { query: anyUpdate, pagination: { per_page: 1 } } },
    permission: 'Read conversations',
  },
  tickets: {
    request: { method: 'POST', path: '/tickets/search', body: { query: anyUpdate, pagination: { per_page: 1 } } },
    permission: 'Read tickets',
  },
  articles: { request: { method: 'GET', path: '/articles', query: { per_page: 1 } }, permission: 'Read articles' },
};

/** A table without an entry above: derive a one-record request from its declared endpoint. */
export function probeFor(table: TableSpec): Probe {
  const known = PROBES[table.name];
  if (known) return known;
  const m = /^(GET|POST)\s+(\/[^\s?]*)(?:\?(\S*))?/.exec(table.endpoint);
  const method = (m?.[1] ?? 'GET') as 'GET' | 'POST';
  const p = m?.[2] ?? `/${table.name}`;
  const permission = `read access to ${table.name.replace(/_/g, ' ')}`;
  if (method === 'POST') return { request: { method, path: p, body: { query: anyUpdate, pagination: { per_page: 1 } } }, permission };
  const query: Record<string, string | number> = { per_page: 1 };
  for (const [k, v] of new URLSearchParams(m?.[3] ?? '')) if (!v.includes('|')) query[k] = v;
  return { request: { method, path: p, query }, permission };
}

/** Run every check; prints the report and returns it (the action turns a failure into exit 1). */
export async function checkCommand(selectors: string[], f: CheckFlags, o: Output): Promise<CheckResult> {
  // Config errors throw: main prints the one line naming file and field.
  const project = await projectFromFlags(f);
  const assets = selectAssets(project.assets, selectors);
  // the column rules (exclude, mask, select_columns, salt) fail here as they would in ingest
  for (const asset of assets) parseProtection(asset);
  const redact = makeRedactor(secretsOf(project));
  const rows: CheckRow[] = [
    {
      check: 'config',
      target: path.basename(project.configFile),
      status: 'ok',
      detail: `environment ${project.environment}, ${project.intercom.size} Intercom and ${project.destinations.size} destination connection(s), ${assets.length} asset(s)${selectors.length ? ' selected' : ''}`,
    },
  ];

  for (const conn of project.intercom.values()) {
    rows.push(...(await checkIntercom(conn, assets.filter((a) => a.sourceConnection === conn.name))));
  }
  for (const dest of project.destinations.values()) rows.push(await checkDestination(dest));

  for (const line of formatTable(['check', 'target', 'status', 'detail'], rows.map((r) => [r.check, r.target, r.status, r.detail]))) {
    o.out(redact(line));
  }
  return { ok: rows.every((r) => r.status !== 'fail'), rows };
}

/** The error the action throws after printing a failed report: one line naming the first failure. */
export function checkFailure(result: CheckResult, redact: (s: string) => string = (s) => s): EltError {
  const failed = result.rows.filter((r) => r.status === 'fail');
  const first = failed[0];
  const what = !first
    ? 'unknown failure'
    : first.check === 'permission'
      ? `Intercom connection '${first.connection}': ${first.detail}`
      : first.check === 'destination'
        ? `destination '${first.target}': ${first.detail}`
        : first.detail; // intercom rows name their connection already
  const more = failed.length > 1 ? ` (and ${failed.length - 1} more failed check(s) above)` : '';
  return new EltError('check_failed', redact(`check failed: ${what}${more}`));
}

interface MeBody {
  name?: string;
  email?: string;
  app?: { name?: string; id_code?: string; region?: string; timezone?: string };
}

async function checkIntercom(conn: IntercomConnection, assets: AssetConfig[]): Promise<CheckRow[]> {
  const target = conn.name;
  const rows: CheckRow[] = [];
  // Two attempts, not six: check should answer in seconds even when the host is unreachable.
  const client = clientFor(Object.assign({}, conn, { maxAttempts: 2 }));
  try {
    let me: MeBody | undefined;
    try {
      me = (await client.request<MeBody>({ method: 'GET', path: '/me' })).body;
    } catch (err) {
      rows.push({ check: 'intercom', target, status: 'fail', detail: intercomProblem(err, conn) });
    }
    if (me) {
      const app = me.app ?? {};
      const region = app.region ? app.region.toLowerCase() : undefined;
      const wrongRegion = region !== undefined && conn.baseUrl === undefined && region !== conn.region;
      rows.push({
        check: 'intercom',
        target,
        status: wrongRegion ? 'warn' : 'ok',
        detail:
          `workspace "${app.name ?? '?'}"${app.id_code ? ` (${app.id_code})` : ''}, region ${app.region ?? '?'}, ` +
          `time zone ${app.timezone ?? '? (missing from GET /me: ingest refuses to run without it)'}, API ${conn.apiVersion}` +
          (wrongRegion ? `; the workspace is in ${app.region} but the connection says region: ${conn.region}` : ''),
      });
    }
    const tables = [...new Set(assets.map((a) => a.sourceTable))];
    for (const name of tables) {
      const table = getTable(name);
      if (!table) continue; // the config loader already rejects unknown tables
      rows.push(await checkTable(client, conn, table, me !== undefined));
    }
  } finally {
    await client.close().catch(() => undefined);
  }
  return rows;
}

async function checkTable(client: IntercomClient, conn: IntercomConnection, table: TableSpec, tokenOk: boolean): Promise<CheckRow> {
  const target = `${conn.name}: ${table.name}`;
  const row = (status: CheckStatus, detail: string): CheckRow => ({ check: 'permission', target, status, detail, connection: conn.name });
  if (table.minVersion && compareVersions(conn.apiVersion, table.minVersion) < 0) {
    return row('fail', `${table.name} needs api_version ${table.minVersion} or later (connection uses ${conn.apiVersion})`);
  }
  if (!tokenOk) return row('skip', 'token not accepted');
  const probe = probeFor(table);
  try {
    await client.request(probe.request);
    return row('ok', `${probe.request.method} ${probe.request.path}`);
  } catch (err) {
    return row('fail', tableProblem(err, table, probe));
  }
}

function intercomProblem(err: unknown, conn: IntercomConnection): string {
  if (err instanceof IntercomHttpError && err.status === 401) {
    return `access token rejected (401 unauthorized): check access_token of connection '${conn.name}'` +
      (conn.baseUrl ? '' : ` and that the workspace is in region ${conn.region}`);
  }
  if (err instanceof IntercomHttpError && err.status === 403) return `access forbidden (403 ${err.code}) for connection '${conn.name}'`;
  if (err instanceof NetworkError) return `cannot reach Intercom for connection '${conn.name}': ${err.message}`;
  return `connection '${conn.name}': ${err instanceof Error ? err.message : String(err)}`;
}

function tableProblem(err: unknown, table: TableSpec, probe: Probe): string {
  const endpoint = `${probe.request.method} ${probe.request.path}`;
  if (err instanceof IntercomHttpError) {
    if (err.status === 403 && err.code === 'api_plan_restricted') {
      return `Active subscription needed: the workspace's Intercom plan does not include ${endpoint} (403 api_plan_restricted), so ${table.name} cannot be read`;
    }
    if (err.status === 401 || err.status === 403) {
      return `missing permission "${probe.permission}" for ${table.name} (${err.status} ${err.code} on ${endpoint}): grant it to the app in Intercom's Developer Hub`;
    }
    if (err.code === 'intercom_version_invalid') return `${endpoint} is not available in this API version (400 intercom_version_invalid)`;
    return err.message;
  }
  return err instanceof Error ? err.message : String(err);
}

async function checkDestination(conn: DestinationConnection): Promise<CheckRow> {
  const target = conn.name;
  const where = conn.type === 'duckdb' ? conn.path : conn.type === 'postgres' ? `${conn.host}:${conn.port}/${conn.database}` : `${conn.account}/${conn.database}`;
  if (conn.type === 'duckdb' && conn.path !== ':memory:') {
    const problem = await duckdbFileProblem(conn.path);
    if (problem) return { check: 'destination', target, status: 'fail', detail: `${conn.type} ${problem}` };
  }
  try {
    const dest = await openDestination(conn);
    try {
      await dest.readState('__check__');
    } finally {
      await dest.close().catch(() => undefined);
    }
    return { check: 'destination', target, status: 'ok', detail: `${conn.type} ${where}: reachable, state readable${conn.type === 'duckdb' ? ', folder writable' : ''}` };
  } catch (err) {
    return { check: 'destination', target, status: 'fail', detail: `${conn.type} ${where}: ${err instanceof Error ? err.message : String(err)}` };
  }
}

/** A DuckDB file needs a writable folder (the file and its .wal are created there) and, if it exists, a writable file. */
async function duckdbFileProblem(file: string): Promise<string | undefined> {
  const dir = path.dirname(file);
  const dirInfo = await stat(dir).catch(() => undefined);
  if (!dirInfo?.isDirectory()) return `${file}: folder ${dir} does not exist`;
  try {
    await access(dir, fsConstants.W_OK);
  } catch {
    return `${file}: folder ${dir} is not writable`;
  }
  const fileInfo = await stat(file).catch(() => undefined);
  if (fileInfo) {
    if (!fileInfo.isFile()) return `${file} is not a file`;
    try {
      await access(file, fsConstants.W_OK);
    } catch {
      return `${file} is not writable`;
    }
  }
  return undefined;
}
