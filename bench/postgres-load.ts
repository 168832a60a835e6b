/**
 * Load into Postgres: contacts-shaped pages of 150 -> BatchBuilder -> Postgres destination
 * (merge), a checkpoint every 50 pages. Prints COPY rows/s (binary COPY from the Arrow batches
 * into the staging table), merge seconds (the checkpoint transactions), peak RSS, and the
 * reference: a raw `COPY … FROM STDIN` of the same rows pre-formatted as COPY text (formatting
 * not timed) into an identical temp table, batch by batch between ours (same machine load); then the ratio.
 *
 * Run: node --expose-gc --import tsx bench/postgres-load.ts [counts…]   (default 1000000)
 * Server: PG_URL=postgresql://user:pass@host:port/db, else a throwaway cluster (tests/setup/postgres.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { RecordBatch } from 'apache-arrow';
import pg from 'pg';
import copyStreams from 'pg-copy-streams';
import { BatchBuilder } from '../src/arrow/index.js';
import { encodeBatch } from '../src/destinations/postgres/copy.js';
import { createPostgresDestination } from '../src/destinations/postgres/index.js';
import { postgresDialect } from '../src/destinations/postgres/sql.js';
import type { Row } from '../src/core/schema.js';
import startCluster, { postgresOptions } from '../tests/setup/postgres.js';
import { CONTACT_COLUMNS, contactPages } from './contacts-shape.js';

const PAGES_PER_CHECKPOINT = 50;
const counts = process.argv.slice(2).map(Number);
const out = (line: string): void => void process.stdout.write(`${line}\n`);
const rate = (n: number, s: number): string => `${Math.round(n / s).toLocaleString('en')} rows/s`;

let peakRss = 0;
const sample = (): void => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
};

async function server(): Promise<{ url: string; stop: () => void }> {
  if (process.env['PG_URL']) return { url: process.env['PG_URL'], stop: () => undefined };
  let url = '';
  const stop = await startCluster({ provide: (_k: string, v: string) => void (url = v) } as never);
  return { url, stop: stop ?? (() => undefined) };
}

/** Arrow batches of 50 pages, built lazily; the time spent generating and building is reported apart. */
function* batches(total: number, loadId: string, t: { build: number }): Generator<{ batch: RecordBatch; rows: Row[]; cursor: number; pages: number }> {
  const builder = new BatchBuilder(CONTACT_COLUMNS, { loadId, loadedAt: new Date() });
  let pages = 0;
  let cursor = 0;
  let rows: Row[] = [];
  let t0 = performance.now();
  for (const page of contactPages(total)) {
    builder.add(page);
    rows.push(...page);
    cursor = Math.max(cursor, Number(page[page.length - 1]!.updated_at));
    if (++pages % PAGES_PER_CHECKPOINT === 0) {
      const batch = builder.flush()!;
      t.build += performance.now() - t0;
      yield { batch, rows, cursor, pages };
      rows = [];
      t0 = performance.now();
    }
  }
  const last = builder.flush();
  t.build += performance.now() - t0;
  if (last) yield { batch: last, rows, cursor, pages };
}

/**
 * The reference: a second connection with a temp table of the staging table's shape; each batch's
 * rows pre-formatted as COPY text (not timed), then one timed `COPY … FROM STDIN` of that text.
 * It runs batch by batch between our own COPYs, so both see the same machine load.
 */
async function referenceLoader(url: string, db: string) {
  // the column types our own tables use (the reference loads into the same shape)
  const types = postgresDialect.capabilities.types;
  const client = new pg.Client(postgresOptions(url, db));
  await client.connect();
  await client.query(`SET TIME ZONE 'UTC'`);
  const cols = CONTACT_COLUMNS.map((c) => `"${c.name}" ${types[c.type]}`).join(', ');
  await client.query(`CREATE TEMPORARY TABLE ref ("_elt_seq" bigint, ${cols}, "_elt_loaded_at" timestamptz, "_elt_load_id" text)`);
  const loadedAt = new Date().toISOString();
  let seq = 0;
  return {
    async copy(rows: Row[]): Promise<number> {
      let body = '';
      for (const r of rows) body += `${seq++}\t${CONTACT_COLUMNS.map((c) => text(r[c.name], c.type)).join('\t')}\t${loadedAt}\tbench-ref\n`;
      const data = Buffer.from(body, 'utf8');
      const t0 = performance.now();
      await pipeline(Readable.from([data]), client.query(copyStreams.from('COPY ref FROM STDIN')));
      const ms = performance.now() - t0;
      await client.query('TRUNCATE ref');
      return ms;
    },
    close: () => client.end(),
  };
}

