/**
 * `intercom-elt validate`: everything `check` checks that needs no network and no secret — the
 * config and assets, the column rules, the API version each table needs, the destinations' config
 * (a DuckDB file's folder) — for CI and pre-commit hooks, where no token is set.
 */
import type { AssetConfig, DestinationConnection, Project } from '../../config/index.js';
import { getTable } from '../../intercom/tables/index.js';
import { parseProtection } from '../../transforms/protect/rules.js';
import { selectAssets } from '../../pipeline/run.js';
import { describeDestination, secretsOf } from '../../destinations/registry.js';
import { makeRedactor, type Output } from '../render.js';
import type { CommandDefinition } from '../command.js';
import {
  checkFailure,
  configRow,
  duckdbFileProblem,
  reportRows,
  unavailableRows,
  unsetText,
  versionProblem,
  type CheckFlags,
  type CheckResult,
  type CheckRow,
} from '../preflight.js';
import { projectFromFlags, projectOptions } from '../project.js';

export const command: CommandDefinition = {
  name: 'validate [...assets]',
  description: 'Check the config, assets, column rules and destination config without network or secrets (CI, pre-commit)',
  options: projectOptions(),
  examples: ['intercom-elt validate', 'intercom-elt validate -e production'],
  action: async ({ output }, assets: string[], flags: CheckFlags) => {
    const result = await validateCommand(assets, flags, output);
    if (!result.ok) throw checkFailure(result, undefined, 'validate');
  },
};

/**
 * A secret-free environment: every variable reads as set, so rules are judged on what the files say.
 * (A `mask: hash` whose salt comes from an unset variable is a warning here, and an error in ingest.)
 */
const anyVariableSet = new Proxy(process.env, { get: (env, name: string) => env[name] ?? 'validate-placeholder' });

export async function validateCommand(selectors: string[], f: CheckFlags, o: Output): Promise<CheckResult> {
  // Config errors throw: main prints the one line naming file and field.
  const project = await projectFromFlags(f);
  const assets = selectAssets(project.assets, selectors);
  const rows: CheckRow[] = [configRow(project, assets.length, selectors.length > 0)];
  for (const asset of assets) rows.push(assetRow(project, asset));
  // no secrets in CI: an unset variable that a selected asset needs is a warning here (check fails on it)
  for (const r of unavailableRows(project, assets)) {
    rows.push(r.status === 'fail' ? { ...r, status: 'warn', detail: `${unsetText(r.detail)}: ingest and check need it` } : r);
  }
  for (const dest of project.destinations.values()) rows.push(await destinationRow(dest));
  return reportRows(rows, o, makeRedactor(secretsOf(project)));
}

function assetRow(project: Project, asset: AssetConfig): CheckRow {
  const row = (status: CheckRow['status'], detail: string): CheckRow => ({ check: 'asset', target: asset.name, status, detail });
  const table = getTable(asset.sourceTable)!;
  const conn = project.intercom.get(asset.sourceConnection) ?? project.unavailable.get(asset.sourceConnection)?.connection;
  const tooOld = conn && 'apiVersion' in conn ? versionProblem(table, conn) : undefined;
  if (tooOld) return row('fail', tooOld);
  try {
    parseProtection(asset, table, process.env);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    try {
      parseProtection(asset, table, anyVariableSet);
    } catch {
      return row('fail', message); // wrong whatever the environment holds
    }
    return row('warn', `${unsetText(message)}: ingest needs it`);
  }
  return row('ok', `${asset.sourceTable} from ${asset.sourceConnection} into ${asset.destination}, ${asset.strategy}`);
}

async function destinationRow(conn: DestinationConnection): Promise<CheckRow> {
  const row = (status: CheckRow['status'], detail: string): CheckRow => ({ check: 'destination', target: conn.name, status, detail });
  const { file } = describeDestination(conn);
  if (file !== undefined) {
    const problem = await duckdbFileProblem(file);
    return problem ? row('fail', `${conn.type} ${problem}`) : row('ok', `${conn.type} ${file}: folder writable (not opened: run check)`);
  }
  return row('ok', `${conn.type}: configured (not contacted: run check)`);
}
