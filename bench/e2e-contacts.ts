/**
 * Issue #3 benchmark: contacts -> DuckDB end to end through the real CLI, against the fake Intercom
 * (separate process, rate limit off, no latency), at 100k and 1M contacts. Reports records/s, peak
 * RSS of the ingest process, and the reference: the same search pages loaded by DuckDB's own
 * read_json (ratio = ours / reference), into memory and into a database file.
 *
 *   node --import tsx bench/e2e-contacts.ts [--sizes 100000,1000000]
 */
import { mkdtempSync, writeFileSync, mkdirSync, createWriteStream, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { contactsReadJsonColumns, contactsSearch, cpuSeconds, fmt, runSampled, startFakeProcess } from './lib.js';
import { instanceOptions } from '../src/destinations/duckdb/config.js';

const TOKEN = 'bench-token';
const sizes = (process.argv.find((a) => a.startsWith('--sizes='))?.slice(8) ?? '100000,1000000').split(',').map(Number);

async function dumpPages(url: string, file: string): Promise<number> {
  const out = createWriteStream(file);
  let startingAfter: string | undefined;
  let n = 0;
  for (;;) {
    const req = contactsSearch(TOKEN, '2.14', { query: { field: 'updated_at', operator: '>', value: 0 }, pagination: { per_page: 150, starting_after: startingAfter } });
    const res = await fetch(`${url}${req.path}`, req);
    const body = (await res.json()) as { data: unknown[]; pages?: { next?: { starting_after?: string } } };
    for (const r of body.data) out.write(`${JSON.stringify(r)}\n`);
    n += body.data.length;
    startingAfter = body.pages?.next?.starting_after;
    if (!startingAfter) break;
  }
  await new Promise<void>((r) => out.end(r));
  return n;
}

/**
 * Seconds for DuckDB alone to load the dumped records with read_json: into an in-memory table (the
 * issue's reference), or into a database file with the product's instance settings, committed and
 * checkpointed (what any DuckDB destination has to pay at least).
 */
async function readJsonReference(file: string, database: string): Promise<number> {
  const db = await DuckDBInstance.create(database, database === ':memory:' ? {} : instanceOptions({ path: database }));
  const conn = await db.connect();
  const t0 = performance.now();
  await conn.run(`create table ref as select * from read_json('${file.replace(/'/g, "''")}', format = 'newline_delimited', columns = ${contactsReadJsonColumns})`);
  if (database !== ':memory:') await conn.run('checkpoint');
  const seconds = (performance.now() - t0) / 1000;
  conn.closeSync();
  db.closeSync();
  return seconds;
}

const results: string[] = [];
for (const n of sizes) {
  const fake = await startFakeProcess(['--contacts', String(n), '--companies', '10', '--conversations', '10', '--tickets', '5', '--rate-limit-per-minute', '0', '--token', TOKEN]);
  // the project, its DuckDB file and the dumped pages (2.8 GB at 1M contacts): removed after each size
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ielt-bench-'));
  try {
    mkdirSync(path.join(dir, 'assets'));
    writeFileSync(
      path.join(dir, 'connections.yml'),
      `connections:\n  intercom:\n    - name: intercom\n      access_token: ${TOKEN}\n      base_url: ${fake.url}\n  duckdb:\n    - name: duckdb\n      path: ./bench.duckdb\n`,
    );
    writeFileSync(path.join(dir, 'assets', 'contacts.asset.yml'), 'name: intercom.contacts\nparameters:\n  source_table: contacts\n');
    const fakeCpu0 = cpuSeconds(fake.child.pid!);
    const load0 = os.loadavg()[0]!;
    const run = await runSampled(['ingest', '--progress', 'log'], dir, undefined, 50);
    if (run.code !== 0) throw new Error(`ingest failed: ${run.stderr}`);
    const fakeCpu = cpuSeconds(fake.child.pid!) - fakeCpu0;
    const load1 = os.loadavg()[0]!;
    const ours = n / run.seconds;
    const us = (s: number) => ((s * 1e6) / n).toFixed(1);
    const file = path.join(dir, 'pages.ndjson');
    const dumped = await dumpPages(fake.url, file);
    const ref = dumped / (await readJsonReference(file, ':memory:'));
    const refFile = dumped / (await readJsonReference(file, path.join(dir, 'reference.duckdb')));
    const load = `${load0.toFixed(1)}–${load1.toFixed(1)}`;
    const line = `| ${fmt(n)} | ${fmt(run.seconds, 1)} s | ${fmt(ours)} | ${fmt(ref)} | ${fmt(ours / ref, 2)}× | ${fmt(refFile)} | ${fmt(run.peakRssMb)} MB | ${us(run.cpuSeconds)} | ${us(fakeCpu)} | ${load} |`;
    results.push(line);
    console.log(`contacts=${n} seconds=${run.seconds.toFixed(1)} records/s=${Math.round(ours)} read_json records/s=${Math.round(ref)} ratio=${(ours / ref).toFixed(2)} read_json-into-a-file records/s=${Math.round(refFile)} peakRSS=${run.peakRssMb.toFixed(0)}MB ingestCPU=${us(run.cpuSeconds)}µs/rec fakeCPU=${us(fakeCpu)}µs/rec load1m=${load}`);
  } finally {
    await fake.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
console.log('\n| contacts | wall time | records/s (ours, end to end) | records/s (read_json of the same pages) | ratio | records/s (read_json into a DuckDB file) | peak RSS (ingest process) | ingest CPU µs/record | fake CPU µs/record | load (1 min, start–end) |');
console.log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const r of results) console.log(r);
