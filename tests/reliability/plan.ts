/**
 * What the reliability suite tries, declared once: the tests read it, and docs/reliability.md is
 * rendered from it (tests/reliability/report.ts), so the page states exactly what CI proves.
 */
import { ALL_FAULT_KINDS, type FaultKind, type FaultRule } from '../../src/fake-intercom/index.js';
import type { CrashPointName } from '../../src/core/crash-point.js';
import type { TargetKind } from './harness.js';

/** Assets every fault and kill run loads: search, scroll, fan-out, replace and their relation tables. */
export const RUN_ASSETS = ['contacts', 'companies', 'conversations', 'tickets', 'tags'] as const;

export const FAULTS = {
  rate: 0.05,
  kinds: ALL_FAULT_KINDS as readonly FaultKind[],
  /** One seed per destination: the faults are Intercom's, the rows land in each kind of warehouse. */
  seeds: [
    { seed: 1, target: 'duckdb' },
    { seed: 2, target: 'postgres' },
    { seed: 3, target: 'snowflake' },
  ] as Array<{ seed: number; target: TargetKind }>,
  /** Client timeout (connections.yml `timeout_seconds`): a hung response is abandoned after it. */
  timeoutSeconds: 1,
  /**
   * The list/scroll threshold lowered (INTERCOM_ELT_COMPANIES_LIST_LIMIT) so the workspace's
   * companies are read through the scroll API: a 10,000-company scroll is 200 pages, and at 5%
   * faults no client can finish 200 pages without a restart-forcing fault.
   */
  companiesListLimit: 100,
  workspace: { contacts: 1000, companies: 1500, conversations: 400, tickets: 60 },
  /** The run where the malformed-response kinds (MALFORMED_PASSING) pass on every path they fit, companies through the list. */
  malformedSeed: 5,
  /**
   * The scroll on its own (one asset: its requests go one after another, so a seed gives the same
   * faults every run): 5% of its requests fail with the faults a scroll meets, and it must finish.
   */
  scroll: {
    seed: 6,
    companiesCreated: 3000,
    kinds: ['scroll_expire', 'scroll_restart', 'truncated_json', 'connection_reset', 'hang', 'http_503'] as FaultKind[],
  },
};

/**
 * Responses that cannot be right (issue #17), each a fault rule of the fake that persists: after a
 * first complete run the records change, the rule is set and the asset runs again. It must exit 1
 * naming the malformed response, keep its cursor, load no NULL-key row and mark nothing deleted;
 * with the rule removed a rerun equals the export. The same kinds, passing (`times`), join the
 * fault runs above, which must end equal to the export.
 */
export interface MalformedCase {
  asset: (typeof RUN_ASSETS)[number];
  rule: FaultRule;
  what: string;
  /** The line the failed run must print. */
  message: RegExp;
}

const MALFORMED_PAGE = /malformed response/;
const NOT_INTERCOM_404 = /404 without Intercom's error body/;

