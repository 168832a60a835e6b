/**
 * `intercom-elt check`: validate connections.yml and assets/, then try every connection for real —
 * the Intercom token (GET /me), one cheap request per selected table (permissions and plan), and
 * every destination (reachable, state readable, DuckDB folder writable). Airbyte's best idea:
 * name the missing permission at check time, not six hours into a sync.
 */
import { constants as fsConstants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import path from 'node:path';
import { EltError, IntercomHttpError, NetworkError } from '../../core/errors.js';
import type { AssetConfig, DestinationConnection, IntercomConnection, Project } from '../../config/index.js';
import { getTable } from '../../intercom/tables/index.js';
import type { TableProbe, TableSpec } from '../../intercom/tables/spec.js';
import { compareVersions } from '../../intercom/versions.js';
import type { IntercomClient } from '../../intercom/types.js';
import { describeDestination, openDestination, secretsOf } from '../../destinations/registry.js';
import { parseProtection } from '../../transforms/protect/rules.js';
import { clientFor, selectAssets } from '../../pipeline/run.js';
import { makeRedactor, type Output } from '../render.js';
import { formatTable, jsonDocument, projectFromFlags, type JsonFlag, type ProjectFlags } from './shared.js';

export type CheckStatus = 'ok' | 'warn' | 'fail' | 'skip';

/** One line of the check report. */
export interface CheckRow {
  check: 'config' | 'asset' | 'intercom' | 'permission' | 'destination';
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

export type CheckFlags = ProjectFlags & JsonFlag;

/** Run every check; prints the report and returns it (the action turns a failure into exit 1). */
export async function checkCommand(selectors: string[], f: CheckFlags, o: Output): Promise<CheckResult> {
  // Config errors throw: main prints the one line naming file and field.
  const project = await projectFromFlags(f);
  const assets = selectAssets(project.assets, selectors);
  // the column rules (exclude, mask, select_columns, salt) fail here as they would in ingest
  for (const asset of assets) parseProtection(asset);
  const redact = makeRedactor(secretsOf(project));
  const rows: CheckRow[] = [configRow(project, assets.length, selectors.length > 0)];

  for (const conn of project.intercom.values()) {
    rows.push(...(await checkIntercom(conn, assets.filter((a) => a.sourceConnection === conn.name))));
  }
  rows.push(...unavailableRows(project, assets));
  for (const dest of project.destinations.values()) {
    rows.push(await checkDestination(dest, [...new Set(assets.filter((a) => a.destination === dest.name).map((a) => a.schema))]));
  }

  return reportRows(rows, o, redact, f.json);
}

/** The first row: the project loaded (file, environment, how many connections and assets). */
export function configRow(project: Project, assets: number, selected: boolean): CheckRow {
  const unset = project.unavailable.size ? ` (+${project.unavailable.size} with unset variables)` : '';
  return {
    check: 'config',
    target: path.basename(project.configFile),
    status: 'ok',
    detail: `environment ${project.environment}, ${project.intercom.size} Intercom and ${project.destinations.size} destination connection(s)${unset}, ${assets} asset(s)${selected ? ' selected' : ''}`,
  };
}

/** Print the rows as one aligned table (or one JSON document); the result is ok when no row failed. */
export function reportRows(rows: CheckRow[], o: Output, redact: (s: string) => string, json?: boolean): CheckResult {
  const result = { ok: rows.every((r) => r.status !== 'fail'), rows };
  if (json) o.out(redact(jsonDocument(result)));
  else for (const line of formatTable(['check', 'target', 'status', 'detail'], rows.map((r) => [r.check, r.target, r.status, r.detail]))) o.out(redact(line));
  return result;
}

/**
 * Connections whose `${VAR}` is not set: a failure when a selected asset uses one, else only
 * noted (a command that does not use a connection does not need its variables).
 */
export function unavailableRows(project: Pick<Project, 'unavailable'>, assets: AssetConfig[]): CheckRow[] {
  return [...project.unavailable.values()].map((u) => {
    const used = assets.some((a) => a.sourceConnection === u.name || a.destination === u.name);
    const check = u.type === 'intercom' ? 'intercom' : 'destination';
    const why = unsetText(u.error.message);
    return used
      ? { check, target: u.name, status: 'fail', detail: u.error.message, connection: u.name }
      : { check, target: u.name, status: 'skip', detail: `${why}; no selected asset uses it`, connection: u.name };
  });
}

/** `environment variable X is not set` out of the one-line error naming file and field (other messages as they are). */
export function unsetText(message: string): string {
  return message.replace(/^.*: (environment variable \S+ is not set)$/, '$1');
}

/** The error the action throws after printing a failed report: one line naming the first failure. */
export function checkFailure(result: CheckResult, redact: (s: string) => string = (s) => s, command = 'check'): EltError {
  const failed = result.rows.filter((r) => r.status === 'fail');
  const first = failed[0];
  const what = !first
    ? 'unknown failure'
    : first.check === 'permission'
      ? `Intercom connection '${first.connection}': ${first.detail}`
      : first.check === 'destination'
        ? `destination '${first.target}': ${first.detail}`
        : first.check === 'asset'
          ? `asset ${first.target}: ${first.detail}`
          : first.detail; // intercom rows name their connection already
  const more = failed.length > 1 ? ` (and ${failed.length - 1} more failed check(s) above)` : '';
  return new EltError(`${command}_failed`, redact(`${command} failed: ${what}${more}`));
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
  const tooOld = versionProblem(table, conn);
  if (tooOld) return row('fail', tooOld);
  if (!tokenOk) return row('skip', 'token not accepted');
  const probe = table.probe;
  try {
    await client.request(probe.request);
    return row('ok', `${probe.request.method} ${probe.request.path}`);
  } catch (err) {
    return row('fail', tableProblem(err, table, probe));
  }
}

/** A table the connection's API version cannot read (no request needed to know). */
export function versionProblem(table: TableSpec, conn: Pick<IntercomConnection, 'apiVersion'>): string | undefined {
  if (table.minVersion && compareVersions(conn.apiVersion, table.minVersion) < 0) {
    return `${table.name} needs api_version ${table.minVersion} or later (connection uses ${conn.apiVersion})`;
  }
  return undefined;
}

/** What a failed GET /me means for a connection, and what to do (shared with ingest's token check). */
export function intercomProblem(err: unknown, conn: IntercomConnection): string {
  if (err instanceof IntercomHttpError && err.status === 401) {
    return `access token rejected (401 unauthorized): check access_token of connection '${conn.name}'` +
      (conn.baseUrl ? '' : ` and that the workspace is in region ${conn.region}`);
  }
  if (err instanceof IntercomHttpError && err.status === 403) return `access forbidden (403 ${err.code}) for connection '${conn.name}'`;
  if (err instanceof NetworkError) return `cannot reach Intercom for connection '${conn.name}': ${err.message}`;
  return `connection '${conn.name}': ${err instanceof Error ? err.message : String(err)}`;
}

function tableProblem(err: unknown, table: TableSpec, probe: TableProbe): string {
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

/** `schemas`: where the selected assets load; tables are created there and rolled back, as a run names them. */
async function checkDestination(conn: DestinationConnection, schemas: string[]): Promise<CheckRow> {
  const target = conn.name;
  const { where, file, proves } = describeDestination(conn);
  if (file !== undefined) {
    const problem = await duckdbFileProblem(file);
    if (problem) return { check: 'destination', target, status: 'fail', detail: `${conn.type} ${problem}` };
  }
  try {
    const dest = await openDestination(conn);
    try {
      await dest.readState('__check__');
      await dest.checkWrite(schemas);
    } finally {
      await dest.close().catch(() => undefined);
    }
    return { check: 'destination', target, status: 'ok', detail: `${conn.type} ${where}: reachable, state readable${dest.capabilities.transactionalDdl ? ', tables creatable' : ''}${proves ? `, ${proves}` : ''}` };
  } catch (err) {
    return { check: 'destination', target, status: 'fail', detail: `${conn.type} ${where}: ${err instanceof Error ? err.message : String(err)}` };
  }
}

/** A DuckDB file needs a writable folder (the file and its .wal are created there) and, if it exists, a writable file. */
export async function duckdbFileProblem(file: string): Promise<string | undefined> {
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
