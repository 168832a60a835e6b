/**
 * Run one asset: window -> pages -> Arrow batches -> destination -> checkpoint.
 * The pipeline is the only place that knows both the Intercom source and the destination.
 */
import { randomUUID } from 'node:crypto';
import { makeData, RecordBatch, Schema, Struct } from 'apache-arrow';
import { BatchBuilder } from '../arrow/index.js';
import { arrowField } from '../arrow/types.js';
import type { AssetConfig } from '../config/index.js';
import type { AssetState, CheckResult, Destination, RunWriter, TableTarget } from '../destinations/types.js';
import { EltError, inDestination, InterruptedError } from '../core/errors.js';
import { answeredAt } from '../intercom/tables/common.js';
import { fetchDataAttributes } from '../intercom/data-attributes.js';
import type { Row } from '../core/schema.js';
import type { TableSpec } from '../intercom/tables/spec.js';
import type { IntercomClient } from '../intercom/types.js';
import type { ProgressEvent } from './events.js';
import { planWindow } from './window.js';
import { buildTransforms, type RowTransform } from '../transforms/index.js';
import { prefetch } from './prefetch.js';

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
  concurrency?: number;
  /** Search slices read at once (search tables); default 1: one cursor chain. */
  searchSlices?: number;
  /** Aborted by SIGINT/SIGTERM: stop after the current page, commit a checkpoint, throw InterruptedError. */
  stop?: AbortSignal;
  onEvent?: (e: ProgressEvent) => void;
  /** Removes secrets from text written to the destination (`_elt_loads.error`): an error body may echo a token. */
  redact?: (s: string) => string;
}

