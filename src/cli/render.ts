/** Everything the CLI prints: progress (interactive, log, JSON lines; the `--progress` mode), the run summary and the error a run ends with, errors. */
import type { AssetSummary, ProgressEvent } from '../pipeline/events.js';
import { isBlockingFailure } from '../pipeline/run-asset.js';
import type { RunResult } from '../pipeline/run.js';
import type { CheckResult } from '../destinations/types.js';
import { ChecksFailedError, ConfigError, EltError, InterruptedError } from '../core/errors.js';

export type ProgressMode = 'interactive' | 'log' | 'json';

const PROGRESS_MODES: readonly ProgressMode[] = ['interactive', 'log', 'json'];

/** `--progress` of ingest and demo: one of the three modes, never a silent fallback; given twice, the last one counts. */
export function progressMode(given: string | string[] | undefined): ProgressMode {
  const v = Array.isArray(given) ? given.at(-1) : given;
  if (v === undefined) return 'interactive';
  if (!PROGRESS_MODES.includes(v as ProgressMode)) throw new ConfigError('--progress', 'value', `'${v}' is not one of ${PROGRESS_MODES.join(', ')}`);
  return v as ProgressMode;
}

export interface Output {
  out(line: string): void;
  err(line: string): void;
  isTTY: boolean;
}

/** Replaces every known secret (tokens, passwords) in text: defence in depth behind typed errors. */
export function makeRedactor(secrets: Iterable<string | undefined>): (s: string) => string {
  const list = [...secrets].filter((s): s is string => typeof s === 'string' && s.length >= 4).sort((a, b) => b.length - a.length);
  return (s) => list.reduce((acc, secret) => acc.split(secret).join('[redacted]'), s);
}

const fmt = (n: number) => n.toLocaleString('en-US');

