/**
 * End-to-end load into DuckDB: contacts-shaped pages of 150 -> BatchBuilder -> DuckDB
 * destination (merge), a checkpoint every 50 pages. Prints records/s, peak RSS, and the
 * reference: the same pages as NDJSON loaded by DuckDB's own read_json, and the ratio.
 *
 * Run: node --expose-gc --import tsx bench/duckdb-load.ts [counts…]   (default 100000 1000000)
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BatchBuilder } from '../src/arrow/index.js';
import { createDuckDbDestination } from '../src/destinations/index.js';
import { CONTACT_COLUMNS, contactPages } from './contacts-shape.js';

const PAGES_PER_CHECKPOINT = 50;
const counts = process.argv.slice(2).map(Number);
const out = (line: string): void => void process.stdout.write(`${line}\n`);

let peakRss = 0;
const sample = (): void => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
};

async function ours(dir: string, total: number): Promise<{ seconds: number; generation: number; cpu: number }> {
  const dest = await createDuckDbDestination({ path: join(dir, 'ours.duckdb') });
  const loadId = `bench-${total}`;
  const writer = await dest.openRun({
    asset: 'contacts',
    loadId,
    fullRefresh: false,
    tables: [
      {
        key: 'contacts',
        schema: 'intercom',
        table: 'contacts',
        columns: CONTACT_COLUMNS,
        primaryKey: ['id'],
        incrementalKey: 'updated_at',
        strategy: 'merge',
      },
    ],
  });
  const builder = new BatchBuilder(CONTACT_COLUMNS, { loadId, loadedAt: new Date() });
  let generation = 0;
  let pages = 0;
  let cursor = 0;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  let g = performance.now();
  for (const page of contactPages(total)) {
    generation += performance.now() - g;
    builder.add(page);
    cursor = Math.max(cursor, Number(page[page.length - 1]!.updated_at));
    if (++pages % PAGES_PER_CHECKPOINT === 0) {
      await writer.write('contacts', builder.flush()!);
      await writer.checkpoint({ cursor });
      sample();
    }
    g = performance.now();
  }
  const last = builder.flush();
  if (last) await writer.write('contacts', last);
  await writer.finish({ cursor }, { status: 'ok', rows: total, requests: pages });
  const seconds = (performance.now() - t0) / 1000;
  // CPU of every thread of the process (DuckDB's too): steadier than wall time on a shared machine
  const used = process.cpuUsage(c0);
  sample();
  await dest.close();
  return { seconds, generation: generation / 1000, cpu: (used.user + used.system) / 1e6 };
}

async function reference(dir: string, total: number): Promise<number> {
  const file = join(dir, 'contacts.ndjson');
  const ws = createWriteStream(file);
  for (const page of contactPages(total)) {
    let text = '';
    for (const r of page) text += `${JSON.stringify(r)}\n`;
    if (!ws.write(text)) await new Promise<void>((r) => ws.once('drain', () => r()));
  }
  await new Promise<void>((r) => ws.end(() => r()));
  const db = await DuckDBInstance.create(join(dir, 'ref.duckdb'), {
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
  });
  const conn = await db.connect();
  const t0 = performance.now();
  await conn.run(`CREATE TABLE contacts AS SELECT * FROM read_json('${file.replaceAll("'", "''")}', format = 'newline_delimited')`);
  const seconds = (performance.now() - t0) / 1000;
  conn.closeSync();
  db.closeSync();
  return seconds;
}

const rate = (n: number, s: number): string => `${Math.round(n / s).toLocaleString('en')}/s`;

for (const total of counts.length > 0 ? counts : [100_000, 1_000_000]) {
  const dir = mkdtempSync(join(tmpdir(), 'elt-bench-'));
  try {
    (globalThis as { gc?: () => void }).gc?.();
    peakRss = 0;
    const timer = setInterval(sample, 20);
    const r = await ours(dir, total);
    clearInterval(timer);
    const pipeline = r.seconds - r.generation;
    const ref = await reference(dir, total);
    out(`duckdb merge, ${total.toLocaleString('en')} contacts, checkpoint every ${PAGES_PER_CHECKPOINT} pages of 150:`);
    out(
      `  ours:      ${r.seconds.toFixed(2)} s wall = ${rate(total, r.seconds)} (record generation ${r.generation.toFixed(2)} s; excluding it ${rate(total, pipeline)})`,
    );
    out(`  CPU:       ${r.cpu.toFixed(2)} s (all threads) = ${rate(total, r.cpu)} per CPU-second`);
    out(`  peak RSS:  ${Math.round(peakRss / 2 ** 20)} MB`);
    out(`  read_json: ${ref.toFixed(2)} s = ${rate(total, ref)}`);
    out(`  ratio ours/read_json: ${(ref / r.seconds).toFixed(2)} wall, ${(ref / pipeline).toFixed(2)} excluding generation`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
