/**
 * Issue #3, the next step measured before it is built: how fast contacts could land in DuckDB if
 * the records were never parsed in JS. Same fake as bench/e2e-contacts.ts (its own process, rate
 * limit off, no latency), same declared columns and types, same checkpoint interval; the pages go
 *
 *   HTTP bytes -> scanPage (src/intercom/raw-page.ts: record ranges + id/updated_at/nested lists)
 *   -> one record per line into a temporary NDJSON file every `--file-pages` pages
 *   -> INSERT INTO contacts SELECT … FROM read_json(file, columns = declared types), in a
 *      transaction committed every 200 pages, while the next pages are fetched.
 *
 * It is a ceiling, not the product: no limiter, retries, hydration requests, child tables, schema
 * evolution or state table. Prints records/s, CPU µs per record of this process (DuckDB's threads
 * included) and of the fake, and peak RSS.
 *
 *   node --import tsx bench/raw-pages.ts [--sizes=100000,1000000] [--file-pages=10] [--slices=1]
 *   (--slices=N: N cursor chains at once over N whole-day ranges of the window: the next step's ceiling)
 *   (RAW_DUCKDB_SETTINGS='{"memory_limit":"64MB"}' adds DuckDB settings over the product's)
 *   (--mode=document: no scanPage at all: each page's whole body is one line of the file and
 *    DuckDB unnests its `data` list (read_json with columns = {data: STRUCT(declared types)[]});
 *    the next cursor is read from the body's tail. One chain only: the ceiling of issue 19's
 *    "page bytes to DuckDB's JSON reader", where JS never looks inside a record)
 *   (--children: DuckDB also writes contact_tags and contact_companies, from the nested lists in SQL)
 *   (--mode=fetch: the pages received and their cursor read from the tail, nothing scanned or
 *    loaded: the floor of receiving the records over HTTP, under any path)
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { Pool } from 'undici';
import { CONTACTS_READ_TYPES, contactsReadJsonColumns, intercomSearch, cpuSeconds, fmt, startFakeProcess, contactsFakeArgs } from './lib.js';
import { contacts } from '../src/intercom/tables/contacts.js';
import { scanPage } from '../src/intercom/raw-page.js';
import { instanceOptions } from '../src/destinations/duckdb/config.js';
import { windowQuery } from '../src/intercom/tables/common.js';
import { localDayStart } from '../src/intercom/read/timezone.js';

const TOKEN = 'bench-token';
const arg = (name: string, dflt: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? dflt;
const sizes = arg('sizes', '100000,1000000').split(',').map(Number);
const filePages = Number(arg('file-pages', '10'));
const slices = Number(arg('slices', '1'));
const mode = arg('mode', 'records');
/** --children: DuckDB also makes the relation tables (contact_tags, contact_companies) from the nested lists, in SQL. */
const children = process.argv.includes('--children');
if (children && mode !== 'records') throw new Error('--children goes with --mode=records');
if (mode !== 'records' && mode !== 'document' && mode !== 'fetch') throw new Error(`--mode: records | document | fetch, not ${mode}`);
if (mode !== 'records' && slices > 1) throw new Error(`--mode=${mode} reads one chain (--slices=1)`);
const CHECKPOINT_PAGES = 200;

const TABLE_TYPES = { ...CONTACTS_READ_TYPES, timestamp: 'TIMESTAMPTZ' } as const;
const q = (name: string) => `"${name.replace(/"/g, '""')}"`;
/** read_json's columns for a whole page document: its `data` list as structs of the declared types. */
const documentColumns = `{'data': 'STRUCT(${contacts.columns.map((c) => `${q(c.name)} ${CONTACTS_READ_TYPES[c.type]}`).join(', ')})[]'}`;
const STARTING_AFTER = Buffer.from('"starting_after":"');
const select = contacts.columns.map((c) => (c.type === 'timestamp' ? `to_timestamp(${q(c.name)})` : q(c.name))).join(', ');

