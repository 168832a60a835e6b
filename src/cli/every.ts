/**
 * `ingest --every 15m`: run, sleep until the next slot of the interval, run again — a sync that
 * schedules itself, without cron or an orchestrator. Runs never overlap (the next starts after
 * the previous ended, at the next slot still ahead). A failed run is reported and the loop goes
 * on; configuration and authentication errors stop it (exit 1). SIGINT/SIGTERM during a run
 * stop it at its next checkpoint as always (exit 2); during the sleep the loop ends at once (exit 0).
 */
import { randomUUID } from 'node:crypto';
import { ChecksFailedError, ConfigError, EltError, IntercomHttpError, InterruptedError } from '../core/errors.js';
import { parseDuration } from '../config/index.js';
import type { RunResult } from '../pipeline/run.js';
import type { Output } from './render.js';

/** Jitter after each slot: up to a tenth of the interval, at most 30 s, so many instances do not start at once. */
export const MAX_JITTER_MS = 30_000;

/**
 * When the next run starts: the next multiple of the interval (since the Unix epoch, so
 * `--every 1h` runs on the hour) after `nowMs`, plus a random jitter. Pure: clock and randomness are arguments.
 */
export function nextSlot(nowMs: number, intervalMs: number, random: number): number {
  const slot = (Math.floor(nowMs / intervalMs) + 1) * intervalMs;
  return slot + Math.floor(random * Math.min(intervalMs / 10, MAX_JITTER_MS));
}

/** Resolves true at `wakeMs`, or false at once when `stop` is aborted first. */
function sleepUntil(wakeMs: number, stop?: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (stop?.aborted) return resolve(false);
    const done = (slept: boolean): void => {
      clearTimeout(timer);
      stop?.removeEventListener('abort', onAbort);
      resolve(slept);
    };
    const onAbort = (): void => done(false);
    const timer = setTimeout(() => done(true), Math.max(0, wakeMs - Date.now()));
    stop?.addEventListener('abort', onAbort, { once: true });
  });
}

/** An error no later run can get past: a bad configuration or a token Intercom refuses. */
function isFatal(err: unknown): boolean {
  return (
    err instanceof ConfigError || (err instanceof IntercomHttpError && err.status === 401) || (err instanceof EltError && err.code === 'token_rejected') // ingest's one GET /me per connection before the run
  );
}

/** The flags of `ingest` that the schedule reads. */
export interface EveryFlags {
  every?: string | number;
  maxRuns?: string | number;
  fullRefresh?: boolean;
  intervalStart?: string;
  intervalEnd?: string;
  progress?: string | string[];
}

/** One run of `ingest` (with its run id, carried by its JSON events): the summaries and the error it ends with. */
export type IngestRun = (runId: string) => Promise<RunResult & { failure?: EltError }>;

/** The validated schedule of `--every` / `--max-runs`, or undefined when neither is given. */
export function scheduleOf(f: EveryFlags): { intervalMs: number; maxRuns?: number } | undefined {
  if (f.every === undefined) {
    if (f.maxRuns !== undefined) throw new ConfigError('--max-runs', 'value', 'only applies with --every (e.g. --every 15m --max-runs 4)');
    return undefined;
  }
  // one-off flags would repeat at every run: a full reload, or the same fixed window, every slot
  if (f.fullRefresh)
    throw new ConfigError('--every', 'value', 'cannot repeat --full-refresh; run `intercom-elt ingest --full-refresh` once, then schedule without it');
  for (const [flag, v] of [
    ['--interval-start', f.intervalStart],
    ['--interval-end', f.intervalEnd],
  ] as const) {
    if (v !== undefined) throw new ConfigError('--every', 'value', `cannot repeat the fixed window of ${flag}; backfill it once without --every`);
  }
  const seconds = parseDuration(typeof f.every === 'number' ? f.every : String(f.every), '--every', 'value');
  if (seconds < 1) throw new ConfigError('--every', 'value', 'must be at least 1s');
  let maxRuns: number | undefined;
  if (f.maxRuns !== undefined) {
    maxRuns = Number(f.maxRuns);
    if (!Number.isInteger(maxRuns) || maxRuns < 1) throw new ConfigError('--max-runs', 'value', `'${f.maxRuns}' is not a whole number above 0`);
  }
  return { intervalMs: seconds * 1000, ...(maxRuns !== undefined && { maxRuns }) };
}

/** Run `ingest` on the schedule; resolves to the exit code. */
export async function ingestEvery(
  ingestOnce: IngestRun,
  f: EveryFlags,
  schedule: { intervalMs: number; maxRuns?: number },
  o: Output,
  stop?: AbortSignal,
  random: () => number = Math.random,
): Promise<number> {
  const json = f.progress === 'json';
  let lastOk = true;
  for (let run = 1; ; run++) {
    const runId = randomUUID();
    let result: Awaited<ReturnType<IngestRun>> | undefined;
    try {
      result = await ingestOnce(runId);
    } catch (err) {
      // a bug is not a condition: crash as a single run would
      if (isFatal(err) || !(err instanceof EltError)) throw err;
      // a destination that is down, a network failure: this run failed, the next may not
      const message = (err instanceof Error ? err.message : String(err)).split('\n')[0];
      o.err(`error: run ${run} failed: ${message}`);
      if (json) o.out(JSON.stringify({ ts: new Date().toISOString(), type: 'run_failed', runId, run, error: err.toJSON() }));
    }
    if (result) {
      const fatal = result.summaries.map((s) => s.error).find(isFatal);
      if (fatal) throw fatal;
      // interrupted: main prints the one `error:` line and exits 2; a failed run: its line, and the loop goes on
      if (result.failure instanceof InterruptedError) throw result.failure;
      if (result.failure && !(result.failure instanceof ChecksFailedError)) o.err(`error: run ${run}: ${result.failure.message}`);
      lastOk = result.ok;
    } else {
      lastOk = false;
    }
    if (stop?.aborted) return 0;
    if (schedule.maxRuns !== undefined && run >= schedule.maxRuns) return lastOk ? 0 : 1;
    const wake = nextSlot(Date.now(), schedule.intervalMs, random());
    const at = new Date(wake).toISOString();
    if (json) o.out(JSON.stringify({ ts: new Date().toISOString(), type: 'sleep', runId, run, next: at }));
    else o.err(`run ${run} ${result?.ok ? 'ok' : 'failed'}; next run at ${at}`);
    if (!(await sleepUntil(wake, stop))) return 0;
  }
}
