/**
 * docs/reliability.md, rendered from what the reliability suite declares (plan.ts and the case
 * tables), so the page lists exactly what CI runs and asserts. `tests/reliability/doc.test.ts`
 * fails when the committed page differs; regenerate with `npx tsx tests/reliability/report.ts`.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CRASH_POINTS } from '../../src/core/crash-point.js';
import { BAD_INPUT_CASES } from './bad-input-cases.js';
import { TARGETS } from './harness.js';
import { HOSTILE_CASES } from './hostile-cases.js';
import { PROBE_CASES } from './probe-cases.js';
import {
  CONCURRENCY,
  FAULTS,
  KILL_CHECKPOINT_PAGES,
  KILL_WORKSPACE,
  KILLS,
  MALFORMED,
  MALFORMED_MAX_ATTEMPTS,
  MALFORMED_TARGETS,
  MALFORMED_WORKSPACE,
  RUN_ASSETS,
  SIGNAL_AFTER_EVENTS,
  SIGNALS,
  SLICED_KILLS,
  VALUE_CASES,
  VALUE_TARGETS,
} from './plan.js';

export const REGENERATE = 'npx tsx tests/reliability/report.ts';
export const DOC_PATH = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../docs/reliability.md');

const cell = (s: string): string => s.replaceAll('|', '\\|').replaceAll('\n', ' ');
const code = (s: string): string => '`' + s.replaceAll('`', "'") + '`';

export function renderReliabilityDoc(): string {
  const kinds = FAULTS.kinds.map(code).join(', ');
  const byTarget = (t: string) => KILLS.filter((k) => k.target === t).length;
  const lines = [
    '# Reliability',
    '',
    `<!-- Generated from tests/reliability/plan.ts and its case tables by \`${REGENERATE}\`. Do not edit by hand. -->`,
    '',
    'What we promise: whatever Intercom, the network, the machine or your configuration does, a run',
    'either completes correctly or fails with a clear one-line message, and **no row is lost or',
    'duplicated and no secret leaks**. `tests/reliability/` proves it on every destination (DuckDB,',
    'a real Postgres server, and Snowflake through the real `snowflake-sdk` against the fake',
    'Snowflake), through the real CLI in a child process, at a scale CI runs on every change:',
    '',
    '```sh',
    'npx vitest run tests/reliability',
    '```',
    '',
    'Every count on this page is what the suite runs, and every result is what it asserts: a',
    'failing assertion fails CI, and a change to the suite that is not rendered here fails',
    '`tests/reliability/doc.test.ts`.',
    '',
    '## Summary',
    '',
    '| Area | Tried | Result asserted |',
    '| --- | --- | --- |',
    `| Faults from Intercom | ${FAULTS.seeds.length} seeds × ${FAULTS.rate * 100}% of requests, ${FAULTS.kinds.length} fault kinds, plus a scroll run and a retries-exhausted run | exit 0 and every table equal to the export, no duplicate key; exhausted retries: exit 1, last checkpoint kept |`,
    `| Responses that cannot be right | ${MALFORMED.length} persisting faults on ${MALFORMED_TARGETS.length} destinations, and each passing in one run | persisting: exit 1 naming it, cursor kept, no NULL-key row, nothing marked deleted, the rerun equals the export; passing: retried, exit 0, equal to the export |`,
    `| Kills (\`kill -9\`, crash points) | ${KILLS.length} moments (DuckDB ${byTarget('duckdb')}, Postgres ${byTarget('postgres')}, Snowflake ${byTarget('snowflake')}), plus ${SLICED_KILLS.afterEvents.length} during sliced search reads (DuckDB) | ${KILLS.length + SLICED_KILLS.afterEvents.length} of ${KILLS.length + SLICED_KILLS.afterEvents.length} survived: state never ahead of the rows, no duplicate key, the rerun equals the export |`,
    `| SIGINT / SIGTERM | ${SIGNALS.length} runs | checkpoint committed, exit 2, the rerun resumes and equals the export |`,
    `| Two processes, one asset | ${CONCURRENCY.cases.length} destinations | the second exits 1 naming the lock; the first completes; one load recorded |`,
    `| Bad input | ${BAD_INPUT_CASES.length} cases | one line naming file and field (or connection), exit 1, no stack trace without \`--debug\` |`,
    `| Secrets | every bad-input case, and successful runs with \`--debug\` in each \`--progress\` mode on each destination | the token and passwords appear in no output, file, \`_elt_loads\` or \`_elt_state\` |`,
    `| Values a naive JSON path loses | ${VALUE_CASES.length} cases on ${VALUE_TARGETS.length} destinations | numbers beyond 2^53 exact, deep JSON complete or a clear failure, no silent column collision |`,
    `| Hostile data | ${HOSTILE_CASES.length} names and values on ${TARGETS.length} destinations | land intact (JSON and typed columns), no SQL error, no injection |`,
    `| Broken answers, long waits, signals, leftovers | ${PROBE_CASES.length} cases, ${PROBE_CASES.reduce((n, c) => n + c.targets.length, 0)} runs | clear errors naming the source, capped and abortable waits, a deadline per request, \`_elt_loads\` telling what was committed |`,
    '',
    '## Faults',
    '',
    `The fake Intercom answers ${FAULTS.rate * 100}% of requests (chosen by a seeded generator) with one of: ${kinds}.`,
    `Hung responses outlast the client's timeout (\`timeout_seconds: ${FAULTS.timeoutSeconds}\`). The run loads ${RUN_ASSETS.map(code).join(', ')}`,
    `and their relation tables (${FAULTS.workspace.contacts} contacts, ${FAULTS.workspace.companies} companies, ${FAULTS.workspace.conversations} conversations, ${FAULTS.workspace.tickets} tickets),`,
    `with the companies read through the scroll API (\`INTERCOM_ELT_COMPANIES_LIST_LIMIT=${FAULTS.companiesListLimit}\`; a real workspace scrolls above 10,000 companies).`,
    '',
    '| Run | Destination | Asserted |',
    '| --- | --- | --- |',
    ...FAULTS.seeds.map(
      (s) =>
        `| seed ${s.seed}, all kinds | ${s.target} | exit 0; faults ≥ half of ${FAULTS.rate * 100}% of requests; tables equal the export, no duplicate key |`,
    ),
    `| seed ${FAULTS.scroll.seed}, the companies scroll alone (${FAULTS.scroll.kinds.map(code).join(', ')}) | duckdb | exit 0, at least one restart, equal to the export |`,
    `| seed ${FAULTS.malformedSeed}, the responses that cannot be right (below), each passing twice on its path, companies through the list | duckdb | exit 0 after retries; equal to the export |`,
    '| all seeds together | | every fault kind injected at least once |',
    '| the search failing for good after 2 pages (`max_attempts: 3`) | duckdb | exit 1 naming the asset, `POST /contacts/search`, `500` and `server_error`; no stack trace; the cursor unchanged, the 2 checkpointed pages kept; the rerun equals the export |',
    '',
    'A scroll page lost in transit (reset, timeout, truncated body) may have moved the server-side',
    'scroll cursor; it is asked for again, and at the end the companies read are counted against the',
    "list's `total_count`: short of it, the scroll is read again (see `src/intercom/read/scroll.ts`).",
    '',
    '## Responses that cannot be right',
    '',
    "What a proxy, a load balancer or a bad deploy may send in place of Intercom's answer (fault kinds of the fake,",
    '`docs/fake-intercom.md`). A page that contradicts its own `total_count`, a record without its primary key and',
    "`{}` for a record are malformed responses; a 404 that is not Intercom's `error.list` is a transport fault: both are",
    'retried, and never become rows or deletions. Each case below persists (a fault rule of the fake) on a second run',
    `over changed records (${MALFORMED_WORKSPACE.contacts} contacts, ${MALFORMED_WORKSPACE.companies} companies, ${MALFORMED_WORKSPACE.conversations} conversations, ${MALFORMED_WORKSPACE.tickets} tickets; \`max_attempts: ${MALFORMED_MAX_ATTEMPTS}\`), on ${MALFORMED_TARGETS.join(' and ')}:`,
    "the run must exit 1 naming it with no stack trace, the asset's cursor must not move, no table may hold a NULL key,",
    'no conversation may be marked deleted; with the fault gone the rerun must equal the export.',
    '',
    '| # | Asset | Fault | What the client receives | The line names |',
    '| --- | --- | --- | --- | --- |',
    ...MALFORMED.map(
      (c, i) =>
        `| ${i + 1} | ${code(`intercom.${c.asset}`)} | ${code(c.rule.kind)} on ${code(c.rule.path)}${c.rule.after ? ` after ${c.rule.after}` : ''} | ${cell(c.what)} | ${code(c.message.source.replaceAll('\\', ''))} |`,
    ),
    '',
    '## Kills',
    '',
    `Each kill ends an \`ingest\` of ${RUN_ASSETS.map(code).join(', ')} (${KILL_WORKSPACE.contacts} contacts, checkpoints every ${KILL_CHECKPOINT_PAGES} page) into a new`,
    'destination with SIGKILL: from the test after a number of JSON progress events, or from inside at a',
    `crash point (\`INTERCOM_ELT_CRASH_AT=<point>:<n>\`, points ${CRASH_POINTS.map(code).join(', ')}; see \`src/core/crash-point.ts\`) for the moments an`,
    'outside kill would hit only by luck. After each kill the suite asserts the process really died',
    'mid-run, no table holds a key twice, and no cursor in `_elt_state` claims a record the table lacks;',
    'then a normal rerun must end equal to the export. (Snowflake: the killed run keeps its lease until',
    'it expires, and its open transaction is rolled back once it blocks another, as Snowflake does.)',
    '',
    '| # | Destination | Moment | What it proves |',
    '| --- | --- | --- | --- |',
    ...KILLS.map(
      (k, i) =>
        `| ${i + 1} | ${k.target} | ${k.point ? `crash point ${code(`${k.point.name}:${k.point.n}`)}` : `\`kill -9\` after ${k.afterEvents} events`} | ${cell(k.what)} |`,
    ),
    '',
    `**During sliced search reads.** ${SLICED_KILLS.afterEvents.length} more kills (\`kill -9\` after ${SLICED_KILLS.afterEvents.join(', ')} events and the first checkpoint, DuckDB) end an`,
    `\`ingest\` of ${SLICED_KILLS.assets.map(code).join(', ')} (${SLICED_KILLS.workspace.contacts} contacts, ${SLICED_KILLS.workspace.conversations} conversations,`,
    `${SLICED_KILLS.workspace.tickets} tickets, checkpoints every page) while each reads its window in parallel time slices; the suite also asserts`,
    'that the killed run had committed a resume token listing several unfinished slices, and the same three checks.',
    '',
    '## SIGINT and SIGTERM',
    '',
    `The signal comes after ${SIGNAL_AFTER_EVENTS} contacts pages of a run whose page and time checkpoints are far away; the run`,
    'must commit a checkpoint (rows and resume state together), record the load as `interrupted`, print',
    '`<SIGNAL>: stopping at the next checkpoint` and exit 2. The rerun starts `resumed` and ends equal to the export.',
    '',
    '| Signal | Destination |',
    '| --- | --- |',
    ...SIGNALS.map((s) => `| ${s.signal} | ${s.target} |`),
    '',
    '## Two processes on one asset',
    '',
    'The second `ingest` starts while the first is loading. It must exit 1 with one line naming the lock',
    'and write nothing; the first completes, the table equals the export, and `_elt_loads` holds one load.',
    '',
    '| Destination | Lock | The second says |',
    '| --- | --- | --- |',
    '| duckdb | the database file lock (one process at a time) | the file and the lock |',
    '| postgres | an advisory lock per asset | `another run of intercom.contacts holds the lock` |',
    '| snowflake | a lease row in `_elt_locks` (`lock_lease_seconds`) | `asset intercom.contacts is locked by <host:pid:load> until <time>` |',
    '',
    '## Bad input',
    '',
    'Each case runs the real CLI and must print one line naming what is wrong, exit 1, and print no',
    'stack trace without `--debug`; the secrets check then greps every output for the token and passwords.',
    '',
    '| # | Case | The line names |',
    '| --- | --- | --- |',
    ...BAD_INPUT_CASES.map((c, i) => `| ${i + 1} | ${cell(c.name)} | ${c.expect.map((e) => code(e)).join(', ')} |`),
    '',
    '## Values a naive JSON path loses',
    '',
    `Loaded through the CLI into ${VALUE_TARGETS.join(' and ')} with typed custom-attribute columns on (\`tests/reliability/values.test.ts\`).`,
    "Numbers a double cannot hold are read exactly where they are the user's (`custom_attributes`; `src/core/exact-json.ts`),",
    'JSON too deep for `JSON.stringify` is written iteratively, and a record field named like a typed column fails the run.',
    '',
    '| # | Case | Asserted |',
    '| --- | --- | --- |',
    ...VALUE_CASES.map((c, i) => `| ${i + 1} | ${cell(c.name)} | ${cell(c.what)} |`),
    '',
    '## Hostile data',
    '',
    'Custom attribute names and string values loaded into every destination through the CLI, with typed',
    'custom-attribute columns on; the JSON column must parse back equal to the export, every typed column',
    'must exist under its deterministic name and hold its value, and no table may be lost.',
    '',
    '| # | Case | What |',
    '| --- | --- | --- |',
    ...HOSTILE_CASES.map((c, i) => `| ${i + 1} | ${cell(c.name)} | ${cell(c.what)} |`),
    '',
    '## Broken answers, long waits, signals and leftovers',
    '',
    'A proxy with rules in front of the fake Intercom (`tests/reliability/rule-proxy.ts`) answers as a broken',
    'proxy, load balancer or deploy might; crash points send a signal or a kill at an exact moment. Each case',
    'runs the real CLI (`tests/reliability/probe.test.ts`).',
    '',
    '| # | Case | Destinations | Asserted |',
    '| --- | --- | --- | --- |',
    ...PROBE_CASES.map((c, i) => `| ${i + 1} | ${cell(c.name)} | ${c.targets.join(', ')} | ${cell(c.asserted)} |`),
    '',
  ];
  return lines.join('\n');
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  writeFileSync(DOC_PATH, renderReliabilityDoc());
  console.log(`wrote ${path.relative(process.cwd(), DOC_PATH)}`);
}