async function run(n: number): Promise<string> {
  const fake = await startFakeProcess(contactsFakeArgs(n, TOKEN));
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ielt-raw-'));
  try {
    // the product's instance settings (memory limit, checkpoint threshold, no extension loading)
    const file = path.join(dir, 'raw.duckdb');
    const db = await DuckDBInstance.create(
      file,
      instanceOptions({ path: file, settings: JSON.parse(process.env.RAW_DUCKDB_SETTINGS ?? '{}') as Record<string, string> }),
    );
    const conn = await db.connect();
    await conn.run(
      `CREATE TABLE contacts (${contacts.columns.map((c) => `${q(c.name)} ${TABLE_TYPES[c.type]}`).join(', ')}, _elt_loaded_at TIMESTAMPTZ, _elt_load_id VARCHAR)`,
    );
    if (children)
      for (const t of ['contact_tags', 'contact_companies'])
        await conn.run(`CREATE TABLE ${t} (contact_id VARCHAR, id VARCHAR, _elt_loaded_at TIMESTAMPTZ, _elt_load_id VARCHAR)`);
    const pool = new Pool(fake.url, { connections: 2 });
    let peakRss = 0;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
    const fakeCpu0 = cpuSeconds(fake.child.pid!);
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();

    let chain: Promise<void> = conn.run('BEGIN').then(() => undefined);
    let lines: Buffer[] = [];
    let files = 0;
    let pages = 0;
    let records = 0;
    let scanMs = 0;
    const NL = Buffer.from('\n');
    const load = () => {
      const file = path.join(dir, `pages-${files++ % 4}.ndjson`);
      writeFileSync(file, Buffer.concat(lines));
      lines = [];
      const commit = pages % CHECKPOINT_PAGES < filePages;
      chain = chain.then(async () => {
        if (children) {
          // the records once into a temporary table, then the three tables from it (the relation
          // rows from the nested lists' ids); dropped after, as DuckDB keeps deleted temporary rows
          await conn.run(`CREATE TEMP TABLE staged AS SELECT * FROM read_json('${file}', format = 'newline_delimited', columns = ${contactsReadJsonColumns})`);
          await conn.run(`INSERT INTO contacts SELECT ${select}, now(), 'bench' FROM staged`);
          for (const [t, col] of [
            ['contact_tags', 'tags'],
            ['contact_companies', 'companies'],
          ] as const) {
            await conn.run(
              `INSERT INTO ${t} SELECT contact_id, x.id, now(), 'bench' FROM (SELECT id AS contact_id, unnest(from_json(json_extract(${col}, '$.data'), '[{"id":"VARCHAR"}]')) AS x FROM staged)`,
            );
          }
          await conn.run('DROP TABLE staged');
        } else
          await conn.run(
            mode === 'document'
              ? `INSERT INTO contacts SELECT ${select}, now(), 'bench' FROM (SELECT unnest(data, recursive := true) FROM read_json('${file}', format = 'newline_delimited', columns = ${documentColumns}))`
              : `INSERT INTO contacts SELECT ${select}, now(), 'bench' FROM read_json('${file}', format = 'newline_delimited', columns = ${contactsReadJsonColumns})`,
          );
        if (commit) await conn.run('COMMIT; BEGIN');
      });
      return chain;
    };
    const search = async (version: string, body: object): Promise<Buffer> => {
      const res = await pool.request(intercomSearch('/contacts/search', TOKEN, version, body));
      return Buffer.from(await res.body.arrayBuffer());
    };
    /** One cursor chain over `query`, keeping the records whose updated_at is in [lo, hi). */
    const pageChain = async (query: object, lo: number, hi: number): Promise<void> => {
      let startingAfter: string | undefined;
      do {
        const bytes = await search('2.14', { query, pagination: { per_page: 150, starting_after: startingAfter } });
        if (mode === 'fetch') {
          // the floor under any path: the pages received and their cursor read, nothing loaded
          const at = bytes.lastIndexOf(STARTING_AFTER);
          startingAfter = at < 0 ? undefined : bytes.toString('latin1', at + STARTING_AFTER.length, bytes.indexOf(0x22, at + STARTING_AFTER.length));
          records += 150;
          pages++;
          continue;
        }
        if (mode === 'document') {
          // the cursor from the body's tail (`pages` follows `data`); the records stay unread
          const s0 = performance.now();
          const at = bytes.lastIndexOf(STARTING_AFTER);
          startingAfter = at < 0 ? undefined : bytes.toString('latin1', at + STARTING_AFTER.length, bytes.indexOf(0x22, at + STARTING_AFTER.length));
          scanMs += performance.now() - s0;
          lines.push(bytes, NL);
          records += 150;
          pages++;
          if (pages % filePages === 0) {
            await chain;
            if (lines.length) void load();
          }
          continue;
        }
        const s0 = performance.now();
        const page = scanPage(bytes, 'data', ['id', 'updated_at', 'tags', 'companies']);
        scanMs += performance.now() - s0;
        for (let k = 0; k < page.starts.length; k++) {
          const at = page.picked[k]!['updated_at'] as number;
          if (at < lo || at >= hi) continue;
          lines.push(bytes.subarray(page.starts[k], page.ends[k]), NL);
          records++;
        }
        pages++;
        startingAfter = (page.envelope.pages as { next?: { starting_after?: string } } | undefined)?.next?.starting_after;
        // at most one file waits for DuckDB while the next pages are fetched
        if (pages % filePages === 0) {
          await chain;
          if (lines.length) void load();
        }
      } while (startingAfter);
    };
    if (slices <= 1) await pageChain({ field: 'updated_at', operator: '>', value: 0 }, -Infinity, Infinity);
    else {
      // the window's ends from two 2.16 sorted probes, cut into whole workspace days, paged at once
      const ends = await Promise.all(
        (['ascending', 'descending'] as const).map(async (order) => {
          const page = scanPage(
            await search('2.16', {
              query: { field: 'updated_at', operator: '>', value: 0 },
              sort: { field: 'updated_at', order },
              pagination: { per_page: 1 },
            }),
            'data',
            ['updated_at'],
          );
          return page.picked[0]!['updated_at'] as number;
        }),
      );
      const tz = 'America/Los_Angeles'; // the fake's default workspace zone
      const step = Math.ceil((ends[1]! + 1 - ends[0]!) / slices);
      const cuts = Array.from({ length: slices + 1 }, (_, k) => (k === 0 ? ends[0]! : k === slices ? ends[1]! + 1 : localDayStart(ends[0]! + k * step, tz)));
      await Promise.all(
        cuts.slice(0, -1).map((lo, k) => pageChain(windowQuery('updated_at', { start: lo, end: cuts[k + 1]! - 1 }, 'day', tz), lo, cuts[k + 1]!)),
      );
    }
    if (lines.length) void load();
    await chain;
    await conn.run('COMMIT');
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const fakeCpu = cpuSeconds(fake.child.pid!) - fakeCpu0;
    clearInterval(sampler);
    const [row] = (await conn.runAndReadAll('SELECT count(*)::INTEGER AS c, count(DISTINCT id)::INTEGER AS d FROM contacts')).getRowObjectsJS();
    if (mode === 'document') records = row!.c as number;
    if (mode === 'fetch') {
      if (records < n) throw new Error(`received ${records} records, expected ${n}`);
    } else if (row!.c !== records || row!.d !== n) throw new Error(`loaded ${String(row!.c)} rows (${String(row!.d)} ids), expected ${n}`);
    let childRows = '';
    if (children) {
      const [c] = (
        await conn.runAndReadAll('SELECT (SELECT count(*) FROM contact_tags)::INTEGER AS t, (SELECT count(*) FROM contact_companies)::INTEGER AS c')
      ).getRowObjectsJS();
      if (!((c!.t as number) > 0 && (c!.c as number) > 0)) throw new Error('the relation tables are empty');
      childRows = ` contact_tags=${String(c!.t)} contact_companies=${String(c!.c)}`;
    }
    conn.closeSync();
    db.closeSync();
    await pool.close();
    const us = (s: number) => ((s * 1e6) / n).toFixed(1);
    const load1 = os.loadavg()[0]!.toFixed(1);
    console.log(
      `contacts=${n} seconds=${seconds.toFixed(1)} records/s=${Math.round(n / seconds)} cpu=${us((cpu.user + cpu.system) / 1e6)}µs/rec scan=${us(scanMs / 1000)}µs/rec fakeCPU=${us(fakeCpu)}µs/rec peakRSS=${(peakRss / 1048576).toFixed(0)}MB load1m=${load1}${childRows}`,
    );
    return `| ${fmt(n)} | ${fmt(seconds, 1)} s | ${fmt(n / seconds)} | ${us((cpu.user + cpu.system) / 1e6)} | ${us(scanMs / 1000)} | ${us(fakeCpu)} | ${fmt(peakRss / 1048576)} MB | ${load1} |`;
  } finally {
    await fake.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const rows: string[] = [];
for (const n of sizes) rows.push(await run(n));
console.log(`\n| contacts | wall | records/s | CPU µs/record (all threads) | of which scanPage | fake CPU µs/record | peak RSS | load (1 min) |`);
console.log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const r of rows) console.log(r);
