/** `intercom-elt ingest`: the project form (connections.yml + assets/) and ingestr's one-shot URI form. */
import { crashPoint } from '../../core/crash-point.js';
import { ConfigError, EltError, IntercomHttpError } from '../../core/errors.js';
import {
  destinationConnection,
  intercomConnection,
  parseDestUri,
  parseSourceUri,
  reservedTableName,
  type AssetConfig,
  type Project,
} from '../../config/index.js';
import { projectFromFlags, projectOptions } from '../project.js';
import { getTable, tableCatalog } from '../../intercom/tables/index.js';
import { clientFor, runAssets, selectAssets, type RunResult } from '../../pipeline/run.js';
import { intercomProblem } from '../preflight.js';
import { secretsOf } from '../../destinations/registry.js';
import type { Strategy } from '../../core/schema.js';
import { protectionTransform } from '../../transforms/protect/index.js';
import { oneShotProtection } from '../../transforms/protect/flags.js';
import type { ProgressEvent } from '../../pipeline/events.js';
import { ingestQueryHint } from '../query-hint.js';
import { endRun, makeRedactor, progressMode, progressRenderer, type Output } from '../render.js';
import { ingestEvery, scheduleOf, type EveryFlags } from '../every.js';
import type { CommandDefinition } from '../command.js';
import { maskKindList } from '../../transforms/protect/masks.js';

