/**
 * Contacts -> DuckDB end to end through the real CLI, against the fake Intercom (separate process,
 * rate limit off, no latency), at 100k and 1M contacts, side by side with DuckDB's own read_json of
 * the same records into a database file (the product's settings, committed and checkpointed).
 * Per size: CPU µs per record of the ingest process (user + system of every thread, from
 * /usr/bin/time) and of the read_json load (this process's CPU while DuckDB runs it), their
 * ratio, records/s, peak RSS of the ingest process (the kernel's max RSS), the fake's CPU and the
 * 1-minute load average (the machine is shared: CPU per record is the steadier figure).
 *
 *   node --import tsx bench/e2e-contacts.ts [--sizes=100000,1000000]
 *     [--profile=DIR]   (the ingest runs with node --cpu-prof, profiles written to DIR)
 *     [--node-args='--max-old-space-size=192']   (flags for the ingest's node)
 *     [--slices=N]      (the connection's search_slices; default: the product's)
 */
import { mkdtempSync, writeFileSync, mkdirSync, createWriteStream, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { contactsReadJsonColumns, contactsSearch, cpuSeconds, fmt, runTimed, startFakeProcess, contactsFakeArgs } from './lib.js';
import { instanceOptions } from '../src/destinations/duckdb/config.js';

const TOKEN = 'bench-token';
const arg = (name: string): string | undefined => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const sizes = (arg('sizes') ?? '100000,1000000').split(',').map(Number);
/** --node-args='--max-old-space-size=192 …': flags for the ingest's node (memory experiments). */
const extraNodeArgs = (arg('node-args') ?? '').split(' ').filter(Boolean);
const profileDir = arg('profile');
/** --slices=N: the connection's search_slices (unset: the product's default). */
const slices = arg('slices');

async function dumpPages(url: string, file: string): Promise<number> {
  const out = createWriteStream(file);
  let startingAfter: string | undefined;
  let n = 0;
  for (;;) {
    const req = contactsSearch(TOKEN, '2.14', {
      query: { field: 'updated_at', operator: '>', value: 0 },
      pagination: { per_page: 150, starting_after: startingAfter },
    });
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
async function readJsonReference(file: string, database: string): Promise<{ seconds: number; cpuSeconds: number }> {
  const db = await DuckDBInstance.create(database, database === ':memory:' ? {} : instanceOptions({ path: database }));
  const conn = await db.connect();
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  await conn.run(
    `create table ref as select * from read_json('${file.replace(/'/g, "''")}', format = 'newline_delimited', columns = ${contactsReadJsonColumns})`,
  );
  if (database !== ':memory:') await conn.run('checkpoint');
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  conn.closeSync();
  db.closeSync();
  return { seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
}

const results: string[] = [];
const peaks: number[] = [];
for (const n of sizes) {
  const fake = await startFakeProcess(contactsFakeArgs(n, TOKEN));
  // the project, its DuckDB file and the dumped pages (2.8 GB at 1M contacts): removed after each size
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ielt-bench-'));
  try {
    mkdirSync(path.join(dir, 'assets'));
    writeFileSync(
      path.join(dir, 'connections.yml'),
      `connections:\n  intercom:\n    - name: intercom\n      access_token: ${TOKEN}\n      base_url: ${fake.url}\n${slices ? `      search_slices: ${slices}\n` : ''}  duckdb:\n    - name: duckdb\n      path: ./bench.duckdb\n`,
    );
    writeFileSync(path.join(dir, 'assets', 'contacts.asset.yml'), 'name: intercom.contacts\nparameters:\n  source_table: contacts\n');
    const fakeCpu0 = cpuSeconds(fake.child.pid!);
    const load0 = os.loadavg()[0]!;
    const run = await runTimed(['ingest', '--progress', 'log'], dir, {
      nodeArgs: [...(profileDir ? ['--cpu-prof', '--cpu-prof-dir', path.resolve(profileDir)] : []), ...extraNodeArgs],
    });
    if (run.code !== 0) throw new Error(`ingest failed: ${run.stderr}`);
    const fakeCpu = cpuSeconds(fake.child.pid!) - fakeCpu0;
    const load1 = os.loadavg()[0]!;
    const file = path.join(dir, 'pages.ndjson');
    const dumped = await dumpPages(fake.url, file);
    if (dumped !== n) throw new Error(`dumped ${dumped} records, expected ${n}`);
    const ref = await readJsonReference(file, path.join(dir, 'reference.duckdb'));
    const load2 = os.loadavg()[0]!;
    const us = (s: number) => (s * 1e6) / n;
    const ratio = run.cpuSeconds / ref.cpuSeconds;
    const load = `${load0.toFixed(1)}–${load1.toFixed(1)}–${load2.toFixed(1)}`;
    const line = `| ${fmt(n)} | ${fmt(us(run.cpuSeconds), 1)} | ${fmt(us(ref.cpuSeconds), 1)} | **${fmt(ratio, 2)}×** | ${fmt(n / run.seconds)} | ${fmt(n / ref.seconds)} | ${fmt(run.peakRssMb)} MB | ${fmt(us(fakeCpu), 1)} | ${load} |`;
    results.push(line);
    peaks.push(run.peakRssMb);
    console.log(
      `contacts=${n} ingestCPU=${us(run.cpuSeconds).toFixed(1)}µs/rec (user ${run.userSeconds.toFixed(1)} s, sys ${run.sysSeconds.toFixed(1)} s) read_json-into-a-file CPU=${us(ref.cpuSeconds).toFixed(1)}µs/rec ratio=${ratio.toFixed(2)} ` +
        `records/s=${Math.round(n / run.seconds)} (wall ${run.seconds.toFixed(1)} s) read_json records/s=${Math.round(n / ref.seconds)} peakRSS=${run.peakRssMb.toFixed(0)}MB fakeCPU=${us(fakeCpu).toFixed(1)}µs/rec load1m=${load}`,
    );
  } finally {
    await fake.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
console.log(
  '\n| contacts | ingest CPU µs/record | read_json into a file, CPU µs/record | ratio (target ≤ 2.0×) | records/s (ours, end to end) | records/s (read_json) | peak RSS (ingest) | fake CPU µs/record | load (1 min: start–ingest end–read_json end) |',
);
console.log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const r of results) console.log(r);
if (peaks.length > 1) console.log(`RSS(${fmt(sizes.at(-1)!)}) ÷ RSS(${fmt(sizes[0]!)}) = ${fmt(peaks.at(-1)! / peaks[0]!, 2)} (target ≤ 1.2)`);
