/**
 * Contacts (or conversations with their parts, `--table=conversations`) -> DuckDB end to end
 * through the real CLI, against the fake Intercom (separate process, rate limit off, no latency),
 * side by side with DuckDB's own read_json of the same records into a database file (the product's
 * settings, one transaction, then checkpointed). Per size: CPU µs per record of the ingest process
 * (user + system of every thread, from /usr/bin/time) and of the read_json load (run in a process
 * of its own: its CPU while DuckDB runs the load), their ratio, records/s, peak RSS of the ingest
 * process and of the read_json process (the kernel's max RSS: what DuckDB alone needs for these
 * records), the fake's CPU and the 1-minute load average (the machine is shared: CPU per record is
 * the steadier figure).
 *
 * Contacts: the reference of issue 19 is read_json of the raw contact records (the search pages'
 * `data`) into a contacts table. The ingest also writes the relation tables (contact_tags,
 * contact_companies: ~3.5 rows a contact), so the line adds a second reference: read_json of every
 * table the ingest loads, as the product's contacts extractor makes their rows (through our client,
 * not timed), and the ingest's ratio to it; the bench checks the ingest loaded the same row counts.
 *
 * Conversations: a record is a conversation; the ingest (the conversations asset alone) also loads
 * its parts, tags and contacts, and the line adds the part rows loaded and the ingest's CPU per part
 * row. The reference loads what the extractor makes of every `GET /conversations/{id}` the fake
 * serves (API 2.14, as the product asks): the conversation rows (without their parts, with
 * parts_total_count and parts_truncated) into one table and the rows of each child table (parts,
 * tags, contacts, with conversation_id) into one more each, with read_json and each table's
 * declared columns, in one transaction.
 *
 *   node --import tsx bench/e2e-contacts.ts [--sizes=100000,1000000]
 *     [--table=contacts|conversations]   (conversations: default sizes 10000,100000)
 *     [--profile=DIR]   (the ingest runs with node --cpu-prof, profiles written to DIR)
 *     [--node-args='--max-old-space-size=192']   (flags for the ingest's node)
 *     [--slices=N]      (the connection's search_slices; default: the product's)
 *     [--reference-runs=N]   (read_json runs per reference, each in a fresh file; the median CPU is the
 *                             reference and the lowest–highest is printed beside it; default 3)
 */
import { mkdtempSync, writeFileSync, mkdirSync, createWriteStream, rmSync, type WriteStream } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { contactsReadJsonColumns, cpuSeconds, fakeArgs, fmt, intercomSearch, readJsonColumns, runTimed, startFakeProcess } from './lib.js';
import { instanceOptions } from '../src/destinations/duckdb/config.js';
import { conversations } from '../src/intercom/tables/conversations.js';
import { contacts } from '../src/intercom/tables/contacts.js';
import { createIntercomClient } from '../src/intercom/client.js';
import type { Row } from '../src/core/schema.js';

const TOKEN = 'bench-token';
/** The product's default API version (no api_version in the bench's connection). */
const VERSION = '2.14';
const arg = (name: string): string | undefined => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const table = arg('table') ?? 'contacts';
if (table !== 'contacts' && table !== 'conversations') throw new Error(`--table=${table}: contacts or conversations`);
const sizes = (arg('sizes') ?? (table === 'contacts' ? '100000,1000000' : '10000,100000')).split(',').map(Number);
/** --node-args='--max-old-space-size=192 …': flags for the ingest's node (memory experiments). */
const extraNodeArgs = (arg('node-args') ?? '').split(' ').filter(Boolean);
const profileDir = arg('profile');
/** --slices=N: the connection's search_slices (unset: the product's default). */
const slices = arg('slices');
// DuckDB's multi-threaded read_json moves up to 2× between runs on 2 cores: the median of several
const referenceRuns = Number(arg('reference-runs') ?? 3);
if (!Number.isInteger(referenceRuns) || referenceRuns < 1) throw new Error('--reference-runs must be a whole number ≥ 1');

/** One read_json load of the reference: an NDJSON file into a table. */
interface Load {
  table: string;
  file: string;
  columns: string;
}
/** What a dump wrote: its records (contacts or conversations), part rows, and the loads that read them back. */
interface Dump {
  records: number;
  parts: number;
  /** Rows by destination table. */
  rows: Record<string, number>;
  loads: Load[];
}

