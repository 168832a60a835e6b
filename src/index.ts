/** The package entry (`import { ingest, check } from 'intercom-elt'`): re-exports only. See docs/api.md. */
export { ingest, check, type IngestOptions, type CheckOptions, type ProjectOptions } from './api.js';
export type { RunResult } from './pipeline/run.js';
export type { AssetSummary } from './pipeline/events.js';
export type { ProgressEvent } from './pipeline/events.js';
export type { CheckResult, CheckRow, CheckStatus } from './cli/preflight.js';
export { EltError, ConfigError, DestinationError, IntercomHttpError, InterruptedError } from './core/errors.js';
