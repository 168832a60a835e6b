/**
 * Benchmark of the fake Intercom server.
 *   node --expose-gc --import tsx bench/fake-intercom.ts
 * Reports records/s served for contacts search pages (per_page 150) and the peak RSS of a
 * process serving a 1,000,000-contact workspace while it is paged. Writes the numbers into
 * docs/benchmarks.md under "## Fake Intercom".
 */
import { fork } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { Agent, request } from 'undici';
import { startFakeIntercom } from '../src/fake-intercom/index.js';

const CONTACTS = Number(process.env.FAKE_BENCH_CONTACTS ?? 1_000_000);
const TARGET = Number(process.env.FAKE_BENCH_RECORDS ?? 100_000);
const mb = (b: number) => Math.round(b / 1048576);

// The server runs in its own process (as `intercom-elt fake-intercom` would), so its RSS is
// measured alone and the client's JSON parsing does not share its thread.
if (process.argv[2] === '--server') {
  let peak = 0;
  setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20).unref();
  const t0 = performance.now();
  const fake = await startFakeIntercom({ contacts: CONTACTS, rateLimitPerMinute: null });
  process.send?.({ url: fake.url, startupMs: performance.now() - t0, now: fake.clock.now() });
  process.on('message', async () => {
    peak = Math.max(peak, process.memoryUsage().rss);
    process.send?.({ peakRss: peak });
    await fake.close();
    process.exit(0);
  });
} else {
  await main();
}

async function main(): Promise<void> {
const child = fork(fileURLToPath(import.meta.url), ['--server'], { execArgv: ['--expose-gc', '--import', 'tsx'], env: process.env });
const [ready] = (await once(child, 'message')) as [{ url: string; startupMs: number; now: number }];
const fake = { url: ready.url, clock: { now: () => ready.now } };
const startupMs = ready.startupMs;
const dispatcher = new Agent({ connections: 4, pipelining: 1 });
const headers = { authorization: 'Bearer fake-token', 'content-type': 'application/json', 'intercom-version': '2.14' };

async function post(path: string, body: unknown): Promise<any> {
  const r = await request(fake.url + path, { method: 'POST', headers, body: JSON.stringify(body), dispatcher });
  if (r.statusCode !== 200) throw new Error(`${path}: ${r.statusCode} ${await r.body.text()}`);
  return r.body.json();
}

async function get(path: string): Promise<any> {
  const r = await request(fake.url + path, { headers, dispatcher });
  if (r.statusCode !== 200) throw new Error(`${path}: ${r.statusCode} ${await r.body.text()}`);
  return r.body.json();
}

/** Pages a search to the end or until `limit` records; returns records, requests, seconds, first-page ms. */
async function pageSearch(query: unknown, limit: number) {
  const start = performance.now();
  let first = 0;
  let records = 0;
  let requests = 0;
  let cursor: string | undefined;
  let total = 0;
  do {
    const b = await post('/contacts/search', { query, pagination: { per_page: 150, starting_after: cursor } });
    if (requests === 0) first = performance.now() - start;
    requests++;
    records += b.data.length;
    total = b.total_count;
    cursor = b.pages.next?.starting_after;
  } while (cursor && records < limit);
  const seconds = (performance.now() - start) / 1000;
  const afterFirst = Math.max(1e-9, seconds - first / 1000);
  return { records, requests, seconds, firstMs: first, total, restRate: Math.round((records - Math.min(records, 150)) / afterFirst) };
}

async function pageList(limit: number) {
  const start = performance.now();
  let records = 0;
  let cursor: string | undefined;
  do {
    const b = await get(`/contacts?per_page=150${cursor ? `&starting_after=${encodeURIComponent(cursor)}` : ''}`);
    records += b.data.length;
    cursor = b.pages.next?.starting_after;
  } while (cursor && records < limit);
  return { records, seconds: (performance.now() - start) / 1000 };
}

const now = fake.clock.now();
// updated_at window holding ~TARGET records (base records spread evenly over two years).
const days = Math.ceil((TARGET / CONTACTS) * 730) + 1;
const windowQuery = { field: 'updated_at', operator: '>', value: now - days * 86400 };
const search = await pageSearch(windowQuery, Infinity);
const list = await pageList(TARGET);
const scan = await pageSearch({ field: 'role', operator: '=', value: 'lead' }, 150 * 20);
child.send('stop');
const [{ peakRss }] = (await once(child, 'message')) as [{ peakRss: number }];
await dispatcher.close();

const rows = [
  ['workspace', `${CONTACTS.toLocaleString('en-US')} contacts (generated lazily from seed 1)`],
  ['server start-up', `${startupMs.toFixed(0)} ms`],
  ['contacts search, updated_at window, per_page 150', `${search.records.toLocaleString('en-US')} records in ${search.requests} pages, ${search.seconds.toFixed(2)} s → **${Math.round(search.records / search.seconds).toLocaleString('en-US')} records/s** (first page ${search.firstMs.toFixed(0)} ms)`],
  ['GET /contacts cursor list, per_page 150', `${list.records.toLocaleString('en-US')} records, ${list.seconds.toFixed(2)} s → ${Math.round(list.records / list.seconds).toLocaleString('en-US')} records/s`],
  ['contacts search, non-time predicate (full scan of 1M on first page)', `first page ${scan.firstMs.toFixed(0)} ms (total_count ${scan.total.toLocaleString('en-US')}), then ${scan.restRate.toLocaleString('en-US')} records/s for the next ${scan.records - 150} records (cached match list)`],
  ['peak RSS of the server process while paged', `**${mb(peakRss)} MB**`],
];
const machine = `${os.cpus()[0]?.model ?? 'cpu'} ×${os.cpus().length}, Node ${process.version}`;
const section = [
  '## Fake Intercom',
  '',
  `Measured by \`node --expose-gc --import tsx bench/fake-intercom.ts\` on ${machine}, ${new Date().toISOString().slice(0, 10)}.`,
  '',
  '| what | result |',
  '| --- | --- |',
  ...rows.map(([a, b]) => `| ${a} | ${b} |`),
  '',
].join('\n');
console.log(section);

const file = new URL('../docs/benchmarks.md', import.meta.url);
let doc = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '# Benchmarks\n\n';
const re = /## Fake Intercom\n[\s\S]*?(?=\n## |$)/;
doc = re.test(doc) ? doc.replace(re, section.trimEnd() + '\n') : doc.trimEnd() + '\n\n' + section;
fs.writeFileSync(file, doc);
}
