/**
 * Issue 17, the hostile probe's runtime cases (the file and value cases are in
 * bad-input-cases.ts): a broken `/me`, secrets echoed by Intercom, waits a day long, trickled
 * bodies, signals at awkward moments, loads a killed process left `running`, a reader holding
 * the DuckDB file. probe.test.ts runs each on the destinations listed; docs/reliability.md
 * renders this table.
 */
import type { TargetKind } from './harness.js';

export interface ProbeCase {
  id: string;
  name: string;
  targets: TargetKind[];
  asserted: string;
}

const both: TargetKind[] = ['duckdb', 'postgres'];

export const PROBE_CASES: ProbeCase[] = [
  {
    id: 'me-no-timezone',
    name: '`GET /me` answers without `app.timezone`',
    targets: both,
    asserted: 'exit 1 naming `GET /me` and `app.timezone`; nothing loaded, no cursor',
  },
  { id: 'me-bad-timezone', name: '`GET /me` answers `app.timezone: Mars/Olympus_Mons`', targets: both, asserted: 'exit 1 naming `/me`, the zone and "IANA"' },
  {
    id: 'token-echo',
    name: 'a 401 on the search whose message echoes `Bearer <token>`',
    targets: both,
    asserted: 'exit 1; the token in no output and not in `_elt_loads.error` (stored `[redacted]`)',
  },
  {
    id: 'retry-after-day',
    name: 'a 429 with `Retry-After: 86400` and `X-RateLimit-Reset` a day ahead, then SIGTERM',
    targets: both,
    asserted: 'a `wait` event of 120 s (the cap), not a day; SIGTERM ends the wait: exit 2 within 5 s, the load `interrupted`',
  },
  {
    id: 'two-signals',
    name: 'the same wait, then SIGTERM twice',
    targets: both,
    asserted: 'exit 2; after the next run no load is `running`; the rerun equals the export',
  },
  {
    id: 'trickle-deadline',
    name: 'a search page trickled 64 B every 0.5 s, `request_timeout_seconds: 2`, `max_attempts: 2`',
    targets: both,
    asserted: 'exit 1 within 30 s naming `request_timeout_seconds`',
  },
  { id: 'trickle-sigterm', name: 'the same trickle at the default deadline, then SIGTERM', targets: both, asserted: 'exit 2 within 5 s' },
  {
    id: 'interrupt-replace',
    name: 'SIGINT while a replace run waits for page 2',
    targets: both,
    asserted: '`_elt_loads`: `interrupted`, 0 rows, "nothing of this run was committed"',
  },
  {
    id: 'interrupt-merge',
    name: 'SIGINT while a merge run waits for page 2 (no checkpoint yet)',
    targets: both,
    asserted: 'exit 2 within 5 s; page 1 committed with its resume state; `_elt_loads`: 150 rows, "150 rows were committed"',
  },
  {
    id: 'sigterm-before-start',
    name: 'SIGTERM before any asset starts (crash point `run-start:1:SIGTERM`)',
    targets: both,
    asserted: 'exit 2, the SIGTERM line, the asset listed `interrupted` "before it started"',
  },
  {
    id: 'abandoned',
    name: '`kill -9` right after a checkpoint leaves a load `running`',
    // Snowflake: the lock is a lease, which must expire before the next run may take it
    targets: [...both, 'snowflake'],
    asserted: 'the next run (on Snowflake once the lease expired) marks it `abandoned` with `finished_at`; `state show` says `abandoned`',
  },
  {
    id: 'lock-holder-not-abandoned',
    name: 'a second run while the first holds the asset lock',
    targets: both,
    asserted: "the second exits 1 on the lock; the first's load stays `running` until it ends",
  },
  {
    id: 'read-only-reader',
    name: '`state show` and `list` while another process holds the DuckDB file read-only',
    targets: ['duckdb'],
    asserted: 'both exit 0 and show the asset (the file is opened read-only)',
  },
];

export const probeTargets = (id: string): TargetKind[] => PROBE_CASES.find((c) => c.id === id)!.targets;
