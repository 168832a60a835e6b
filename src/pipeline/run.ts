/** Run a set of assets: one Intercom client (and rate limiter) per Intercom app, one destination per connection. */
import { ConfigError, inDestination, InterruptedError } from '../core/errors.js';
import { destinationConnection, intercomConnection, type AssetConfig, type IntercomConnection, type Project } from '../config/index.js';
import { DEFAULT_CONCURRENCY, DEFAULT_SEARCH_SLICES } from '../config/connections.js';
import type { Destination } from '../destinations/types.js';
import { createIntercomClient } from '../intercom/client.js';
import { RateLimiter } from '../intercom/limiter.js';
import { getTable } from '../intercom/tables/index.js';
import type { IntercomClient, IntercomClientOptions } from '../intercom/types.js';
import { openDestination } from '../destinations/registry.js';
import type { AssetSummary, ProgressEvent } from './events.js';
import { isBlockingFailure, runAsset } from './run-asset.js';

export interface RunOptions {
  fullRefresh?: boolean;
  intervalStart?: number;
  intervalEnd?: number;
  checkpointPages?: number;
  checkpointSeconds?: number;
  /** Assets run at once (default 4); they share each Intercom app's rate budget. */
  parallel?: number;
  stop?: AbortSignal;
  onEvent?: (e: ProgressEvent) => void;
  /** Removes secrets from text written to the destination (see RunAssetOptions.redact). */
  redact?: (s: string) => string;
}

export interface RunResult {
  summaries: AssetSummary[];
  ok: boolean;
}

/** Pick assets by name, path or tag; no selection means every asset. */
export function selectAssets(assets: AssetConfig[], selectors: string[], tags: string[] = []): AssetConfig[] {
  let picked = assets;
  if (selectors.length > 0) {
    picked = selectors.map((sel) => {
      const a = assets.find((x) => x.name === sel || x.file === sel || x.file.endsWith(`/${sel}`) || x.table === sel);
      if (!a) throw new ConfigError('ingest', 'asset', `no asset named '${sel}' (known: ${assets.map((x) => x.name).join(', ') || 'none'})`);
      return a;
    });
  }
  if (tags.length > 0) picked = picked.filter((a) => a.tags.some((t) => tags.includes(t)));
  return picked;
}

/** One client per asset run (its own counters and connection pool), sharing the app's limiter. */
export function clientFor(conn: IntercomConnection, limiter?: RateLimiter, hooks: Pick<IntercomClientOptions, 'signal' | 'onWait'> = {}): IntercomClient {
  return createIntercomClient({
    ...hooks,
    accessToken: conn.accessToken,
    region: conn.region,
    baseUrl: conn.baseUrl,
    apiVersion: conn.apiVersion,
    headroom: conn.headroom,
    // sockets up to the in-flight cap: the shared limiter's Little's-law bound decides how many are used
    connections: conn.concurrency ?? DEFAULT_CONCURRENCY,
    maxAttempts: conn.maxAttempts,
    ...(conn.timeoutSeconds !== undefined && { headersTimeoutMs: conn.timeoutSeconds * 1000, bodyTimeoutMs: conn.timeoutSeconds * 1000 }),
    ...(conn.requestTimeoutSeconds !== undefined && { requestTimeoutMs: conn.requestTimeoutSeconds * 1000 }),
    limiter,
  });
}

/** Default number of assets run at once: enough to keep one app's rate budget busy. */
export const DEFAULT_PARALLEL_ASSETS = 4;

export async function runAssets(
  project: Pick<Project, 'intercom' | 'destinations'> & Partial<Pick<Project, 'unavailable'>>,
  assets: AssetConfig[],
  o: RunOptions = {},
): Promise<RunResult> {
  // DESIGN.md invariant 5: one rate budget per Intercom app, shared by every asset and request
  const limiters = new Map<string, RateLimiter>();
  const destinations = new Map<string, Promise<Destination>>();
  const summaries: AssetSummary[] = new Array(assets.length);
  const limiterFor = (conn: IntercomConnection) => {
    let l = limiters.get(conn.name);
    // in-flight bound for the whole app (Little's law up to the user's cap): the parts fan-out and
    // search slices of every asset share it
    if (!l) limiters.set(conn.name, (l = new RateLimiter({ maxInFlight: conn.concurrency ?? DEFAULT_CONCURRENCY, headroom: conn.headroom })));
    return l;
  };
  const destinationFor = (name: string) => {
    let d = destinations.get(name);
    if (!d) {
      d = openDestination(destinationConnection(project, name)).catch((err: unknown) => {
        throw inDestination(err, name);
      });
      destinations.set(name, d);
    }
    return d;
  };
  let next = 0;
  const worker = async () => {
    while (next < assets.length && !o.stop?.aborted) {
      const i = next++;
      const asset = assets[i]!;
      const conn = intercomConnection(project, asset.sourceConnection);
      const client = clientFor(conn, limiterFor(conn), {
        signal: o.stop,
        onWait: (w) => o.onEvent?.({ type: 'wait', asset: asset.name, seconds: Math.round(w.ms / 100) / 10, method: w.method, path: w.path, reason: w.reason }),
      });
      try {
        summaries[i] = await runAsset({
          asset,
          table: getTable(asset.sourceTable)!,
          client,
          destination: await destinationFor(asset.destination),
          apiVersion: conn.apiVersion,
          fullRefresh: o.fullRefresh ?? false,
          intervalStart: o.intervalStart,
          intervalEnd: o.intervalEnd,
          checkpointPages: o.checkpointPages,
          checkpointSeconds: o.checkpointSeconds,
          concurrency: conn.concurrency,
          searchSlices: conn.searchSlices ?? DEFAULT_SEARCH_SLICES,
          stop: o.stop,
          onEvent: o.onEvent,
          redact: o.redact,
        });
      } finally {
        await client.close().catch(() => undefined);
      }
    }
  };
  try {
    const parallel = Math.max(1, Math.min(o.parallel ?? DEFAULT_PARALLEL_ASSETS, assets.length));
    await Promise.all(Array.from({ length: parallel }, worker));
  } finally {
    for (const l of limiters.values()) l.close();
    for (const d of destinations.values()) await d.then((x) => x.close()).catch(() => undefined);
  }
  // assets a signal kept from starting are interrupted too (exit 2), with nothing loaded
  if (o.stop?.aborted) {
    for (const [i, a] of assets.entries()) summaries[i] ??= notStarted(a, String(o.stop.reason ?? 'signal'));
  }
  const done = summaries.filter((s): s is AssetSummary => s !== undefined);
  const ok = done.length === assets.length && done.every((s) => s.status === 'ok' && !s.checks?.some(isBlockingFailure));
  return { summaries: done, ok };
}

function notStarted(asset: AssetConfig, signal: string): AssetSummary {
  const error = new InterruptedError(signal, 'before it started; nothing was loaded');
  return {
    asset: asset.name,
    table: asset.sourceTable,
    status: 'interrupted',
    rows: 0,
    rowsByTable: {},
    pages: 0,
    requests: 0,
    retries: 0,
    rateLimited: 0,
    seconds: 0,
    checkpoints: 0,
    counters: {},
    error,
  };
}