export interface AssetSummary {
  asset: string;
  table: string;
  status: 'ok' | 'failed' | 'interrupted';
  rows: number;
  rowsByTable: Record<string, number>;
  pages: number;
  requests: number;
  retries: number;
  rateLimited: number;
  seconds: number;
  checkpoints: number;
  counters: Record<string, number>;
  window?: { start: number; end: number };
  /** The asset's data checks, run after its final commit (absent when it has none or the load failed). */
  checks?: CheckResult[];
  error?: EltError | Error;
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
    throw new EltError('bad_workspace', 'Intercom GET /me answered without app.timezone: the workspace time zone is needed to search contacts by day; check the token\'s workspace (intercom-elt check) or retry later');
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

/** A batch with no rows and the builder's columns: carries a parent list to replace. */
function emptyBatch(columns: TableTarget['columns']): RecordBatch {
  const fields = columns.map((c) => arrowField(c.name, c.type));
  const children = fields.map((f) => makeData({ type: f.type, length: 0, nullCount: 0 }));
  return new RecordBatch(new Schema(fields), makeData({ type: new Struct(fields), length: 0, nullCount: 0, children }));
}

/**
 * A row without its primary key is never loaded (two would become one NULL-key row): the
 * pagination layer retries such pages; whatever still gets here fails the asset, the cursor kept.
 */
function requireKeys(table: string, key: readonly string[], rows: readonly Row[]): void {
  for (const row of rows) {
    for (const k of key) {
      const v = row[k];
      if (v === undefined || v === null || v === '') {
        throw new EltError('record_without_key', `${table}: a record without its primary key '${k}' cannot be a row; the asset stops with its cursor kept`);
      }
    }
  }
}

export async function runAsset(o: RunAssetOptions): Promise<AssetSummary> {
  const { asset, table, client } = o;
  const started = Date.now();
  const before = client.stats();
  const counters: Record<string, number> = {};
  const summary: AssetSummary = {
    asset: asset.name,
    table: table.name,
    status: 'ok',
    rows: 0,
    rowsByTable: {},
    pages: 0,
    requests: 0,
    retries: 0,
    rateLimited: 0,
    seconds: 0,
    checkpoints: 0,
    counters,
  };
  const emit = (e: ProgressEvent) => o.onEvent?.(e);
  const finishStats = () => {
    const after = client.stats();
    summary.requests = after.requests - before.requests;
    summary.retries = after.retries - before.retries;
    summary.rateLimited = after.rateLimited - before.rateLimited;
    summary.seconds = (Date.now() - started) / 1000;
  };

  const loadId = randomUUID();
  // rows (of the asset's main table) committed by this run's checkpoints
  const committed = { rows: 0, checkpoints: 0 };
  let writer: RunWriter | undefined;
  // the destination's queued work (see `queue` below) and its first failure
  let chain: Promise<void> = Promise.resolve();
  let writeFailure: { error: unknown } | undefined;
  let resumeCheckpoint: (() => Promise<void>) | undefined;
  try {
    const ws = await workspace(client);
    const state = o.fullRefresh ? undefined : await o.destination.readState(asset.name);
    const incremental = asset.strategy !== 'replace' && !!(asset.incrementalKey ?? table.incrementalKey);
    const plan = planWindow(table, incremental, state, {
      now: ws.now,
      lookbackSeconds: asset.lookbackSeconds,
      startDate: asset.startDate,
      intervalStart: o.intervalStart,
      intervalEnd: o.intervalEnd,
      fullRefresh: o.fullRefresh,
    });
    summary.window = plan.window;
    const customAttributes = asset.customAttributeColumns && table.customAttributes ? await fetchDataAttributes(client, o.apiVersion, table.customAttributes) : undefined;
    const transforms = buildTransforms({ asset, table, env: process.env, maxIdentifierLength: o.destination.capabilities.maxIdentifierLength, customAttributes });
    const targets = targetsFor(asset, table, transforms);
    writer = await o.destination.openRun({ asset: asset.name, loadId, tables: targets, window: plan.window, fullRefresh: o.fullRefresh });
    emit({ type: 'asset_start', asset: asset.name, table: table.name, window: plan.window, resumed: plan.resume !== undefined });

    const loadedAt = new Date();
    const builders = new Map(targets.map((t) => [t.key, new BatchBuilder(t.columns, { loadId, loadedAt })]));
    const keys = new Map(targets.map((t) => [t.key, t.primaryKey]));
    const pendingParents = new Map<string, { parentKey: string[]; parents: unknown[][] }>();
    const batchRows = o.batchRows ?? 10_000;
    const checkpointPages = o.checkpointPages ?? 200;
    const checkpointMs = (o.checkpointSeconds ?? 30) * 1000;
    const baseState: AssetState = { ...(state ?? {}), cursor: state?.cursor };
    delete baseState.inProgress;

    // Destination work runs in order on one chain, behind the page loop: a commit (seconds on a
    // big DuckDB table) does not stop the pages from being fetched meanwhile. What goes into a
    // batch or a checkpoint is fixed when it is queued (builders flush synchronously); at most
    // one checkpoint waits in the chain, so memory stays bounded by ~two checkpoint intervals.
    const queue = (op: () => Promise<void>): Promise<void> => {
      chain = chain.then(op);
      // a failure stops the page loop at its next page (and every later op is skipped)
      chain.catch((error: unknown) => (writeFailure ??= { error }));
      return chain;
    };
    let checkpointQueued: Promise<void> | undefined;
    const stage = (key: string, force: boolean) => {
      const b = builders.get(key)!;
      const parents = pendingParents.get(key);
      if (!force && b.length < batchRows) return;
      // parents whose children all went away still need their old rows replaced: an empty
      // batch carries the parent list
      if (b.length === 0 && !parents?.parents.length) return;
      const batch = b.flush() ?? emptyBatch(b.columns);
      pendingParents.delete(key);
      void queue(() => writer!.write(key, batch, parents));
    };
    const checkpoint = async (resume: unknown, wait: boolean) => {
      // the previous checkpoint must be committed before another is queued (bounded memory)
      if (checkpointQueued) await checkpointQueued;
      for (const key of builders.keys()) stage(key, true);
      // The cursor stays where it was: only a finished window moves it (state never runs ahead of data).
      const state: AssetState = { ...baseState, inProgress: plan.window ? { window: plan.window, resume, loadId } : undefined };
      const rows = summary.rows;
      const pages = summary.pages;
      const queuedAt = Date.now();
      checkpointQueued = queue(async () => {
        const t0 = Date.now();
        await writer!.checkpoint(state);
        summary.checkpoints++;
        committed.rows = rows;
        committed.checkpoints++;
        emit({ type: 'checkpoint', asset: asset.name, rows, pages, commitSeconds: (Date.now() - t0) / 1000, queuedSeconds: (t0 - queuedAt) / 1000 });
      });
      if (wait) await checkpointQueued;
    };

    let pagesSinceCheckpoint = 0;
    let lastCheckpoint = Date.now();
    let total: number | undefined;
    // read two pages ahead while the destination works on the current one
    const pages = prefetch(table.extract({
      client,
      apiVersion: o.apiVersion,
      timezone: ws.timezone,
      window: plan.window,
      resume: plan.resume,
      concurrency: o.concurrency ?? 32,
      slices: o.searchSlices ?? 1,
      count: (name, n = 1) => {
        counters[name] = (counters[name] ?? 0) + n;
      },
      total: (n) => {
        total = n;
      },
      signal: o.stop,
    }), 2);
    // the resume token of the last page consumed (undefined when that page had none)
    let lastResume: unknown;
    // a signal aborted a request or a wait: the pages consumed so far still commit when the last
    // one can be resumed from (called by the catch below)
    resumeCheckpoint = async () => {
      if (!writeFailure && lastResume !== undefined && pagesSinceCheckpoint > 0) await checkpoint(lastResume, true);
    };
    for await (const page of pages) {
      if (writeFailure) throw writeFailure.error;
      lastResume = page.resume;
      summary.pages++;
      for (const [key, extracted] of Object.entries(page.rows)) {
        const rows = transforms.reduce((r, t) => t.rows(key, r), extracted);
        const b = builders.get(key);
        if (!b) throw new EltError('internal', `table ${table.name} yielded rows for unknown table ${key}`);
        requireKeys(key, keys.get(key)!, rows);
        b.add(rows);
        summary.rowsByTable[key] = (summary.rowsByTable[key] ?? 0) + rows.length;
        if (key === table.name) summary.rows += rows.length;
      }
      for (const [key, r] of Object.entries(page.replaceChildren ?? {})) {
        const p = pendingParents.get(key) ?? { parentKey: r.parentKey, parents: [] };
        p.parents.push(...r.parents);
        pendingParents.set(key, p);
      }
      for (const [key, d] of Object.entries(page.deletes ?? {})) {
        if (builders.has(key)) void queue(() => writer!.markDeleted(key, d));
      }
      // child batches carry the parent list accumulated since their last batch
      for (const key of builders.keys()) stage(key, false);
      pagesSinceCheckpoint++;
      emit({ type: 'page', asset: asset.name, rows: summary.rows, pages: summary.pages, stats: client.stats(), ...(total !== undefined && { total }) });
      const stopping = o.stop?.aborted === true;
      if (page.resume !== undefined && (stopping || pagesSinceCheckpoint >= checkpointPages || Date.now() - lastCheckpoint >= checkpointMs)) {
        // stopping: committed before the InterruptedError below
        await checkpoint(page.resume, stopping);
        pagesSinceCheckpoint = 0;
        lastCheckpoint = Date.now();
      }
      if (stopping) throw new InterruptedError(String(o.stop?.reason ?? 'signal'));
    }
    for (const key of builders.keys()) stage(key, true);
    await chain;
    for (const b of builders.values()) if (b.coercions) counters['values_coerced'] = (counters['values_coerced'] ?? 0) + b.coercions;
    for (const t of transforms) for (const [k, v] of Object.entries(t.counters?.() ?? {})) counters[k] = (counters[k] ?? 0) + v;
    finishStats();
    await writer.finish({ ...baseState, cursor: plan.nextCursor ?? baseState.cursor }, { status: 'ok', rows: summary.rows, requests: summary.requests });
    if (asset.checks?.length) {
      // after the final commit: the checks read what a dbt model would read next
      const target = { asset: asset.name, loadId, schema: asset.schema, table: asset.table };
      // the load is committed: a destination that fails now makes every check an error, not the load a failure
      summary.checks = await o.destination.runChecks(target, asset.checks).catch((err: unknown) => {
        const message = `checks could not run: ${(inDestination(err, asset.destination) as Error).message}`;
        return asset.checks!.map((c): CheckResult => ({ check: c.name, ...(c.kind === 'column' && { column: c.column }), blocking: c.blocking, status: 'error', message }));
      });
      for (const c of summary.checks) emit({ type: 'check', asset: asset.name, ...c });
    }
    emit({ type: 'asset_end', asset: asset.name, summary });
    return summary;
  } catch (caught) {
    const err = inDestination(caught, asset.destination);
    if (err instanceof InterruptedError) await resumeCheckpoint?.().catch(() => undefined);
    finishStats();
    // nothing of the chain may still run when the run is aborted
    await chain.catch(() => undefined);
    summary.status = err instanceof InterruptedError ? 'interrupted' : 'failed';
    // what the destination holds of this run: its last committed checkpoint, or nothing
    // (a replace run, or a full refresh loaded aside, keeps nothing before it finishes)
    const aside = asset.strategy === 'replace' || (o.fullRefresh && !o.destination.capabilities.transactionalDdl);
    if (aside) committed.rows = 0;
    summary.error =
      err instanceof InterruptedError
        ? new InterruptedError(
            err.signal,
            committed.checkpoints > 0 && !aside
              ? `${committed.rows} rows were committed at its last checkpoint; the next run resumes there`
              : 'nothing of this run was committed; the next run reads its window again',
          )
        : (err as Error);
    if (writer) {
      await writer
        .abort({ status: summary.status, rows: committed.rows, requests: summary.requests, error: (o.redact ?? String)((summary.error as Error).message) })
        .catch(() => undefined);
    }
    emit({ type: 'asset_end', asset: asset.name, summary });
    return summary;
  }
}
