/** `intercom-elt ingest`: the project form (connections.yml + assets/) and ingestr's one-shot URI form. */
import path from 'node:path';
import { ConfigError } from '../errors.js';
import { loadProject, parseDestUri, parseSourceUri, type AssetConfig, type Project } from '../config/index.js';
import { getTable, tableCatalog } from '../intercom/tables/index.js';
import { runAssets, selectAssets, type RunResult } from '../pipeline/run.js';
import type { Strategy } from '../intercom/tables/spec.js';
import { protectionTransform } from '../pipeline/protect.js';
import { oneShotProtection } from '../pipeline/protect-flags.js';
import { checkFailureLines, makeRedactor, progressRenderer, summaryTable, type Output, type ProgressMode } from './render.js';

export interface IngestFlags {
  config?: string;
  assetsDir?: string;
  environment?: string;
  tag?: string | string[];
  fullRefresh?: boolean;
  intervalStart?: string;
  intervalEnd?: string;
  progress?: ProgressMode;
  parallel?: string | number;
  checkpointPages?: string | number;
  checkpointSeconds?: string | number;
  sourceUri?: string;
  sourceTable?: string;
  destUri?: string;
  destTable?: string;
  incrementalStrategy?: string;
  incrementalKey?: string;
  primaryKey?: string | string[];
  mask?: string | string[];
  excludeColumns?: string | string[];
  selectColumns?: string | string[];
}

export function parseTime(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  if (/^\d+$/.test(value)) return Number(value);
  const ms = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
  if (!Number.isFinite(ms)) throw new ConfigError(flag, 'value', `'${value}' is not a date, an ISO timestamp or unix seconds`);
  return Math.floor(ms / 1000);
}

const list = (v: string | string[] | undefined): string[] =>
  (Array.isArray(v) ? v : v === undefined ? [] : [v]).flatMap((x) => String(x).split(',')).map((x) => x.trim()).filter(Boolean);

/** Builds the project of the ingestr one-shot form: one asset from the flags. */
export function oneShotProject(f: IngestFlags, cwd: string): { project: Pick<Project, 'intercom' | 'destinations'>; asset: AssetConfig } {
  if (!f.sourceTable) throw new ConfigError('--source-table', 'value', 'is required with --source-uri');
  if (!f.destUri) throw new ConfigError('--dest-uri', 'value', 'is required with --source-uri');
  const source = parseSourceUri(f.sourceUri!);
  const dest = parseDestUri(f.destUri, cwd);
  const defaults = tableCatalog.defaults(f.sourceTable);
  if (!defaults) throw new ConfigError('--source-table', 'value', `unknown Intercom table '${f.sourceTable}' (known: ${tableCatalog.names().join(', ')})`);
  const [schema, table] = (f.destTable ?? `intercom.${f.sourceTable}`).includes('.')
    ? (f.destTable ?? `intercom.${f.sourceTable}`).split('.', 2)
    : ['intercom', f.destTable!];
  const strategyFlag = f.incrementalStrategy === 'create+replace' ? 'replace' : f.incrementalStrategy;
  const strategies: Strategy[] = ['merge', 'replace', 'append', 'delete+insert'];
  if (strategyFlag && !strategies.includes(strategyFlag as Strategy)) {
    throw new ConfigError('--incremental-strategy', 'value', `'${f.incrementalStrategy}' is not one of ${strategies.join(', ')}, create+replace`);
  }
  const pk = list(f.primaryKey);
  if (f.primaryKey !== undefined && pk.length === 0) throw new ConfigError('--primary-key', 'value', 'names no column');
  const notColumn = pk.find((c) => defaults.columns !== undefined && !defaults.columns.includes(c));
  if (notColumn !== undefined) throw new ConfigError('--primary-key', 'value', `'${notColumn}' is not a column of table ${f.sourceTable}`);
  if (f.incrementalKey !== undefined && f.incrementalKey !== defaults.incrementalKey) {
    throw new ConfigError(
      '--incremental-key',
      'value',
      defaults.incrementalKey === undefined
        ? `table ${f.sourceTable} cannot be read incrementally (it is always read in full); remove --incremental-key`
        : `table ${f.sourceTable} is read incrementally by "${defaults.incrementalKey}" only, got '${f.incrementalKey}'`,
    );
  }
  const asset: AssetConfig = {
    name: `${schema}.${table}`,
    schema: schema!,
    table: table!,
    file: '--dest-table',
    sourceConnection: source.name,
    sourceTable: f.sourceTable,
    destination: dest.name,
    strategy: (strategyFlag as Strategy | undefined) ?? defaults.strategy,
    primaryKey: pk.length ? pk : defaults.primaryKey,
    incrementalKey: f.incrementalKey ?? defaults.incrementalKey,
    tags: [],
    customAttributeColumns: false,
    ...oneShotProtection(list(f.mask), list(f.excludeColumns), list(f.selectColumns)),
  };
  return { project: { intercom: new Map([[source.name, source]]), destinations: new Map([[dest.name, dest]]) }, asset };
}

