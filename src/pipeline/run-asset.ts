/**
 * Run one asset: window -> pages -> transforms -> batches -> load queue -> checkpoint / final
 * commit -> checks -> summary. The pipeline is the only place that knows both the Intercom source
 * and the destination.
 */
import { randomUUID } from 'node:crypto';
import type { AssetConfig } from '../config/index.js';
import type { AssetState, CheckResult, Destination, TableTarget } from '../destinations/types.js';
import { EltError, inDestination, InterruptedError } from '../core/errors.js';
import { answeredAt } from '../intercom/tables/common.js';
import { fetchDataAttributes } from '../intercom/data-attributes.js';
import type { Page, TableSpec } from '../intercom/tables/spec.js';
import type { ClientStats, IntercomClient } from '../intercom/types.js';
import type { AssetSummary, ProgressEvent } from './events.js';
import { planWindow, type WindowPlan } from './window.js';
import { buildTransforms, type RowTransform } from '../transforms/index.js';
import { prefetch } from './prefetch.js';
import { Batches } from './batches.js';
import { LoadQueue } from './load-queue.js';

export interface RunAssetOptions {
  asset: AssetConfig;
  table: TableSpec;
  client: IntercomClient;
  destination: Destination;
  apiVersion: string;
  fullRefresh: boolean;
  intervalStart?: number;
  intervalEnd?: number;
  /**
   * Commit rows + state every N pages (default 200) or every `checkpointSeconds` (default 30),
   * whichever comes first: bounded loss on a kill, few enough commits for throughput.
   */
  checkpointPages?: number;
  checkpointSeconds?: number;
  /** Rows buffered per table before a batch is staged (default 10,000). */
  batchRows?: number;
  /** Arrow bytes queued for the destination above which reading waits (default 64 MiB, load-queue.ts). */
  maxQueuedBytes?: number;
  concurrency?: number;
  /** Search slices read at once (search tables); default 1: one cursor chain. */
  searchSlices?: number;
  /** Aborted by SIGINT/SIGTERM: stop after the current page, commit a checkpoint, throw InterruptedError. */
  stop?: AbortSignal;
  onEvent?: (e: ProgressEvent) => void;
  /** Removes secrets from text written to the destination (`_elt_loads.error`): an error body may echo a token. */
  redact?: (s: string) => string;
}

/** A check whose failure fails the run: a blocking check that failed or could not run. */
export function isBlockingFailure(c: CheckResult): boolean {
  return c.blocking && c.status !== 'passed';
}

interface Workspace {
  timezone: string;
  now: number;
}

/**
 * GET /me: the workspace time zone (contacts search days) and Intercom's clock (Date header).
 * No time zone, or one that is not an IANA zone, is an error: assuming UTC would shift the
 * contacts search's days and skip updates near midnight for good.
 */
async function workspace(client: IntercomClient): Promise<Workspace> {
  const res = await client.request<{ app?: { timezone?: unknown } }>({ method: 'GET', path: '/me' });
  const tz = res.body?.app?.timezone;
  if (typeof tz !== 'string' || tz.trim() === '') {
    throw new EltError(
      'bad_workspace',
      "Intercom GET /me answered without app.timezone: the workspace time zone is needed to search contacts by day; check the token's workspace (intercom-elt check) or retry later",
    );
  }
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
  } catch {
    throw new EltError('bad_workspace', `Intercom GET /me answered app.timezone ${JSON.stringify(tz.slice(0, 60))}, which is not an IANA time zone`);
  }
  return { timezone: tz, now: answeredAt(res) };
}

