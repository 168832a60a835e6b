/**
 * `npm run bench`: every benchmark in bench/, one after another, each in its own process with its
 * documented defaults (about 15–20 minutes on 2 cores; the rate budget alone is ~7). Numbers and
 * how to read them: docs/benchmarks.md (the fake-intercom bench rewrites its own section there).
 *
 *   npm run bench                          # all
 *   npm run bench -- --only=e2e,raw-pages  # some (names below)
 *   npm run bench -- --list
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { root } from './lib.js';

const BENCHES: ReadonlyArray<{ name: string; file: string; what: string; args?: string[] }> = [
  { name: 'arrow', file: 'arrow.ts', what: 'rows -> Arrow record batches, hand-filled against the stock builders' },
  { name: 'duckdb-load', file: 'duckdb-load.ts', what: 'contacts-shaped batches -> DuckDB (merge), against read_json' },
  {
    name: 'postgres-load',
    file: 'postgres-load.ts',
    what: 'contacts-shaped batches -> Postgres (binary COPY + MERGE), against raw COPY (throwaway cluster unless PG_URL)',
  },
  { name: 'fake-intercom', file: 'fake-intercom.ts', what: 'the fake Intercom: records/s and server CPU per record (rewrites its docs section)' },
  { name: 'e2e', file: 'e2e-contacts.ts', what: 'contacts -> DuckDB through the CLI, 100k and 1M, against read_json (issue #3)' },
  {
    name: 'e2e-conversations',
    file: 'e2e-contacts.ts',
    args: ['--table=conversations'],
    what: 'conversations with their parts -> DuckDB through the CLI, 10k and 100k, against read_json (issue #19)',
  },
  { name: 'raw-pages', file: 'raw-pages.ts', what: 'the ceiling of loading raw records into DuckDB with read_json' },
  {
    name: 'rate-budget',
    file: 'rate-budget.ts',
    what: "a full sync against Intercom's default rate limit: wall time against the floor, requests against the minimum",
  },
];

let flags: { list?: boolean; only?: string };
try {
  // strict: an unknown option is an error rather than a 20-minute run of everything
  flags = parseArgs({ options: { list: { type: 'boolean' }, only: { type: 'string' } } }).values;
} catch (err) {
  console.error(`error: ${(err as Error).message} (use --list or --only=a,b)`);
  process.exit(1);
}

if (flags.list) {
  for (const b of BENCHES) console.log(`${b.name.padEnd(18)} bench/${[b.file, ...(b.args ?? [])].join(' ')}: ${b.what}`);
  process.exit(0);
}

const only = flags.only?.split(',').map((s) => s.trim());
const unknown = (only ?? []).filter((n) => !BENCHES.some((b) => b.name === n));
if (unknown.length > 0) {
  console.error(`error: --only: unknown benchmark ${unknown.map((n) => `"${n}"`).join(', ')} (known: ${BENCHES.map((b) => b.name).join(', ')})`);
  process.exit(1);
}

let failed = 0;
for (const b of BENCHES.filter((x) => !only || only.includes(x.name))) {
  console.log(`\n=== ${b.name}: ${b.what}`);
  const r = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', path.join(root, 'bench', b.file), ...(b.args ?? [])], {
    cwd: root,
    stdio: 'inherit',
  });
  if (r.status !== 0) {
    failed++;
    console.error(`=== ${b.name} failed (${r.error ? r.error.message : r.signal ? `signal ${r.signal}` : `exit ${r.status}`})`);
  }
}
process.exit(failed > 0 ? 1 : 0);