/** `runId`: under `--every`, each run's id, carried by its JSON events. */
export async function ingestCommand(selectors: string[], f: IngestFlags, o: Output, stop?: AbortSignal, runId?: string): Promise<RunResult> {
  let project: Pick<Project, 'intercom' | 'destinations'>;
  let assets: AssetConfig[];
  if (f.sourceUri) {
    const one = oneShotProject(f, process.cwd());
    project = one.project;
    assets = [one.asset];
  } else {
    const configFile = path.resolve(f.config ?? 'connections.yml');
    const full = await loadProject({
      configFile,
      assetsDir: path.resolve(f.assetsDir ?? path.join(path.dirname(configFile), 'assets')),
      environment: f.environment,
      env: process.env,
      catalog: tableCatalog,
    });
    project = full;
    assets = selectAssets(full.assets, selectors, list(f.tag));
    if (assets.length === 0) throw new ConfigError(f.assetsDir ?? 'assets', 'assets', 'no asset matched; nothing to ingest');
  }
  for (const a of assets) if (!getTable(a.sourceTable)) throw new ConfigError(a.file, 'parameters.source_table', `unknown Intercom table '${a.sourceTable}'`);
  for (const a of assets) protectionTransform(a); // bad column rules fail before anything runs
  const redact = makeRedactor(secretsOf(project));
  const progress = progressRenderer(f.progress ?? 'interactive', o, redact, runId === undefined ? {} : { runId });
  const result = await runAssets(project, assets, {
    fullRefresh: f.fullRefresh,
    intervalStart: parseTime(f.intervalStart, '--interval-start'),
    intervalEnd: parseTime(f.intervalEnd, '--interval-end'),
    parallel: f.parallel === undefined ? undefined : parseParallel(f.parallel),
    checkpointPages: positive(f.checkpointPages, '--checkpoint-pages', true),
    checkpointSeconds: positive(f.checkpointSeconds, '--checkpoint-seconds', false),
    stop,
    onEvent: progress.onEvent,
  });
  progress.close();
  if (f.progress === 'json') {
    o.out(redact(JSON.stringify({ ts: new Date().toISOString(), ...(runId !== undefined && { runId }), type: 'end', ok: result.ok, assets: result.summaries.length })));
  } else {
    for (const line of summaryTable(result.summaries)) o.out(redact(line));
  }
  for (const line of checkFailureLines(result.summaries)) o.err(redact(line));
  return result;
}

function parseParallel(v: string | number): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new ConfigError('--parallel', 'value', `'${v}' is not a whole number from 1 to 64`);
  return n;
}

function positive(v: string | number | undefined, flag: string, integer: boolean): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!(n > 0) || (integer && !Number.isInteger(n))) throw new ConfigError(flag, 'value', `'${v}' is not a ${integer ? 'whole ' : ''}number above 0`);
  return n;
}

export function secretsOf(project: Pick<Project, 'intercom' | 'destinations'>): string[] {
  const out: string[] = [];
  for (const c of project.intercom.values()) out.push(c.accessToken);
  for (const d of project.destinations.values()) {
    if ('password' in d && d.password) out.push(d.password);
    if ('privateKey' in d && d.privateKey) out.push(d.privateKey);
  }
  return out;
}
