/**
 * The incremental window of a run (DESIGN.md invariant 3): inclusive lower bound at
 * `cursor - lookback`, upper bound frozen at run start (Intercom's clock minus a settle lag).
 */
import type { Window } from '../core/schema.js';
import type { TableSpec } from '../intercom/tables/spec.js';
import type { AssetState } from '../destinations/types.js';

export interface WindowOptions {
  /** Intercom's clock at run start, unix seconds (from the Date header of GET /me). */
  now: number;
  lookbackSeconds?: number;
  settleSeconds?: number;
  startDate?: number;
  intervalStart?: number;
  intervalEnd?: number;
  fullRefresh: boolean;
}

export interface WindowPlan {
  /** undefined = read everything (non-incremental tables and replace). */
  window?: Window;
  /** The extractor's resume token from an interrupted run with the same window. */
  resume?: unknown;
  /** The cursor to commit when the run completes. */
  nextCursor?: number;
}

export function planWindow(table: TableSpec, incremental: boolean, state: AssetState | undefined, o: WindowOptions): WindowPlan {
  if (!incremental || !table.incrementalKey) return {};
  const prior = o.fullRefresh ? undefined : state;
  const explicit = o.intervalStart !== undefined || o.intervalEnd !== undefined;
  // An interrupted run resumes its own frozen window from its last checkpoint.
  if (!explicit && prior?.inProgress?.window) {
    const w = prior.inProgress.window;
    return { window: w, resume: prior.inProgress.resume, nextCursor: Math.max(prior.cursor ?? w.end, w.end) };
  }
  const end = Math.floor(o.intervalEnd ?? o.now - (o.settleSeconds ?? table.settleSeconds ?? 0));
  const lookback = o.lookbackSeconds ?? table.lookbackSeconds ?? 0;
  const start = Math.max(0, Math.floor(o.intervalStart ?? (prior?.cursor !== undefined ? prior.cursor - lookback : (o.startDate ?? 0))));
  // An explicit interval (a backfill of some range) never moves the cursor.
  const nextCursor = explicit ? prior?.cursor : Math.max(end, prior?.cursor ?? end);
  return { window: { start: Math.min(start, end), end }, nextCursor };
}