/** Every record of a search (`updated_at > 0`, 150 a page, the product's page size), a page at a time. */
async function* searchAll(url: string, searchPath: string, recordsKey: string): AsyncGenerator<Row[]> {
  let startingAfter: string | undefined;
  for (;;) {
    const req = intercomSearch(searchPath, TOKEN, VERSION, {
      query: { field: 'updated_at', operator: '>', value: 0 },
      pagination: { per_page: 150, starting_after: startingAfter },
    });
    const res = await fetch(`${url}${req.path}`, req);
    const body = (await res.json()) as Record<string, unknown> & { pages?: { next?: { starting_after?: string } } };
    yield body[recordsKey] as Row[];
    startingAfter = body.pages?.next?.starting_after;
    if (!startingAfter) break;
  }
}

const ndjson = (file: string): WriteStream => createWriteStream(file);
const close = (out: WriteStream) => new Promise<void>((r) => out.end(r));

async function dumpContacts(url: string, dir: string): Promise<Dump> {
  const file = path.join(dir, 'contacts.ndjson');
  const out = ndjson(file);
  let n = 0;
  for await (const records of searchAll(url, '/contacts/search', 'data')) {
    for (const r of records) out.write(`${JSON.stringify(r)}\n`);
    n += records.length;
  }
  await close(out);
  return { records: n, parts: 0, rows: { contacts: n }, loads: [{ table: 'contacts', file, columns: contactsReadJsonColumns }] };
}

/**
 * The rows the product's extractor of `spec` makes of the fake's records (through our client: not
 * timed), a line of a file per destination table. Conversations: a `GET /conversations/{id}` each;
 * the conversation rows (without their parts, with parts_total_count and parts_truncated) and each
 * child table (parts, tags, contacts, with conversation_id). Contacts: the contact rows and the
 * relation tables (contact_tags, contact_companies; the lists a search page truncates read in full).
 */
async function dumpExtracted(spec: typeof conversations | typeof contacts, url: string, dir: string, prefix = ''): Promise<Dump> {
  const tables = [{ name: spec.name, columns: spec.columns }, ...(spec.children ?? [])];
  const fileOf = (name: string) => path.join(dir, `${prefix}${name}.ndjson`);
  const out = new Map(tables.map((t) => [t.name, ndjson(fileOf(t.name))]));
  const client = createIntercomClient({ accessToken: TOKEN, apiVersion: VERSION, baseUrl: url });
  const rows: Record<string, number> = {};
  try {
    const pages = spec.extract({ client, apiVersion: VERSION, timezone: 'UTC', concurrency: 16, slices: 1, count: () => undefined });
    for await (const page of pages) {
      for (const [name, list] of Object.entries(page.rows)) {
        for (const row of list) out.get(name)!.write(`${JSON.stringify(row)}\n`);
        rows[name] = (rows[name] ?? 0) + list.length;
      }
    }
  } finally {
    await client.close();
  }
  await Promise.all([...out.values()].map(close));
  return {
    records: rows[spec.name] ?? 0,
    parts: rows['conversation_parts'] ?? 0,
    rows,
    loads: tables.map((t) => ({ table: t.name, file: fileOf(t.name), columns: readJsonColumns(t.columns) })),
  };
}

/**
 * DuckDB alone loading the dumped records with read_json into a database file with the product's
 * instance settings, one transaction, then checkpointed (what any DuckDB destination has to pay at
 * least), in a process of its own: its CPU while DuckDB runs the load (not the process's start-up),
 * and the process's peak RSS (the kernel's, like the ingest's). Run `referenceRuns` times into a
 * fresh file each: the run of median CPU, the CPU range and the largest peak RSS.
 */
async function readJsonReference(loads: Load[], database: string): Promise<Reference> {
  const script = readJsonScript(loads, database);
  const runs: Timed[] = [];
  for (let i = 0; i < referenceRuns; i++) {
    for (const f of [database, `${database}.wal`]) rmSync(f, { force: true });
    const r = await runTimed([], path.dirname(database), { entry: script });
    if (r.code !== 0) throw new Error(`read_json reference failed: ${r.stderr}`);
    const timed = JSON.parse(r.stdout.trim().split('\n').pop()!) as { seconds: number; cpuSeconds: number };
    runs.push({ ...timed, peakRssMb: r.peakRssMb });
  }
  runs.sort((a, b) => a.cpuSeconds - b.cpuSeconds);
  return {
    ...runs[Math.floor((runs.length - 1) / 2)]!,
    peakRssMb: Math.max(...runs.map((r) => r.peakRssMb)),
    cpuRange: [runs[0]!.cpuSeconds, runs.at(-1)!.cpuSeconds],
  };
}

