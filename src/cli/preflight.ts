/**
 * What check, validate and ingest find before anything runs: the rows of the check report (and the
 * error a failed report ends with), a table the API version cannot read, what a rejected token
 * means, a DuckDB file that cannot be written.
 */
import { constants as fsConstants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import path from 'node:path';
import { EltError, IntercomHttpError, NetworkError } from '../core/errors.js';
import type { AssetConfig, IntercomConnection, Project } from '../config/index.js';
import type { TableSpec } from '../intercom/tables/spec.js';
import { compareVersions } from '../intercom/versions.js';
import type { Output } from './render.js';
import { formatTable, jsonDocument, type JsonFlag, type ProjectFlags } from './project.js';

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
  else
    for (const line of formatTable(
      ['check', 'target', 'status', 'detail'],
      rows.map((r) => [r.check, r.target, r.status, r.detail]),
    ))
      o.out(redact(line));
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
    return (
      `access token rejected (401 unauthorized): check access_token of connection '${conn.name}'` +
      (conn.baseUrl ? '' : ` and that the workspace is in region ${conn.region}`)
    );
  }
  if (err instanceof IntercomHttpError && err.status === 403) return `access forbidden (403 ${err.code}) for connection '${conn.name}'`;
  if (err instanceof NetworkError) return `cannot reach Intercom for connection '${conn.name}': ${err.message}`;
  return `connection '${conn.name}': ${err instanceof Error ? err.message : String(err)}`;
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
