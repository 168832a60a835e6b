/**
 * Crash points: the reliability suite's way to kill this process at an exact moment that a
 * random `kill -9` from outside would hit only by luck (between the rows and the state write of
 * one transaction, in the middle of a COPY, between the statements of a replace swap).
 *
 *   INTERCOM_ELT_CRASH_AT=<point>[:<n>][:<SIGNAL>]   SIGKILL (or SIGNAL, e.g. SIGTERM) this process
 *                                                    the n-th time (default 1st) it reaches <point>
 *
 * Points: `append` (a batch staged, not committed), `copy` (Postgres: a binary COPY half sent), `before-state` (a
 * checkpoint's rows are in the open transaction, its state not yet), `before-commit` (rows and
 * state written, COMMIT not sent), `after-commit`, `swap` (a replace swap half done), `run-start`
 * (an `ingest` began, before its configuration is read: a signal there comes before any asset starts). Nothing
 * happens when the variable is unset; docs/reliability.md lists what each point proves. The
 * variable is read when the process first reaches a crash point, not when this module loads.
 */
export const CRASH_POINTS = ['append', 'copy', 'before-state', 'before-commit', 'after-commit', 'swap', 'run-start'] as const;
export type CrashPointName = (typeof CRASH_POINTS)[number];

interface Armed {
  target?: string;
  /** Reaches of `target` left before the signal. */
  left: number;
  signal: NodeJS.Signals;
}

let armed: Armed | undefined;

function arm(): Armed {
  const spec = /^([a-z-]+)(?::(\d+))?(?::(SIG[A-Z]+))?$/.exec(process.env['INTERCOM_ELT_CRASH_AT'] ?? '');
  return { target: spec?.[1], left: Number(spec?.[2] ?? 1), signal: (spec?.[3] ?? 'SIGKILL') as NodeJS.Signals };
}

export function crashPoint(name: CrashPointName): void {
  const a = (armed ??= arm());
  if (name !== a.target || --a.left > 0) return;
  process.kill(process.pid, a.signal);
}
