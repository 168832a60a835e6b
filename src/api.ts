/**
 * The programmatic API for Node orchestrators: `ingest()` and `check()` do what the CLI commands
 * do, with the same config, validation and errors, but print nothing and return the result.
 * Bad config rejects with an `EltError` (a `ConfigError` names the file and field); a failed asset
 * does not reject: `ok` is false and its summary carries the error.
 */
import { checkCommand } from './cli/commands/check.js';
import type { CheckResult } from './cli/preflight.js';
import { ingestCommand, type IngestFlags } from './cli/commands/ingest.js';
import type { Output } from './cli/render.js';
import { suggestion } from './core/suggest.js';
import { EltError } from './core/errors.js';
import type { ProgressEvent } from './pipeline/events.js';
import type { RunResult } from './pipeline/run.js';

/** Where the project is; relative paths resolve against the current directory, as in the CLI. */
export interface ProjectOptions {
  /** connections.yml (default `connections.yml`). */
  config?: string;
  /** Folder of `*.asset.yml` files (default `assets/` beside the config). */
  assetsDir?: string;
  /** Environment of connections.yml (default its `default_environment`). */
  environment?: string;
  /** Assets by name (`intercom.contacts`), file or Intercom table; default every asset. */
  assets?: string[];
}

/** `intercom-elt ingest` as options: the CLI flags in camelCase, lists as arrays. */
export interface IngestOptions extends ProjectOptions {
  /** Only assets with one of these tags. */
  tags?: string[];
  fullRefresh?: boolean;
  /** Window bounds: a Date, unix seconds, or an ISO date/time. */
  intervalStart?: Date | number | string;
  intervalEnd?: Date | number | string;
  /** Assets run at once (default 4). */
  parallel?: number;
  checkpointPages?: number;
  checkpointSeconds?: number;
  /** ingestr's one-shot form (instead of a project): `intercom://?access_token=…`. */
  sourceUri?: string;
  sourceTable?: string;
  destUri?: string;
  destTable?: string;
  incrementalStrategy?: string;
  incrementalKey?: string;
  primaryKey?: string[];
  mask?: string[];
  excludeColumns?: string[];
  selectColumns?: string[];
  /** Aborting commits the next checkpoint and stops; the summaries say `interrupted`. */
  signal?: AbortSignal;
  /** Every progress event (asset_start, page, checkpoint, asset_end). */
  onEvent?: (event: ProgressEvent) => void;
}

export type CheckOptions = ProjectOptions;

/** Output nowhere: the caller gets the result (and events), not the CLI's lines. */
const silent: Output = { out: () => undefined, err: () => undefined, isTTY: false };

const PROJECT_KEYS = ['config', 'assetsDir', 'environment', 'assets'] as const satisfies ReadonlyArray<keyof ProjectOptions>;
const INGEST_KEYS = [
  ...PROJECT_KEYS,
  'tags',
  'fullRefresh',
  'intervalStart',
  'intervalEnd',
  'parallel',
  'checkpointPages',
  'checkpointSeconds',
  'sourceUri',
  'sourceTable',
  'destUri',
  'destTable',
  'incrementalStrategy',
  'incrementalKey',
  'primaryKey',
  'mask',
  'excludeColumns',
  'selectColumns',
  'signal',
  'onEvent',
] as const satisfies ReadonlyArray<keyof IngestOptions>;

/** An option the function does not know is an error (a typo must not be silently ignored). */
function knownOptions(fn: string, options: object, known: readonly string[]): void {
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) throw new EltError('usage', `${fn}(): unknown option '${key}'${suggestion(key, known)}`);
  }
}

const time = (v: Date | number | string | undefined): string | undefined => (v === undefined ? undefined : v instanceof Date ? v.toISOString() : String(v));

/** Extract and load, as `intercom-elt ingest` does; resolves with a summary per asset. */
export async function ingest(options: IngestOptions = {}): Promise<RunResult> {
  knownOptions('ingest', options, INGEST_KEYS);
  const { assets, tags, intervalStart, intervalEnd, signal, onEvent, ...rest } = options;
  const flags: IngestFlags = { ...rest, tag: tags, intervalStart: time(intervalStart), intervalEnd: time(intervalEnd), progress: 'log' };
  return ingestCommand(assets ?? [], flags, silent, signal, onEvent);
}

/** Validate the project and try every connection, as `intercom-elt check` does; `ok` is false when a check failed. */
export async function check(options: CheckOptions = {}): Promise<CheckResult> {
  knownOptions('check', options, PROJECT_KEYS);
  const { assets, ...flags } = options;
  return checkCommand(assets ?? [], flags, silent);
}