function targetsFor(asset: AssetConfig, table: TableSpec, transforms: RowTransform[]): TableTarget[] {
  const cols = (key: string, declared: TableTarget['columns']) => transforms.reduce((c, t) => t.columns(key, c), declared);
  const main: TableTarget = {
    key: table.name,
    // a table whose rows are replaced per parent (e.g. company_segments per company)
    parentKey: table.parentKey,
    schema: asset.schema,
    table: asset.table,
    columns: cols(table.name, table.columns),
    primaryKey: asset.primaryKey,
    incrementalKey: asset.incrementalKey ?? table.incrementalKey,
    strategy: asset.strategy,
  };
  const children = (table.children ?? []).map<TableTarget>((c) => ({
    key: c.name,
    schema: asset.schema,
    // child tables land beside the parent, in the asset's schema, under their own name
    table: c.name,
    columns: cols(c.name, c.columns),
    primaryKey: c.primaryKey,
    strategy: asset.strategy === 'replace' ? 'replace' : 'merge',
    parentKey: c.parentKey,
  }));
  return [main, ...children];
}

export async function runAsset(o: RunAssetOptions): Promise<AssetSummary> {
  const { asset, table, client } = o;
  const since = { at: Date.now(), stats: client.stats() };
  const summary = emptySummary(asset.name, table.name);
  const emit = (e: ProgressEvent) => o.onEvent?.(e);
  const loadId = randomUUID();
  let load: LoadQueue | undefined;
  try {
    const ws = await workspace(client);
    const state = o.fullRefresh ? undefined : await o.destination.readState(asset.name);
    const plan = planFor(o, state, ws.now);
    summary.window = plan.window;
    const customAttributes =
      asset.customAttributeColumns && table.customAttributes ? await fetchDataAttributes(client, o.apiVersion, table.customAttributes) : undefined;
    const transforms = buildTransforms({
      asset,
      table,
      env: process.env,
      maxIdentifierLength: o.destination.capabilities.maxIdentifierLength,
      customAttributes,
    });
    const targets = targetsFor(asset, table, transforms);
    const writer = await o.destination.openRun({ asset: asset.name, loadId, tables: targets, window: plan.window, fullRefresh: o.fullRefresh });
    load = new LoadQueue(writer, {
      checkpointPages: o.checkpointPages ?? 200,
      checkpointMs: (o.checkpointSeconds ?? 30) * 1000,
      maxQueuedBytes: o.maxQueuedBytes,
      onCheckpoint: (c) => {
        summary.checkpoints++;
        emit({ type: 'checkpoint', asset: asset.name, ...c });
      },
    });
    emit({ type: 'asset_start', asset: asset.name, table: table.name, window: plan.window, resumed: plan.resume !== undefined });
    const batches = new Batches(table.name, targets, { loadId, loadedAt: new Date() }, o.batchRows ?? 10_000);
    const base = baseState(state);
    await new PageLoop(o, { timezone: ws.timezone, plan, transforms, batches, load, summary, base, loadId }).run();
    for (const b of batches.take(true)) load.write(b);
    await load.drain();
    addCounters(summary.counters, batches, transforms);
    stamp(summary, client, since);
    await load.finish({ ...base, cursor: plan.nextCursor ?? base.cursor }, { status: 'ok', rows: summary.rows, requests: summary.requests });
    if (asset.checks?.length) summary.checks = await runChecks(o, asset.checks, loadId);
    emit({ type: 'asset_end', asset: asset.name, summary });
    return summary;
  } catch (caught) {
    await fail(o, summary, caught, load, since);
    emit({ type: 'asset_end', asset: asset.name, summary });
    return summary;
  }
}

/** What the page loop works with, set up before the first page. */
interface PageLoopContext {
  timezone: string;
  plan: WindowPlan;
  transforms: RowTransform[];
  batches: Batches;
  load: LoadQueue;
  summary: AssetSummary;
  /** The committed state without its in-progress part: what every checkpoint builds on. */
  base: AssetState;
  loadId: string;
}

/**
 * The page loop: the window's pages (read two ahead) -> transforms -> batches -> load queue, a
 * checkpoint when one is due. A stop signal ends it after the current page, its checkpoint
 * committed first.
 */
class PageLoop {
  /** The resume token of the last page consumed (undefined when that page had none). */
  private lastResume: unknown;
  /** The records the read will reach, when Intercom says (a search's total_count). */
  private total: number | undefined;