/** One merge run; returns seconds spent in COPY (write), in the checkpoint transactions, and the reference's COPY. */
async function ours(url: string, db: string, total: number, loadId: string) {
  const dest = await createPostgresDestination(postgresOptions(url, db));
  const writer = await dest.openRun({
    asset: 'contacts',
    loadId,
    fullRefresh: false,
    tables: [
      { key: 'contacts', schema: 'intercom', table: 'contacts', columns: CONTACT_COLUMNS, primaryKey: ['id'], incrementalKey: 'updated_at', strategy: 'merge' },
    ],
  });
  const ref = await referenceLoader(url, db);
  const t = { build: 0, copy: 0, merge: 0, encode: 0, ref: 0 };
  const start = performance.now();
  let pages = 0;
  let cursor = 0;
  for (const b of batches(total, loadId, t)) {
    // the JS side of COPY alone: encoding without sending (measured apart, not added to copy)
    const e0 = performance.now();
    encodeBatch(
      CONTACT_COLUMNS.map((c) => ({ name: c.name, type: c.type })),
      b.batch,
      CONTACT_COLUMNS.map((_, i) => i),
      0,
      () => undefined,
    );
    t.encode += performance.now() - e0;
    const c0 = performance.now();
    await writer.write('contacts', b.batch);
    t.copy += performance.now() - c0;
    t.ref += await ref.copy(b.rows);
    const m0 = performance.now();
    await writer.checkpoint({ cursor: b.cursor });
    t.merge += performance.now() - m0;
    pages = b.pages;
    cursor = b.cursor;
    sample();
  }
  const f0 = performance.now();
  await writer.finish({ cursor }, { status: 'ok', rows: total, requests: pages });
  t.merge += performance.now() - f0;
  const wall = (performance.now() - start) / 1000;
  await ref.close();
  await dest.close();
  return { wall, build: t.build / 1000, copy: t.copy / 1000, merge: t.merge / 1000, encode: t.encode / 1000, ref: t.ref / 1000 };
}

/** COPY text of a value (NULL as \N; backslash, tab, newline, CR escaped). */
function text(v: unknown, type: string): string {
  if (v === null || v === undefined) return '\\N';
  let s: string;
  if (type === 'timestamp') s = new Date(Number(v) * 1000).toISOString();
  else if (type === 'json') s = JSON.stringify(v);
  else s = String(v);
  return s.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'));
}

const { url, stop } = await server();
try {
  for (const total of counts.length > 0 ? counts : [1_000_000]) {
    const dir = mkdtempSync(join(tmpdir(), 'elt-pg-bench-'));
    const db = `elt_bench_${process.pid}_${total}`;
    const admin = new pg.Client(postgresOptions(url, new URL(url).pathname.slice(1) || 'postgres'));
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS "${db}"`);
    await admin.query(`CREATE DATABASE "${db}"`);
    try {
      (globalThis as { gc?: () => void }).gc?.();
      peakRss = 0;
      const timer = setInterval(sample, 20);
      const r = await ours(url, db, total, `bench-${total}`);
      // a second run over the first 10% of ids: MERGE updating existing rows through the unique index
      const updates = Math.max(1, Math.floor(total / 10));
      const u = await ours(url, db, updates, `bench-update-${total}`);
      clearInterval(timer);
      const n = Math.ceil(total / 7500);
      out(`postgres merge, ${total.toLocaleString('en')} contacts, checkpoint every ${PAGES_PER_CHECKPOINT} pages of 150 (${n} checkpoints):`);
      out(`  wall:          ${r.wall.toFixed(2)} s, of which generating records + Arrow batches ${r.build.toFixed(2)} s (not ours) and the reference below`);
      out(
        `  COPY (binary, Arrow -> temp staging): ${r.copy.toFixed(2)} s = ${rate(total, r.copy)} (JS encoding alone, measured apart: ${r.encode.toFixed(2)} s)`,
      );
      out(`  reference, raw COPY of the same rows pre-formatted as text, same batches: ${r.ref.toFixed(2)} s = ${rate(total, r.ref)}`);
      out(`  ratio ours/reference (COPY rows/s): ${(r.ref / r.copy).toFixed(2)}x`);
      out(`  merge (dedup + MERGE + state, ${n} transactions): ${r.merge.toFixed(2)} s = ${((r.merge / n) * 1000).toFixed(0)} ms per checkpoint`);
      out(
        `  update pass, ${updates.toLocaleString('en')} existing ids: COPY ${u.copy.toFixed(2)} s (reference ${u.ref.toFixed(2)} s), merge ${u.merge.toFixed(2)} s`,
      );
      out(`  peak RSS:      ${Math.round(peakRss / 2 ** 20)} MB`);
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`);
      await admin.end();
      rmSync(dir, { recursive: true, force: true });
    }
  }
} finally {
  stop();
}