interface Timed {
  seconds: number;
  cpuSeconds: number;
  peakRssMb: number;
}

interface Reference extends Timed {
  /** The lowest and highest CPU seconds over the runs. */
  cpuRange: [number, number];
}

/** A script (written beside `database`) that runs the loads and prints its seconds and CPU seconds as JSON. */
function readJsonScript(loads: Load[], database: string): string {
  const script = path.join(path.dirname(database), `${path.basename(database, '.duckdb')}.mjs`);
  const api = pathToFileURL(createRequire(import.meta.url).resolve('@duckdb/node-api')).href;
  const statements = loads.map(
    (l) => `create table ${l.table} as select * from read_json('${l.file.replace(/'/g, "''")}', format = 'newline_delimited', columns = ${l.columns})`,
  );
  writeFileSync(
    script,
    [
      `import { DuckDBInstance } from ${JSON.stringify(api)};`,
      `const db = await DuckDBInstance.create(${JSON.stringify(database)}, ${JSON.stringify(instanceOptions({ path: database }))});`,
      `const conn = await db.connect();`,
      `const t0 = performance.now();`,
      `const cpu0 = process.cpuUsage();`,
      `await conn.run('begin');`,
      `for (const s of ${JSON.stringify(statements)}) await conn.run(s);`,
      `await conn.run('commit');`,
      `await conn.run('checkpoint');`,
      `const cpu = process.cpuUsage(cpu0);`,
      `console.log(JSON.stringify({ seconds: (performance.now() - t0) / 1000, cpuSeconds: (cpu.user + cpu.system) / 1e6 }));`,
      `conn.closeSync();`,
      `db.closeSync();`,
    ].join('\n'),
  );
  return script;
}

/** Rows of each of `tables` in the ingest's DuckDB file (schema `intercom`, the assets' prefix). */
async function loadedRows(database: string, tables: string[]): Promise<number[]> {
  const db = await DuckDBInstance.create(database, { access_mode: 'READ_ONLY' });
  const conn = await db.connect();
  const counts: number[] = [];
  for (const t of tables) counts.push(Number((await conn.runAndReadAll(`select count(*) from intercom.${t}`)).getRows()[0]![0]));
  conn.closeSync();
  db.closeSync();
  return counts;
}

