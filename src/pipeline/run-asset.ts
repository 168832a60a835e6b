/**
 * Run one asset: window -> pages -> Arrow batches -> destination -> checkpoint.
 * The pipeline is the only place that knows both the Intercom source and the destination.
 */
import { randomUUID } from 'node:crypto';
import { makeData, RecordBatch, Schema, Struct } from 'apache-arrow';
import { BatchBuilder } from '../arrow/index.js';
import { arrowField } from '../arrow/types.js';
import type { AssetConfig } from '../config/index.js';
import type { AssetState, Destination, RunWriter, TableTarget } from '../destinations/types.js';
import { EltError, inDestination, InterruptedError } from '../errors.js';
import { answeredAt } from '../intercom/tables/common.js';
import type { TableSpec } from '../intercom/tables/spec.js';
import type { IntercomClient } from '../intercom/types.js';
import type { ProgressEvent } from './events.js';
import { planWindow } from './window.js';
import { buildTransforms, type RowTransform } from './transforms.js';
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
  error?: EltError | Error;
}

interface Workspace {
  timezone: string;
  now: number;
}

/** GET /me: the workspace time zone (contacts search days) and Intercom's clock (Date header). */
async function workspace(client: IntercomClient): Promise<Workspace> {
  const res = await client.request<{ app?: { timezone?: string } }>({ method: 'GET', path: '/me' });
  return { timezone: res.body?.app?.timezone || 'UTC', now: answeredAt(res) };
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
  let writer: RunWriter | undefined;
  // the destination's queued work (see `queue` below) and its first failure
  let chain: Promise<void> = Promise.resolve();
  let writeFailure: { error: unknown } | undefined;
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
    const transforms = await buildTransforms({ asset, table, client, apiVersion: o.apiVersion, capabilities: o.destination.capabilities });
    const targets = targetsFor(asset, table, transforms);
    writer = await o.destination.openRun({ asset: asset.name, loadId, tables: targets, window: plan.window, fullRefresh: o.fullRefresh });
    emit({ type: 'asset_start', asset: asset.name, table: table.name, window: plan.window, resumed: plan.resume !== undefined });

    const loadedAt = new Date();
    const builders = new Map(targets.map((t) => [t.key, new BatchBuilder(t.columns, { loadId, loadedAt })]));
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
        emit({ type: 'checkpoint', asset: asset.name, rows, pages, commitSeconds: (Date.now() - t0) / 1000, queuedSeconds: (t0 - queuedAt) / 1000 });
      });
      if (wait) await checkpointQueued;
    };

    let pagesSinceCheckpoint = 0;
    let lastCheckpoint = Date.now();
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
      signal: o.stop,
    }), 2);
    for await (const page of pages) {
      if (writeFailure) throw writeFailure.error;
      summary.pages++;
      for (const [key, extracted] of Object.entries(page.rows)) {
        const rows = transforms.reduce((r, t) => t.rows(key, r), extracted);
        const b = builders.get(key);
        if (!b) throw new EltError('internal', `table ${table.name} yielded rows for unknown table ${key}`);
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
      emit({ type: 'page', asset: asset.name, rows: summary.rows, pages: summary.pages, stats: client.stats() });
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
    emit({ type: 'asset_end', asset: asset.name, summary });
    return summary;
  } catch (caught) {
    const err = inDestination(caught, asset.destination);
    finishStats();
    summary.status = err instanceof InterruptedError ? 'interrupted' : 'failed';
    summary.error = err as Error;
    // nothing of the chain may still run when the run is aborted
    await chain.catch(() => undefined);
    if (writer) {
      await writer
        .abort({ status: summary.status, rows: summary.rows, requests: summary.requests, error: (err as Error).message })
        .catch(() => undefined);
    }
    emit({ type: 'asset_end', asset: asset.name, summary });
    return summary;
  }
}