export function summaryTable(summaries: AssetSummary[]): string[] {
  // a checks column (passed/run) only when some asset has checks
  const withChecks = summaries.some((s) => s.checks !== undefined);
  const header = ['asset', 'status', 'rows', 'requests', 'retries', '429s', 'seconds', 'rows/s', ...(withChecks ? ['checks'] : [])];
  const rows = summaries.map((s) => [
    s.asset,
    s.status,
    fmt(s.rows),
    fmt(s.requests),
    fmt(s.retries),
    fmt(s.rateLimited),
    s.seconds.toFixed(1),
    fmt(Math.round(s.rows / Math.max(s.seconds, 0.001))),
    ...(withChecks ? [s.checks ? `${s.checks.filter((c) => c.status === 'passed').length}/${s.checks.length}` : '-'] : []),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 || i === 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  const out = [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)];
  for (const s of summaries) {
    const extra = Object.entries(s.counters).filter(([, v]) => v > 0);
    if (extra.length) out.push(`${s.asset}: ${extra.map(([k, v]) => `${k}=${fmt(v)}`).join(', ')}`);
    if (s.error) out.push(`${s.asset}: failed: ${s.error.message}`);
  }
  return out;
}

/** `intercom.tags: column name: accepted_values failed: 3 offending rows` — one line naming the asset, column and check. */
export function checkLine(asset: string, c: CheckResult): string {
  const what = c.column !== undefined ? `column ${c.column}: ${c.check}` : `custom check ${JSON.stringify(c.check)}`;
  return `${asset}: ${what} ${c.status === 'error' ? 'could not run' : c.status}: ${c.message}`;
}

/** The checks that did not pass: `error:` lines for blocking ones (exit 1), `warning:` lines for the others. */
export function checkFailureLines(summaries: AssetSummary[]): string[] {
  return summaries.flatMap((s) =>
    (s.checks ?? [])
      .filter((c) => c.status !== 'passed')
      .map((c) => `${isBlockingFailure(c) ? 'error' : 'warning'}: ${checkLine(s.asset, c)}${c.blocking ? '' : ' (non-blocking)'}`),
  );
}

/**
 * What a run prints when it is over (the summary table, or the `end` JSON line) and the error it
 * ends with, if any. `hint` (a ready-to-paste `query` line) follows the table when an asset loaded.
 */
export function endRun(
  result: RunResult,
  mode: ProgressMode,
  o: Output,
  redact: (s: string) => string,
  hint?: string,
  runId?: string,
): RunResult & { failure?: EltError } {
  if (mode === 'json') {
    o.out(
      redact(
        JSON.stringify({ ts: new Date().toISOString(), ...(runId !== undefined && { runId }), type: 'end', ok: result.ok, assets: result.summaries.length }),
      ),
    );
  } else {
    for (const line of summaryTable(result.summaries)) o.out(redact(line));
    if (hint && result.summaries.some((s) => s.status === 'ok')) o.out(`\n${redact(hint)}`);
  }
  for (const line of checkFailureLines(result.summaries)) o.err(redact(line));
  return { ...result, failure: runFailure(result, redact) };
}

/**
 * The error a finished run ends with, printed as the one `error:` line (docs/commands.md, exit
 * codes): interrupted → exit 2, an asset failed → exit 1, nothing for a clean run.
 */
export function runFailure(result: RunResult, redact: (s: string) => string = (s) => s): EltError | undefined {
  const interrupted = result.summaries.find((s) => s.status === 'interrupted');
  if (interrupted) return interrupted.error instanceof InterruptedError ? interrupted.error : new InterruptedError('signal');
  if (result.ok) return undefined;
  const failed = result.summaries.filter((s) => s.status !== 'ok');
  const first = failed[0];
  if (!first) {
    const checks = result.summaries.flatMap((s) => s.checks ?? []).filter(isBlockingFailure).length;
    if (checks > 0) return new ChecksFailedError(checks);
    return new EltError('load_failed', 'the run stopped before every asset was loaded');
  }
  const more = failed.length > 1 ? ` (and ${failed.length - 1} more failed asset(s) above)` : '';
  return new EltError('load_failed', redact(`${first.asset} failed: ${first.error?.message.split('\n')[0] ?? 'unknown error'}${more}`));
}

/** A progress renderer for one run; `fields` go into every JSON event (the run id of an `--every` run). */
export function progressRenderer(
  mode: ProgressMode,
  o: Output,
  redact: (s: string) => string,
  fields: Record<string, unknown> = {},
): { onEvent(e: ProgressEvent): void; close(): void } {
  const effective: ProgressMode = mode === 'interactive' && !o.isTTY ? 'log' : mode;
  if (effective === 'json') {
    return {
      onEvent(e) {
        const payload =
          e.type === 'asset_end'
            ? { type: e.type, asset: e.asset, summary: { ...e.summary, error: e.summary.error ? errorJson(e.summary.error) : undefined } }
            : e;
        o.out(redact(JSON.stringify({ ts: new Date().toISOString(), ...fields, ...payload })));
      },
      close() {},
    };
  }
  let lastLog = 0;
  const interactive = effective === 'interactive';
  // interactive: one live line per running asset, redrawn in place below the finished lines
  const live = new Map<string, { started: number; page?: Extract<ProgressEvent, { type: 'page' }> }>();
  const started = new Map<string, number>();
  let drawn = 0;
  const clear = () => {
    if (!interactive || drawn === 0) return;
    process.stderr.write(`\x1b[${drawn}F\x1b[J`);
    drawn = 0;
  };
  const draw = () => {
    if (!interactive) return;
    clear();
    const width = process.stderr.columns ?? 120;
    for (const [asset, l] of live) process.stderr.write(`${liveLine(asset, l.page, Date.now() - l.started).slice(0, width - 1)}\n`);
    drawn = live.size;
  };
  // Every other stderr line (the SIGINT notice, a warning) goes above the live lines and stays
  // there: printed below them, the next redraw would erase it. Restored by close().
  const printErr = o.err;
  const onExit = () => clear(); // a second Ctrl-C exits at once: leave no live line behind
  let ticker: NodeJS.Timeout | undefined;
  if (interactive) {
    o.err = (line) => {
      clear();
      printErr(line);
      draw();
    };
    process.once('exit', onExit);
    // elapsed time moves while a page is slow or the rate limit waits
    ticker = setInterval(draw, 1000);
    ticker.unref();
  }
  return {
    onEvent(e) {
      if (e.type === 'asset_start') {
        started.set(e.asset, Date.now());
        const w = e.window ? ` window ${iso(e.window.start)} .. ${iso(e.window.end)}${e.resumed ? ' (resuming)' : ''}` : ' full read';
        live.set(e.asset, { started: Date.now() });
        o.err(`${e.asset}: started,${w}`);
      } else if (e.type === 'page') {
        if (interactive) {
          live.set(e.asset, { started: started.get(e.asset) ?? Date.now(), page: e });
          draw();
        } else if (Date.now() - lastLog > 5000) {
          lastLog = Date.now();
          o.err(liveLine(e.asset, e, Date.now() - (started.get(e.asset) ?? Date.now())));
        }
      } else if (e.type === 'checkpoint' && effective === 'log') {
        // commits run behind the fetching; a slow one shows here, not as a stalled request rate
        o.err(
          `${e.asset}: checkpoint at ${fmt(e.rows)} rows, committed in ${e.commitSeconds.toFixed(1)} s` +
            (e.queuedSeconds >= 0.5 ? ` after ${e.queuedSeconds.toFixed(1)} s behind earlier writes` : ''),
        );
      } else if (e.type === 'check' && effective === 'log') {
        o.err(redact(checkLine(e.asset, e)));
      } else if (e.type === 'wait') {
        // o.err prints above the live lines (interactive) and redraws them
        o.err(redact(`${e.asset}: waiting ${e.seconds} s before retrying ${e.method} ${e.path} (${e.reason})`));
      } else if (e.type === 'asset_end') {
        live.delete(e.asset);
        const s = e.summary;
        o.err(redact(`${e.asset}: ${s.status}, ${fmt(s.rows)} rows in ${s.seconds.toFixed(1)} s` + (s.error ? `: ${s.error.message}` : '')));
      }
    },
    close() {
      if (!interactive) return;
      clearInterval(ticker);
      process.removeListener('exit', onExit);
      live.clear();
      clear();
      o.err = printErr;
    },
  };
}

/** `intercom.contacts: 1,500 rows of ~3,000 (50%), 10 pages, 21 requests (7/s), 0:03 elapsed, budget …`. */
function liveLine(asset: string, e: Extract<ProgressEvent, { type: 'page' }> | undefined, elapsedMs: number): string {
  const elapsed = `${clock(elapsedMs)} elapsed`;
  if (!e) return `${asset}: starting, ${elapsed}`;
  const secs = Math.max(elapsedMs / 1000, 0.001);
  const rows =
    `${fmt(e.rows)} rows` + (e.total !== undefined && e.total > 0 ? ` of ~${fmt(e.total)} (${Math.min(100, Math.floor((e.rows / e.total) * 100))}%)` : '');
  return (
    `${asset}: ${rows}, ${fmt(e.pages)} pages, ${fmt(e.stats.requests)} requests (${fmt(Math.round(e.stats.requests / secs))}/s), ${elapsed}` +
    (e.stats.budgetRemaining !== undefined ? `, budget ${e.stats.budgetRemaining}/${e.stats.budgetLimit} this window` : '')
  );
}

/** Milliseconds as `m:ss` (or `h:mm:ss`). */
function clock(ms: number): string {
  const t = Math.floor(ms / 1000);
  const [h, m, sec] = [Math.floor(t / 3600), Math.floor((t % 3600) / 60), t % 60];
  const pad = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${pad(m)}:${pad(sec)}` : `${m}:${pad(sec)}`;
}

function iso(ts: number): string {
  return new Date(ts * 1000).toISOString().replace('.000Z', 'Z');
}

export function errorJson(err: unknown): Record<string, unknown> {
  if (err instanceof EltError) return err.toJSON();
  return { name: 'Error', code: 'internal', message: (err as Error)?.message ?? String(err) };
}