export interface IngestFlags {
  config?: string;
  assetsDir?: string;
  environment?: string;
  tag?: string | string[];
  fullRefresh?: boolean;
  intervalStart?: string;
  intervalEnd?: string;
  progress?: string | string[];
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

export const command: CommandDefinition = {
  name: 'ingest [...assets]',
  description: 'Extract Intercom tables and load them into the destination',
  // no cac default for --config: the one-shot form must see whether it was given
  options: [
    ...projectOptions(),
    ['--tag <tag>', 'Only assets with this tag (repeatable)'],
    ['-y, --yes', "Accepted for ingestr's habit; ingest never asks for confirmation"],
    ['--full-refresh', 'Ignore saved state: reload everything and replace the tables'],
    ['--interval-start <time>', 'Lower bound of the window (ISO date/time or unix seconds); does not move the cursor'],
    ['--interval-end <time>', 'Upper bound of the window (ISO date/time or unix seconds)'],
    ['--progress <mode>', 'interactive | log | json (interactive falls back to log without a TTY)', { default: 'interactive' }],
    ['--parallel <n>', "Assets run at once; they share each Intercom app's rate budget (default 4)"],
    ['--checkpoint-pages <n>', 'Commit rows + cursor every n pages (default 200)'],
    ['--checkpoint-seconds <s>', 'Commit rows + cursor at least every s seconds (default 30)'],
    ['--every <duration>', 'Run again at every slot of this interval (e.g. 15m, 1h), until stopped (see docs/scheduling.md)'],
    ['--max-runs <n>', 'With --every: stop after n runs'],
    ['--source-uri <uri>', "ingestr form: 'intercom://?access_token=…&region=eu'"],
    ['--source-table <table>', 'ingestr form: the Intercom table'],
    ['--dest-uri <uri>', 'ingestr form: duckdb:///file.duckdb | postgresql://… | snowflake://…'],
    ['--dest-table <schema.table>', 'ingestr form: the destination table'],
    ['--incremental-strategy <strategy>', 'ingestr form: merge | replace | append | delete+insert'],
    ['--incremental-key <column>', 'ingestr form: the incremental key'],
    ['--primary-key <columns>', 'ingestr form: primary key column(s), comma-separated'],
    ['--mask <column:kind>', `ingestr form: mask a column (${maskKindList(' | ')}), repeatable or comma-separated`],
    ['--exclude-columns <columns>', 'ingestr form: columns (or json.paths) never loaded, comma-separated'],
    ['--select-columns <columns>', 'ingestr form: load only these columns (plus the keys), comma-separated'],
  ],
  examples: [
    'intercom-elt ingest',
    'intercom-elt ingest intercom.contacts --progress log',
    'intercom-elt ingest intercom.conversations --checkpoint-pages 20',
    'intercom-elt ingest --every 15m',
    "intercom-elt ingest --source-uri 'intercom://?access_token=$TOKEN&region=eu' --source-table contacts --dest-uri duckdb:///intercom.duckdb --dest-table intercom.contacts",
  ],
  action: async ({ output, stopSignal }, assets: string[], flags: IngestFlags & EveryFlags) => {
    const schedule = scheduleOf(flags);
    if (schedule) {
      const stop = stopSignal();
      return ingestEvery((runId) => ingestCommand(assets, flags, output, stop, undefined, runId), flags, schedule, output, stop);
    }
    const result = await ingestCommand(assets, flags, output, stopSignal());
    if (result.failure) throw result.failure;
  },
};

/** One-shot flags (ingestr form) and where a project says the same thing instead. */
const ONE_SHOT_ONLY: ReadonlyArray<[keyof IngestFlags, string, string]> = [
  ['sourceTable', '--source-table', 'set parameters.source_table in'],
  ['destUri', '--dest-uri', 'set the destination connection in connections.yml and parameters.destination in'],
  ['destTable', '--dest-table', 'set name (schema.table) in'],
  ['incrementalStrategy', '--incremental-strategy', 'set parameters.incremental_strategy in'],
  ['incrementalKey', '--incremental-key', 'set parameters.incremental_key in'],
  ['primaryKey', '--primary-key', 'set columns[].primary_key in'],
  ['mask', '--mask', 'set columns[].mask in'],
  ['excludeColumns', '--exclude-columns', 'set columns[].exclude: true in'],
  ['selectColumns', '--select-columns', 'set parameters.select_columns in'],
];

/** Project flags, which the one-shot form (everything from the URIs) does not read. */
const PROJECT_ONLY: ReadonlyArray<[keyof IngestFlags, string]> = [
  ['config', '--config'],
  ['assetsDir', '--assets-dir'],
  ['environment', '--environment'],
  ['tag', '--tag'],
];

/**
 * A flag of the other form is an error, never ignored: `--mask` in a project would otherwise load
 * the column in clear, `--tag` in the one-shot form would select nothing it says.
 */
export function checkMode(selectors: string[], f: IngestFlags): void {
  if (f.sourceUri === undefined) {
    const hit = ONE_SHOT_ONLY.find(([key]) => f[key] !== undefined);
    if (!hit) return;
    const file = selectors.length === 1 ? `assets/${selectors[0]!.split('.').pop()}.asset.yml` : 'the asset file (assets/<table>.asset.yml)';
    throw new EltError('usage', `${hit[1]} is a flag of the one-shot form (--source-uri); in a project, ${hit[2]} ${file} (see docs/configuration.md)`);
  }
  if (selectors.length > 0)
    throw new EltError(
      'usage',
      `asset names (${selectors.join(' ')}) select assets of a project; with --source-uri, name the Intercom table with --source-table`,
    );
  const hit = PROJECT_ONLY.find(([key]) => f[key] !== undefined);
  if (hit)
    throw new EltError(
      'usage',
      `${hit[1]} applies to a project (connections.yml + assets/); the one-shot form (--source-uri) reads one table: remove ${hit[1]}, or remove --source-uri to run the project`,
    );
}

/** The run's window from --interval-start/--interval-end; an empty or inverted one is an error, not a run that reads nothing. */
export function intervalOf(f: Pick<IngestFlags, 'intervalStart' | 'intervalEnd'>): { intervalStart?: number; intervalEnd?: number } {
  const intervalStart = parseTime(f.intervalStart, '--interval-start');
  const intervalEnd = parseTime(f.intervalEnd, '--interval-end');
  if (intervalStart !== undefined && intervalEnd !== undefined && intervalStart >= intervalEnd) {
    throw new ConfigError('--interval-start', 'value', `${f.intervalStart} is not before --interval-end ${f.intervalEnd}; the window would be empty`);
  }
  return { intervalStart, intervalEnd };
}

export function parseTime(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  if (/^\d+$/.test(value)) return Number(value);
  const ms = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
  if (!Number.isFinite(ms)) throw new ConfigError(flag, 'value', `'${value}' is not a date, an ISO timestamp or unix seconds`);
  return Math.floor(ms / 1000);
}

const list = (v: string | string[] | undefined): string[] =>
  (Array.isArray(v) ? v : v === undefined ? [] : [v])
    .flatMap((x) => String(x).split(','))
    .map((x) => x.trim())
    .filter(Boolean);

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
  const reserved = reservedTableName(table!);
  if (reserved) throw new ConfigError('--dest-table', 'value', reserved);
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

/**
 * `listen` receives every progress event as well (the programmatic API's `onEvent`); `runId`: under
 * `--every`, each run's id, carried by its JSON events.
 */
export async function ingestCommand(
  selectors: string[],
  f: IngestFlags,
  o: Output,
  stop?: AbortSignal,
  listen?: (e: ProgressEvent) => void,
  runId?: string,
): Promise<RunResult & { failure?: EltError }> {
  crashPoint('run-start');
  let project: Pick<Project, 'intercom' | 'destinations'> & Partial<Pick<Project, 'unavailable'>>;
  let assets: AssetConfig[];
  checkMode(selectors, f);
  const mode = progressMode(f.progress);
  const interval = intervalOf(f);
  if (f.sourceUri) {
    const one = oneShotProject(f, process.cwd());
    project = one.project;
    assets = [one.asset];
  } else {
    const full = await projectFromFlags(f, process.cwd(), true);
    project = full;
    assets = selectAssets(full.assets, selectors, list(f.tag));
    if (assets.length === 0) throw new ConfigError(f.assetsDir ?? 'assets', 'assets', 'no asset matched; nothing to ingest');
  }
  for (const a of assets) if (!getTable(a.sourceTable)) throw new ConfigError(a.file, 'parameters.source_table', `unknown Intercom table '${a.sourceTable}'`);
  for (const a of assets) protectionTransform(a, getTable(a.sourceTable)!, process.env); // bad column rules fail before anything runs
  // an unset ${VAR} fails only for the connections these assets use, before any request
  for (const a of assets) {
    intercomConnection(project, a.sourceConnection);
    destinationConnection(project, a.destination);
  }
  const redact = makeRedactor(secretsOf(project));
  const options = {
    fullRefresh: f.fullRefresh,
    ...interval,
    parallel: f.parallel === undefined ? undefined : parseParallel(f.parallel),
    checkpointPages: positive(f.checkpointPages, '--checkpoint-pages', true),
    checkpointSeconds: positive(f.checkpointSeconds, '--checkpoint-seconds', false),
    stop,
    redact,
  };
  await verifyTokens(project, assets, f.sourceUri !== undefined);
  const progress = progressRenderer(mode, o, redact, runId === undefined ? {} : { runId });
  const onEvent = (e: ProgressEvent) => {
    progress.onEvent(e);
    listen?.(e);
  };
  // closed on every path: a thrown run leaves no live line behind its error line
  const result = await runAssets(project, assets, { ...options, onEvent }).finally(() => progress.close());
  return endRun(result, mode, o, redact, ingestQueryHint(project, assets, f), runId);
}

/**
 * One GET /me per Intercom connection before any asset starts, so a rejected token is one line
 * naming the connection and the fix (as `check` says it), not a failure per asset. Other errors
 * are left to the run, which retries them and reports them per asset.
 */
async function verifyTokens(project: Pick<Project, 'intercom'>, assets: AssetConfig[], oneShot: boolean): Promise<void> {
  const names = [...new Set(assets.map((a) => a.sourceConnection))];
  await Promise.all(
    names.map(async (name) => {
      const conn = intercomConnection(project, name);
      const client = clientFor(conn);
      try {
        await client.request({ method: 'GET', path: '/me' });
      } catch (err) {
        if (err instanceof IntercomHttpError && err.status === 401) {
          throw new EltError(
            'token_rejected',
            oneShot
              ? `access token rejected (401 unauthorized): check access_token in --source-uri; nothing was loaded`
              : `${intercomProblem(err, conn)}; nothing was loaded (intercom-elt check tests every connection)`,
          );
        }
      } finally {
        await client.close().catch(() => undefined);
      }
    }),
  );
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
