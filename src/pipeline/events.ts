/** Progress events the pipeline emits; the CLI renders them (interactive, log or JSON lines). */
import type { CheckResult } from '../destinations/types.js';
import type { ClientStats } from '../intercom/types.js';
import type { AssetSummary } from './run-asset.js';

export type ProgressEvent =
  | { type: 'asset_start'; asset: string; table: string; window?: { start: number; end: number }; resumed: boolean }
  | { type: 'page'; asset: string; rows: number; pages: number; stats: ClientStats }
  /** After a checkpoint committed: how long its commit took, and how long it waited behind earlier writes. */
  | { type: 'checkpoint'; asset: string; rows: number; pages: number; commitSeconds: number; queuedSeconds: number }
  /** One data check's result, after the asset's final commit (before its asset_end). */
  | ({ type: 'check'; asset: string } & CheckResult)
  | { type: 'asset_end'; asset: string; summary: AssetSummary };
