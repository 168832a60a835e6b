/** Progress events the pipeline emits; the CLI renders them (interactive, log or JSON lines). */
import type { CheckResult } from '../destinations/types.js';
import type { ClientStats } from '../intercom/types.js';
import type { AssetSummary } from './run-asset.js';

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
