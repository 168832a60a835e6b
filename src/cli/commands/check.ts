/**
 * `intercom-elt check`: validate connections.yml and assets/, then try every connection for real —
 * the Intercom token (GET /me), one cheap request per selected table (permissions and plan), and
 * every destination (reachable, state readable, DuckDB folder writable). Airbyte's best idea:
 * name the missing permission at check time, not six hours into a sync.
 */
import { IntercomHttpError } from '../../core/errors.js';
import type { AssetConfig, DestinationConnection, IntercomConnection } from '../../config/index.js';
import { getTable } from '../../intercom/tables/index.js';
import type { TableProbe, TableSpec } from '../../intercom/tables/spec.js';
import type { IntercomClient } from '../../intercom/types.js';
import { describeDestination, openDestination, secretsOf } from '../../destinations/registry.js';
import { parseProtection } from '../../transforms/protect/rules.js';
import { clientFor, selectAssets } from '../../pipeline/run.js';
import { makeRedactor, type Output } from '../render.js';
import type { CommandDefinition } from '../command.js';
import {
  checkFailure,
  configRow,
  duckdbFileProblem,
  intercomProblem,
  reportRows,
  unavailableRows,
  versionProblem,
  type CheckFlags,
  type CheckResult,
  type CheckRow,
  type CheckStatus,
} from '../preflight.js';
import { projectFromFlags, projectOptions } from '../project.js';

export const command: CommandDefinition = {
  name: 'check [...assets]',
  description: 'Validate the config and try every connection: Intercom token, table permissions, destination',
  options: [...projectOptions(), ['--json', 'Print the report as one JSON document on stdout']],
  examples: ['intercom-elt check', 'intercom-elt check -e production intercom.contacts'],
  action: async ({ output }, assets: string[], flags: CheckFlags) => {
    const result = await checkCommand(assets, flags, output);
    if (!result.ok) throw checkFailure(result);
  },
};

/** Run every check; prints the report and returns it (the action turns a failure into exit 1). */
export async function checkCommand(selectors: string[], f: CheckFlags, o: Output): Promise<CheckResult> {
  // Config errors throw: main prints the one line naming file and field.
  const project = await projectFromFlags(f);
  const assets = selectAssets(project.assets, selectors);
  // the column rules (exclude, mask, select_columns, salt) fail here as they would in ingest
  for (const asset of assets) parseProtection(asset, getTable(asset.sourceTable)!, process.env);
  const redact = makeRedactor(secretsOf(project));
  const rows: CheckRow[] = [configRow(project, assets.length, selectors.length > 0)];

  for (const conn of project.intercom.values()) {
    rows.push(
      ...(await checkIntercom(
        conn,
        assets.filter((a) => a.sourceConnection === conn.name),
      )),
    );
  }
  rows.push(...unavailableRows(project, assets));
  for (const dest of project.destinations.values()) {
    rows.push(await checkDestination(dest, [...new Set(assets.filter((a) => a.destination === dest.name).map((a) => a.schema))]));
  }

  return reportRows(rows, o, redact, f.json);
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
    return {
      check: 'destination',
      target,
      status: 'ok',
      detail: `${conn.type} ${where}: reachable, state readable${dest.capabilities.transactionalDdl ? ', tables creatable' : ''}${proves ? `, ${proves}` : ''}`,
    };
  } catch (err) {
    return { check: 'destination', target, status: 'fail', detail: `${conn.type} ${where}: ${err instanceof Error ? err.message : String(err)}` };
  }
}
