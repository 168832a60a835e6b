/** What the pipeline reports: progress events (the CLI renders them: interactive, log or JSON lines) and each asset's summary. */
import type { EltError } from '../core/errors.js';
import type { CheckResult } from '../destinations/types.js';
import type { ClientStats } from '../intercom/types.js';

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

export type ProgressEvent =
  | { type: 'asset_start'; asset: string; table: string; window?: { start: number; end: number }; resumed: boolean }
  /** `total`: the records the read will reach, when Intercom says (a search's total_count). */
  | { type: 'page'; asset: string; rows: number; pages: number; stats: ClientStats; total?: number }
  /** After a checkpoint committed: how long its commit took, and how long it waited behind earlier writes. */
  | { type: 'checkpoint'; asset: string; rows: number; pages: number; commitSeconds: number; queuedSeconds: number }
  /** One data check's result, after the asset's final commit (before its asset_end). */
  | ({ type: 'check'; asset: string } & CheckResult)
  | { type: 'asset_end'; asset: string; summary: AssetSummary }
  /** A request waits before its retry (a 429's reset, Retry-After, a backoff) for at least a few seconds. */
  | { type: 'wait'; asset: string; seconds: number; method: string; path: string; reason: string };
