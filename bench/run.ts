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
import { root } from './lib.js';

const BENCHES: ReadonlyArray<{ name: string; file: string; args?: string[]; what: string }> = [
  { name: 'arrow', file: 'arrow.ts', what: 'rows -> Arrow record batches, hand-filled against the stock builders' },
  { name: 'duckdb-load', file: 'duckdb-load.ts', what: 'contacts-shaped batches -> DuckDB (merge), against read_json' },
  { name: 'postgres-load', file: 'postgres-load.ts', what: 'contacts-shaped batches -> Postgres (binary COPY + MERGE), against raw COPY (throwaway cluster unless PG_URL)' },
  { name: 'fake-intercom', file: 'fake-intercom.ts', what: 'the fake Intercom: records/s and server CPU per record (rewrites its docs section)' },
  { name: 'e2e', file: 'e2e-contacts.ts', what: 'contacts -> DuckDB through the CLI, 100k and 1M, against read_json (issue #3)' },
  { name: 'raw-pages', file: 'raw-pages.ts', what: 'the ceiling of loading raw records into DuckDB with read_json' },
  { name: 'rate-budget', file: 'rate-budget.ts', what: "a full sync against Intercom's default rate limit: wall time against the floor, requests against the minimum" },
];

const args = process.argv.slice(2);
/** `--name=value` or `--name value`. */
const arg = (name: string): string | undefined => {
  const i = args.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (i < 0) return undefined;
  return args[i]!.includes('=') ? args[i]!.slice(name.length + 3) : args[i + 1];
};
const strange = args.filter((a, i) => a.startsWith('--') && !/^--(list|only)(=|$)/.test(a) && args[i - 1] !== '--only');
if (strange.length > 0) {
  console.error(`error: unknown option ${strange.join(' ')} (use --list or --only=a,b)`);
  process.exit(1);
}

if (process.argv.includes('--list')) {
  for (const b of BENCHES) console.log(`${b.name.padEnd(14)} bench/${b.file}: ${b.what}`);
  process.exit(0);
}

const only = arg('only')?.split(',').map((s) => s.trim());
const unknown = (only ?? []).filter((n) => !BENCHES.some((b) => b.name === n));
if (unknown.length > 0) {
  console.error(`error: --only: unknown benchmark ${unknown.map((n) => `"${n}"`).join(', ')} (known: ${BENCHES.map((b) => b.name).join(', ')})`);
  process.exit(1);
}

let failed = 0;
for (const b of BENCHES.filter((x) => !only || only.includes(x.name))) {
  console.log(`\n=== ${b.name}: ${b.what}`);
  const r = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', path.join(root, 'bench', b.file), ...(b.args ?? [])], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    failed++;
    console.error(`=== ${b.name} failed (${r.error ? r.error.message : r.signal ? `signal ${r.signal}` : `exit ${r.status}`})`);
  }
}
process.exit(failed > 0 ? 1 : 0);