export const MALFORMED: MalformedCase[] = [
  {
    asset: 'contacts',
    rule: { kind: 'empty_page', path: '/contacts/search', after: 1 },
    message: MALFORMED_PAGE,
    what: 'page 2 of the contacts search: 200, empty, no next page, its total_count says 400',
  },
  {
    asset: 'conversations',
    rule: { kind: 'empty_page', path: '/conversations/search' },
    message: MALFORMED_PAGE,
    what: 'the conversations search: 200, empty, no next page, its total_count says 40',
  },
  {
    asset: 'tickets',
    rule: { kind: 'empty_page', path: '/tickets/search' },
    message: MALFORMED_PAGE,
    what: 'the tickets search: 200, empty, no next page, its total_count says 20',
  },
  {
    asset: 'companies',
    rule: { kind: 'empty_page', path: '/companies/list' },
    message: MALFORMED_PAGE,
    what: 'the companies list: 200, empty, no next page, its total_count says more',
  },
  {
    asset: 'contacts',
    rule: { kind: 'missing_id', path: '/contacts/search', after: 1 },
    message: MALFORMED_PAGE,
    what: 'page 2 of the contacts search: one record without `id`, one with `id: null`',
  },
  {
    asset: 'conversations',
    rule: { kind: 'empty_object', path: '/conversations/', after: 3 },
    message: MALFORMED_PAGE,
    what: '`GET /conversations/{id}` answers 200 `{}`',
  },
  { asset: 'tickets', rule: { kind: 'empty_object', path: '/tickets/', after: 3 }, message: MALFORMED_PAGE, what: '`GET /tickets/{id}` answers 200 `{}`' },
  {
    asset: 'conversations',
    rule: { kind: 'html_404', path: '/conversations/', after: 3 },
    message: NOT_INTERCOM_404,
    what: "`GET /conversations/{id}` answers a plain HTML 404, not Intercom's `error.list`",
  },
  {
    asset: 'tickets',
    rule: { kind: 'html_404', path: '/tickets/', after: 3 },
    message: NOT_INTERCOM_404,
    what: "`GET /tickets/{id}` answers a plain HTML 404, not Intercom's `error.list`",
  },
];
/** The same faults passing (each twice, then healthy answers) in one run of every asset: retried, exit 0, equal to the export. */
export const MALFORMED_PASSING: FaultRule[] = MALFORMED.map((c) => ({ ...c.rule, times: 2 }));
export const MALFORMED_WORKSPACE = { seed: 53, contacts: 400, companies: 30, conversations: 40, tickets: 20 };
export const MALFORMED_TARGETS: TargetKind[] = ['duckdb', 'postgres'];
/** `max_attempts` of the malformed runs: the persisting fault fails the asset after this many tries. */
export const MALFORMED_MAX_ATTEMPTS = 3;

/**
 * Values a naive JSON path loses or mixes up (issue #17): loaded through the CLI into each
 * destination with typed custom-attribute columns on. Rendered in docs/reliability.md.
 */
export const VALUE_CASES = [
  {
    name: 'beyond-2^53',
    what: 'custom attributes `9007199254740993`, `-9007199254740993` and a 30-digit integer: the JSON column keeps every digit; the typed integer column holds `9007199254740993` exactly',
  },
  {
    name: 'deep-100000',
    what: "a custom attribute nested 100,000 levels deep: DuckDB and the suite's Snowflake hold it complete in the JSON column; Postgres (jsonb parsing recurses) fails the run naming the depth limit, the cursor kept; never NULL",
  },
  {
    name: 'column-collision',
    what: 'a top-level field `ca_plan_tier` beside the custom attribute `plan_tier` (typed column `ca_plan_tier`): exit 1 naming both, the cursor kept, the typed column untouched',
  },
];
export const VALUE_TARGETS: TargetKind[] = ['duckdb', 'postgres', 'snowflake'];
export const DEEP_VALUE_LEVELS = 100_000;
/** Where the deep value cannot be stored, the line the failed run prints (elsewhere it lands complete). */
export const DEEP_VALUE_FAILS: Partial<Record<TargetKind, RegExp>> = { postgres: /nested deeper than this server parses.*stack depth limit exceeded/ };

/** A kill: a crash point inside the process (an exact moment), or `kill -9` from outside after the n-th progress event. */
export interface Kill {
  target: TargetKind;
  /** `INTERCOM_ELT_CRASH_AT=<point>:<n>` */
  point?: { name: CrashPointName; n: number };
  /** SIGKILL from the test right after this many JSON progress events of the run. */
  afterEvents?: number;
  what: string;
}

