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
 * happens when the variable is unset; docs/reliability.md lists what each point proves.
 */
export const CRASH_POINTS = ['append', 'copy', 'before-state', 'before-commit', 'after-commit', 'swap', 'run-start'] as const;
export type CrashPointName = (typeof CRASH_POINTS)[number];

const spec = /^([a-z-]+)(?::(\d+))?(?::(SIG[A-Z]+))?$/.exec(process.env['INTERCOM_ELT_CRASH_AT'] ?? '');
const target = spec?.[1];
let left = Number(spec?.[2] ?? 1);
const signal = (spec?.[3] ?? 'SIGKILL') as NodeJS.Signals;

export function crashPoint(name: CrashPointName): void {
  if (name !== target || --left > 0) return;
  process.kill(process.pid, signal);
}
