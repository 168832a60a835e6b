/** Run a set of assets: one Intercom client (and rate limiter) per Intercom app, one destination per connection. */
import { ConfigError } from '../errors.js';
import type { AssetConfig, IntercomConnection, Project } from '../config/index.js';
import type { Destination } from '../destinations/types.js';
import { createIntercomClient } from '../intercom/client.js';
import { getTable } from '../intercom/tables/index.js';
import type { IntercomClient } from '../intercom/types.js';
import { openDestination } from './destinations.js';
import type { ProgressEvent } from './events.js';
import { runAsset, type AssetSummary } from './run-asset.js';

export interface RunOptions {
  fullRefresh?: boolean;
  intervalStart?: number;
  intervalEnd?: number;
  checkpointPages?: number;
  checkpointSeconds?: number;
  stop?: AbortSignal;
  onEvent?: (e: ProgressEvent) => void;
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

export function clientFor(conn: IntercomConnection): IntercomClient {
  return createIntercomClient({
    accessToken: conn.accessToken,
    region: conn.region,
    baseUrl: conn.baseUrl,
    apiVersion: conn.apiVersion,
    headroom: conn.headroom,
    maxAttempts: conn.maxAttempts,
  });
}

export async function runAssets(project: Pick<Project, 'intercom' | 'destinations'>, assets: AssetConfig[], o: RunOptions = {}): Promise<RunResult> {
  const clients = new Map<string, IntercomClient>();
  const destinations = new Map<string, Destination>();
  const summaries: AssetSummary[] = [];
  try {
    for (const asset of assets) {
      if (o.stop?.aborted) break;
      const conn = project.intercom.get(asset.sourceConnection)!;
      const table = getTable(asset.sourceTable)!;
      let client = clients.get(conn.name);
      if (!client) clients.set(conn.name, (client = clientFor(conn)));
      let dest = destinations.get(asset.destination);
      if (!dest) {
        destinations.set(asset.destination, (dest = await openDestination(project.destinations.get(asset.destination)!)));
      }
      summaries.push(
        await runAsset({
          asset,
          table,
          client,
          destination: dest,
          apiVersion: conn.apiVersion,
          fullRefresh: o.fullRefresh ?? false,
          intervalStart: o.intervalStart,
          intervalEnd: o.intervalEnd,
          checkpointPages: o.checkpointPages,
          checkpointSeconds: o.checkpointSeconds,
          concurrency: conn.concurrency,
          stop: o.stop,
          onEvent: o.onEvent,
        }),
      );
    }
  } finally {
    for (const c of clients.values()) await c.close().catch(() => undefined);
    for (const d of destinations.values()) await d.close().catch(() => undefined);
  }
  return { summaries, ok: summaries.every((s) => s.status === 'ok') };
}