export const KILLS: Kill[] = [
  // DuckDB
  { target: 'duckdb', point: { name: 'append', n: 3 }, what: 'a batch staged, not committed' },
  { target: 'duckdb', point: { name: 'before-state', n: 2 }, what: 'between the rows and the state write (one transaction)' },
  { target: 'duckdb', point: { name: 'before-commit', n: 3 }, what: 'rows and state written, COMMIT not sent' },
  { target: 'duckdb', point: { name: 'after-commit', n: 4 }, what: 'right after a checkpoint committed' },
  { target: 'duckdb', point: { name: 'swap', n: 1 }, what: 'during the replace swap of a table that exists (DROP done, RENAME not)' },
  { target: 'duckdb', afterEvents: 3, what: 'kill -9 early in extraction' },
  { target: 'duckdb', afterEvents: 9, what: 'kill -9 mid-run' },
  { target: 'duckdb', afterEvents: 16, what: 'kill -9 late in the run' },
  // Postgres
  { target: 'postgres', point: { name: 'copy', n: 2 }, what: 'a binary COPY half sent' },
  { target: 'postgres', point: { name: 'append', n: 5 }, what: 'a batch staged, not committed' },
  { target: 'postgres', point: { name: 'before-state', n: 3 }, what: 'between the rows and the state write (one transaction)' },
  { target: 'postgres', point: { name: 'before-commit', n: 2 }, what: 'rows and state written, COMMIT not sent' },
  { target: 'postgres', point: { name: 'swap', n: 1 }, what: 'during the replace swap of a table that exists (DROP done, RENAME not)' },
  { target: 'postgres', afterEvents: 5, what: 'kill -9 early in extraction' },
  { target: 'postgres', afterEvents: 12, what: 'kill -9 mid-run' },
  // Snowflake (real snowflake-sdk, fake Snowflake)
  { target: 'snowflake', point: { name: 'append', n: 2 }, what: 'a batch staged (PUT + COPY done), not merged' },
  { target: 'snowflake', point: { name: 'before-state', n: 2 }, what: 'between the MERGE and the state write (one transaction)' },
  { target: 'snowflake', point: { name: 'before-commit', n: 1 }, what: 'rows, state and lease renewal written, COMMIT not sent' },
  { target: 'snowflake', point: { name: 'swap', n: 2 }, what: 'between the SWAP (DDL: it commits) and the state write' },
  { target: 'snowflake', afterEvents: 10, what: 'kill -9 mid-run' },
];

/** The workspace the kill runs load (not mutated: whatever a kill leaves, the rerun must reach the export). */
export const KILL_WORKSPACE = { seed: 41, contacts: 600, companies: 60, conversations: 50, tickets: 20 };
/** Checkpoint every page in the kill runs, so a kill falls between many commits. */
export const KILL_CHECKPOINT_PAGES = 1;
/** Snowflake `lock_lease_seconds` in the kill runs: the lease a killed run leaves must expire before the rerun. */
export const KILL_SNOWFLAKE_LEASE_SECONDS = 3;

/**
 * Kills during a sliced search read (issue 18): contacts (16 pages), conversations (10) and
 * tickets (9), big enough to be read in parallel time slices (the default `search_slices`),
 * SIGKILL after a number of progress events drawn at random once (and after the first committed
 * checkpoint), checkpoints every page.
 */
export const SLICED_KILLS = {
  workspace: { seed: 53, contacts: 2400, companies: 5, conversations: 1500, tickets: 1300 },
  assets: ['contacts', 'conversations', 'tickets'] as const,
  afterEvents: [6, 13, 22, 31],
};

/** The signal runs: a workspace big enough to be mid-run when the signal comes, after this many contacts pages. */
export const SIGNAL_WORKSPACE = { seed: 43, contacts: 2400, companies: 40, conversations: 60, tickets: 10 };
export const SIGNAL_AFTER_EVENTS = 3;

export const SIGNALS: Array<{ signal: 'SIGINT' | 'SIGTERM'; target: TargetKind }> = [
  { signal: 'SIGINT', target: 'duckdb' },
  { signal: 'SIGTERM', target: 'postgres' },
  { signal: 'SIGTERM', target: 'snowflake' },
];

/** Two processes on one asset: what the second must say. */
export const CONCURRENCY = {
  workspace: { seed: 47, contacts: 3000, companies: 20, conversations: 10, tickets: 5 },
  /** Per-request latency of the fake, so the first run is still loading when the second starts. */
  latencyMs: 400,
  /** One search chain (20 pages at 400 ms): parallel slices would finish the first run before the second is up. */
  searchSlices: 1,
  cases: [
    { target: 'duckdb', message: /warehouse\.duckdb.*(in use|lock)/i },
    { target: 'postgres', message: /another run of intercom\.contacts holds the lock/ },
    { target: 'snowflake', message: /asset intercom\.contacts is locked by .* until/ },
  ] as Array<{ target: TargetKind; message: RegExp }>,
};