  constructor(
    private readonly o: RunAssetOptions,
    private readonly c: PageLoopContext,
  ) {}

  async run(): Promise<void> {
    const { o, c } = this;
    const counters = c.summary.counters;
    // read two pages ahead while the destination works on the current one
    const pages = prefetch(
      o.table.extract({
        client: o.client,
        apiVersion: o.apiVersion,
        timezone: c.timezone,
        window: c.plan.window,
        resume: c.plan.resume,
        concurrency: o.concurrency ?? 32,
        slices: o.searchSlices ?? 1,
        count: (name, n = 1) => {
          counters[name] = (counters[name] ?? 0) + n;
        },
        total: (n) => {
          this.total = n;
        },
        signal: o.stop,
      }),
      2,
    );
    try {
      for await (const page of pages) {
        this.consume(page);
        // the destination behind by more than the queue's bound (a long commit): wait for it
        await c.load.room();
        const stopping = o.stop?.aborted === true;
        if (page.resume !== undefined && (stopping || c.load.checkpointDue())) {
          // stopping: committed before the InterruptedError below
          await this.checkpoint(page.resume, stopping);
        }
        if (stopping) throw new InterruptedError(String(o.stop?.reason ?? 'signal'));
      }
    } catch (err) {
      // a signal aborted a request or a wait: the pages consumed so far still commit when the last
      // one can be resumed from
      if (err instanceof InterruptedError && this.lastResume !== undefined && c.load.hasPagesToCommit()) {
        await this.checkpoint(this.lastResume, true).catch(() => undefined);
      }
      throw err;
    }
  }

  /** One page: its rows through the transforms into the batches; full batches and deletes queued. */
  private consume(page: Page): void {
    const { o, c } = this;
    const { summary, batches, load } = c;
    load.throwIfFailed();
    this.lastResume = page.resume;
    summary.pages++;
    for (const [key, extracted] of Object.entries(page.rows)) {
      const rows = c.transforms.reduce((r, t) => t.rows(key, r), extracted);
      batches.add(key, rows);
      summary.rowsByTable[key] = (summary.rowsByTable[key] ?? 0) + rows.length;
      if (key === o.table.name) summary.rows += rows.length;
    }
    for (const [key, r] of Object.entries(page.replaceChildren ?? {})) batches.replaceChildren(key, r);
    for (const [key, d] of Object.entries(page.deletes ?? {})) {
      if (batches.has(key)) load.markDeleted(key, d);
    }
    // child batches carry the parent list accumulated since their last batch
    for (const b of batches.take(false)) load.write(b);
    load.pageRead();
    o.onEvent?.({
      type: 'page',
      asset: o.asset.name,
      rows: summary.rows,
      pages: summary.pages,
      stats: o.client.stats(),
      ...(this.total !== undefined && { total: this.total }),
    });
  }

  /** Commit what is read so far with a state that resumes after `resume`; `wait`: until it committed. */
  private checkpoint(resume: unknown, wait: boolean): Promise<void> {
    const { plan, base, loadId, summary, batches } = this.c;
    // The cursor stays where it was: only a finished window moves it (state never runs ahead of data).
    const state: AssetState = { ...base, inProgress: plan.window ? { window: plan.window, resume, loadId } : undefined };
    return this.c.load.checkpoint({ state, rows: summary.rows, pages: summary.pages, batches: () => batches.take(true) }, wait);
  }
}

function emptySummary(asset: string, table: string): AssetSummary {
  return { asset, table, status: 'ok', rows: 0, rowsByTable: {}, pages: 0, requests: 0, retries: 0, rateLimited: 0, seconds: 0, checkpoints: 0, counters: {} };
}

/** The summary's requests, retries, 429s and seconds: what its client did since the run started. */
function stamp(summary: AssetSummary, client: IntercomClient, since: { at: number; stats: ClientStats }): void {
  const after = client.stats();
  summary.requests = after.requests - since.stats.requests;
  summary.retries = after.retries - since.stats.retries;
  summary.rateLimited = after.rateLimited - since.stats.rateLimited;
  summary.seconds = (Date.now() - since.at) / 1000;
}