const conv = table === 'conversations';
const results: string[] = [];
const peaks: number[] = [];
for (const n of sizes) {
  const fake = await startFakeProcess(fakeArgs({ [table]: n }, TOKEN));
  // the project, its DuckDB file and the dumped records (2.8 GB at 1M contacts): removed after each size
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ielt-bench-'));
  try {
    mkdirSync(path.join(dir, 'assets'));
    writeFileSync(
      path.join(dir, 'connections.yml'),
      `connections:\n  intercom:\n    - name: intercom\n      access_token: ${TOKEN}\n      base_url: ${fake.url}\n${slices ? `      search_slices: ${slices}\n` : ''}  duckdb:\n    - name: duckdb\n      path: ./bench.duckdb\n`,
    );
    // the asset alone; conversations' child tables (parts, tags, contacts) come with it
    writeFileSync(path.join(dir, 'assets', `${table}.asset.yml`), `name: intercom.${table}\nparameters:\n  source_table: ${table}\n`);
    const fakeCpu0 = cpuSeconds(fake.child.pid!);
    const load0 = os.loadavg()[0]!;
    const run = await runTimed(['ingest', '--progress', 'log'], dir, {
      nodeArgs: [...(profileDir ? ['--cpu-prof', '--cpu-prof-dir', path.resolve(profileDir)] : []), ...extraNodeArgs],
    });
    if (run.code !== 0) throw new Error(`ingest failed: ${run.stderr}`);
    const fakeCpu = cpuSeconds(fake.child.pid!) - fakeCpu0;
    const load1 = os.loadavg()[0]!;
    const dump = conv ? await dumpExtracted(conversations, fake.url, dir) : await dumpContacts(fake.url, dir);
    if (dump.records !== n) throw new Error(`dumped ${dump.records} records, expected ${n}`);
    // contacts: also every table the ingest loads (contacts and the relation tables), as the extractor makes them
    const all = conv ? dump : await dumpExtracted(contacts, fake.url, dir, 'rows-');
    const tableNames = Object.keys(all.rows);
    const loaded = await loadedRows(path.join(dir, 'bench.duckdb'), tableNames);
    tableNames.forEach((t, i) => {
      if (loaded[i] !== all.rows[t]) throw new Error(`the ingest loaded ${loaded[i]} rows into ${t}, the extractor made ${all.rows[t]}`);
    });
    const ref = await readJsonReference(dump.loads, path.join(dir, 'reference.duckdb'));
    const refAll = conv ? ref : await readJsonReference(all.loads, path.join(dir, 'reference-all.duckdb'));
    const load2 = os.loadavg()[0]!;
    const us = (s: number) => (s * 1e6) / n;
    const ratio = run.cpuSeconds / ref.cpuSeconds;
    const ratioAll = run.cpuSeconds / refAll.cpuSeconds;
    const load = `${load0.toFixed(1)}–${load1.toFixed(1)}–${load2.toFixed(1)}`;
    const partCells = conv ? ` ${fmt(dump.parts)} | ${fmt((run.cpuSeconds * 1e6) / dump.parts, 1)} |` : '';
    const range = (r: Reference) => (referenceRuns > 1 ? ` (${fmt(us(r.cpuRange[0]), 1)}–${fmt(us(r.cpuRange[1]), 1)})` : '');
    const allCells = conv ? '' : ` ${fmt(us(refAll.cpuSeconds), 1)}${range(refAll)} | ${fmt(ratioAll, 2)}× |`;
    const line = `| ${fmt(n)} |${partCells} ${fmt(us(run.cpuSeconds), 1)} | ${fmt(us(ref.cpuSeconds), 1)}${range(ref)} | **${fmt(ratio, 2)}×** |${allCells} ${fmt(n / run.seconds)} | ${fmt(n / ref.seconds)} | ${fmt(run.peakRssMb)} MB | ${fmt(ref.peakRssMb)} MB | ${fmt(us(fakeCpu), 1)} | ${load} |`;
    results.push(line);
    peaks.push(run.peakRssMb);
    const partsText = conv ? ` partRows=${dump.parts} ingestCPU/partRow=${((run.cpuSeconds * 1e6) / dump.parts).toFixed(1)}µs` : '';
    const allText = conv
      ? ''
      : ` read_json-of-every-table CPU=${us(refAll.cpuSeconds).toFixed(1)}µs/rec${range(refAll)} (${tableNames.map((t) => `${t} ${all.rows[t]}`).join(', ')}) ratio=${ratioAll.toFixed(2)}`;
    console.log(
      `${table}=${n}${partsText} ingestCPU=${us(run.cpuSeconds).toFixed(1)}µs/rec (user ${run.userSeconds.toFixed(1)} s, sys ${run.sysSeconds.toFixed(1)} s) read_json-into-a-file CPU=${us(ref.cpuSeconds).toFixed(1)}µs/rec${range(ref)} ratio=${ratio.toFixed(2)}${allText} ` +
        `records/s=${Math.round(n / run.seconds)} (wall ${run.seconds.toFixed(1)} s) read_json records/s=${Math.round(n / ref.seconds)} peakRSS=${run.peakRssMb.toFixed(0)}MB read_json peakRSS=${ref.peakRssMb.toFixed(0)}MB fakeCPU=${us(fakeCpu).toFixed(1)}µs/rec load1m=${load}`,
    );
  } finally {
    await fake.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
const partHeads = conv ? ' part rows | ingest CPU µs/part row |' : '';
const allHeads = conv ? '' : ' read_json of every table the ingest loads (contacts, contact_tags, contact_companies), CPU µs/contact | ratio to it |';
console.log(
  `\n| ${table} |${partHeads} ingest CPU µs/record | read_json into a file, CPU µs/record (median${referenceRuns > 1 ? ` of ${referenceRuns}: lowest–highest` : ''}) | ratio (target ≤ 2.0×) |${allHeads} records/s (ours, end to end) | records/s (read_json) | peak RSS (ingest) | peak RSS (read_json, a process of its own) | fake CPU µs/record | load (1 min: start–ingest end–read_json end) |`,
);
console.log(`|${' ---: |'.repeat(12)}`);
for (const r of results) console.log(r);
if (peaks.length > 1) console.log(`RSS(${fmt(sizes.at(-1)!)}) ÷ RSS(${fmt(sizes[0]!)}) = ${fmt(peaks.at(-1)! / peaks[0]!, 2)} (target ≤ 1.2)`);