/** The run's window, from the committed state and Intercom's clock. */
function planFor(o: RunAssetOptions, state: AssetState | undefined, now: number): WindowPlan {
  const { asset, table } = o;
  const incremental = asset.strategy !== 'replace' && !!(asset.incrementalKey ?? table.incrementalKey);
  return planWindow(table, incremental, state, {
    now,
    lookbackSeconds: asset.lookbackSeconds,
    startDate: asset.startDate,
    intervalStart: o.intervalStart,
    intervalEnd: o.intervalEnd,
    fullRefresh: o.fullRefresh,
  });
}

/** The committed state without its in-progress part: what every checkpoint and the final commit build on. */
function baseState(state: AssetState | undefined): AssetState {
  const base: AssetState = { ...(state ?? {}), cursor: state?.cursor };
  delete base.inProgress;
  return base;
}

/** Values the batches stored as NULL, and the transforms' own counts, join the extract's counters. */
function addCounters(counters: Record<string, number>, batches: Batches, transforms: RowTransform[]): void {
  if (batches.coercions) counters['values_coerced'] = (counters['values_coerced'] ?? 0) + batches.coercions;
  for (const t of transforms) for (const [k, v] of Object.entries(t.counters?.() ?? {})) counters[k] = (counters[k] ?? 0) + v;
}

/** The asset's data checks, after the final commit: they read what a dbt model would read next. */
async function runChecks(o: RunAssetOptions, checks: NonNullable<AssetConfig['checks']>, loadId: string): Promise<CheckResult[]> {
  const { asset } = o;
  const target = { asset: asset.name, loadId, schema: asset.schema, table: asset.table };
  // the load is committed: a destination that fails now makes every check an error, not the load a failure
  const results = await o.destination.runChecks(target, checks).catch((err: unknown) => {
    const message = `checks could not run: ${(inDestination(err, asset.destination) as Error).message}`;
    return checks.map((c): CheckResult => ({
      check: c.name,
      ...(c.kind === 'column' && { column: c.column }),
      blocking: c.blocking,
      status: 'error',
      message,
    }));
  });
  for (const c of results) o.onEvent?.({ type: 'check', asset: asset.name, ...c });
  return results;
}

/**
 * A run that failed or was interrupted: nothing queued still runs, the writer rolls back what is
 * not committed and records the failure; the summary says what the destination kept.
 */
async function fail(
  o: RunAssetOptions,
  summary: AssetSummary,
  caught: unknown,
  load: LoadQueue | undefined,
  since: { at: number; stats: ClientStats },
): Promise<void> {
  const err = inDestination(caught, o.asset.destination);
  stamp(summary, o.client, since);
  // nothing of the queue may still run when the run is aborted
  await load?.settle();
  const interrupted = err instanceof InterruptedError;
  summary.status = interrupted ? 'interrupted' : 'failed';
  // what the destination holds of this run: its last committed checkpoint, or nothing
  // (a replace run, or a full refresh loaded aside, keeps nothing before it finishes)
  const aside = o.asset.strategy === 'replace' || (o.fullRefresh && !o.destination.capabilities.transactionalDdl);
  const committed = { rows: aside ? 0 : (load?.committed.rows ?? 0), checkpoints: load?.committed.checkpoints ?? 0 };
  const error = interrupted
    ? new InterruptedError(
        err.signal,
        committed.checkpoints > 0 && !aside
          ? `${committed.rows} rows were committed at its last checkpoint; the next run resumes there`
          : 'nothing of this run was committed; the next run reads its window again',
      )
    : (err as Error);
  summary.error = error;
  await load
    ?.abort({ status: summary.status, rows: committed.rows, requests: summary.requests, error: (o.redact ?? String)(error.message) })
    .catch(() => undefined);
}
