/**
 * Issue #4 benchmark: how well a full sync uses Intercom's rate budget, through the real CLI.
 *
 *   npm run build && node --import tsx bench/rate-budget.ts [--repeats=2] [--scale=1]
 *
 * A fake Intercom (own process: forked from this file with `--server`, because the CLI's
 * `fake-intercom` command has no latency-jitter flag) with Intercom's default private-app limit
 * (10,000 requests/min, enforced per 10-second window: 1,667 per window) and 100 ms ± 30 ms
 * latency serves 50k contacts, 5k companies, 20k conversations (≈ 8 parts each, every 200th
 * with 501–800) and 2k tickets. Per repeat:
 *   1. full sync of contacts, companies, conversations (+ parts), tickets (+ parts), 4 assets at once;
 *   2. company_segments alone (one GET per company: measured apart from the four tables);
 *   3. 1% of the records of each table changed (`/_fake/...`), clock advanced one hour, incremental run.
 * Reported: wall time / floor (requests ÷ 166.7/s), requests / theoretical minimum (from the
 * fake's ground truth), 429 share, incremental / full requests, and the time a fixed
 * 1,000 requests/min client (what peers throttle to) would need for the same requests.
 *
 * Issue 18, each table alone against a slow search (search pages slower than other requests):
 *
 *   node --import tsx bench/rate-budget.ts --alone=contacts,conversations,tickets,companies \
 *     --search-latency-ms=300 [--per-minute=10000] [--scale=1] [--contacts=200000] [--search-slices=8]
 *
 * One fake (100 ms ± 30 ms latency, search pages `--search-latency-ms` + the same jitter), one
 * full sync per table into its own project; per table: wall ÷ floor, requests ÷ minimum, 429s.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startFakeIntercom, type FakeIntercomStats } from '../src/fake-intercom/index.js';
import { localDayStart, nextLocalDayStart } from '../src/intercom/read/timezone.js';
import { cpuSeconds, fmt, runSampled } from './lib.js';

const text = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
const arg = (name: string, def: number) => Number(text(name) ?? def);
const SCALE = arg('scale', 1);
const REPEATS = arg('repeats', 2);
const PER_MINUTE = arg('per-minute', 10_000);
const RATE = PER_MINUTE / 60; // requests per second the app may send (1,667 per 10 s window)
const SEARCH_LATENCY_MS = arg('search-latency-ms', 100);
const SEARCH_SLICES = text('search-slices');
const PEER_RATE = 1000 / 60;
const TZ = 'America/Los_Angeles';
const COUNTS = {
  contacts: arg('contacts', 50_000),
  companies: arg('companies', 5_000),
  conversations: arg('conversations', 20_000),
  tickets: arg('tickets', 2_000),
};
const FOUR = ['intercom.contacts', 'intercom.companies', 'intercom.conversations', 'intercom.tickets'];

interface Sample {
  t: number;
  requests: number;
  rateLimited: number;
  cpu: number;
}
type ToParent = { type: 'ready'; url: string; now: number } | { type: 'sample'; s: Sample } | { type: 'stats'; stats: FakeIntercomStats };

// ---- helpers ----------------------------------------------------------------------------------
interface Fake {
  url: string;
  child: ChildProcess;
  samples: Sample[];
  stats(): Promise<FakeIntercomStats>;
  close(): Promise<void>;
}

async function startFake(): Promise<Fake> {
  const opts = {
    contacts: COUNTS.contacts * SCALE,
    companies: COUNTS.companies * SCALE,
    conversations: COUNTS.conversations * SCALE,
    tickets: COUNTS.tickets * SCALE,
    rateLimitPerMinute: PER_MINUTE,
    latencyMs: 100,
    searchLatencyMs: SEARCH_LATENCY_MS,
    latencyJitterMs: 30,
    timezone: TZ,
  };
  const child = fork(fileURLToPath(import.meta.url), ['--server'], { env: { ...process.env, RB_FAKE: JSON.stringify(opts) } });
  const samples: Sample[] = [];
  let statsWaiter: ((s: FakeIntercomStats) => void) | undefined;
  const ready = new Promise<{ url: string }>((resolve) => {
    child.on('message', (m: ToParent) => {
      if (m.type === 'ready') resolve(m);
      else if (m.type === 'sample') samples.push(m.s);
      else if (m.type === 'stats') statsWaiter?.(m.stats);
    });
  });
  const { url } = await ready;
  return {
    url,
    child,
    samples,
    stats: () => new Promise((resolve) => ((statsWaiter = resolve), child.send({ type: 'stats' }))),
    close: async () => {
      child.send({ type: 'close' });
      await once(child, 'exit');
    },
  };
}

type Row = Record<string, any>;
/** The export, streamed line by line, keeping only what the minimum needs (200k contacts' JSON is too long for one string). */
async function exportTable(url: string, table: string): Promise<Row[]> {
  const res = await fetch(`${url}/_fake/export/${table}`);
  const slim = (r: Row): Row => ({
    id: r.id,
    updated_at: r.updated_at,
    tags: r.tags && { has_more: r.tags.has_more },
    companies: r.companies && { has_more: r.companies.has_more, total_count: r.companies.total_count },
  });
  const out: Row[] = [];
  const decoder = new TextDecoder();
  let buf = '';
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    buf += decoder.decode(chunk, { stream: true });
    const lines = buf.split('\n');
    buf = lines.pop()!;
    for (const l of lines) if (l) out.push(slim(JSON.parse(l) as Row));
  }
  if (buf) out.push(slim(JSON.parse(buf) as Row));
  return out;
}
async function fakePost(url: string, p: string, body: unknown): Promise<void> {
  const r = await fetch(`${url}/_fake/${p}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!r.ok) throw new Error(`POST /_fake/${p}: ${r.status} ${await r.text()}`);
  await r.arrayBuffer();
}

/** Request paths by kind (each conversation's GET is its own path in the fake's counters). */
function kind(p: string): string {
  if (p === '/me' || p === '/data_attributes') return '/me + /data_attributes';
  return p
    .replace(/^\/contacts\/[0-9a-f]{24}\/(tags|companies)$/, '/contacts/{id}/*')
    .replace(/^\/companies\/[0-9a-f]{24}\//, '/companies/{id}/')
    .replace(/^\/(conversations|tickets)\/\d+$/, '/$1/{id}');
}
function byKind(a: FakeIntercomStats, b: FakeIntercomStats): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [p, n] of Object.entries(b.byPath)) {
    const d = n - (a.byPath[p] ?? 0);
    if (d > 0) out[kind(p)] = (out[kind(p)] ?? 0) + d;
  }
  return out;
}

interface Window {
  start: number;
  end: number;
}
function windows(stderr: string): Record<string, Window | undefined> {
  const out: Record<string, Window | undefined> = {};
  for (const m of stderr.matchAll(/^(\S+): started,(?: window (\S+) \.\. (\S+))?/gm)) {
    out[m[1]!] = m[2] ? { start: Date.parse(m[2]) / 1000, end: Date.parse(m[3]!) / 1000 } : undefined;
  }
  return out;
}

/** Checkpoint commits per asset from the CLI's log lines: count, total and longest commit seconds. */
function commits(stderr: string): Record<string, { n: number; total: number; max: number }> {
  const out: Record<string, { n: number; total: number; max: number }> = {};
  for (const m of stderr.matchAll(/^(\S+): checkpoint at .* committed in ([\d.]+) s/gm)) {
    const c = (out[m[1]!] ??= { n: 0, total: 0, max: 0 });
    const sec = Number(m[2]);
    c.n++;
    c.total += sec;
    c.max = Math.max(c.max, sec);
  }
  return out;
}

interface Truth {
  contacts: Row[];
  companies: Row[];
  conversations: Row[];
  tickets: Row[];
}
async function truth(url: string): Promise<Truth> {
  const [contacts, companies, conversations, tickets] = await Promise.all(
    ['contacts', 'companies', 'conversations', 'tickets'].map((t) => exportTable(url, t)),
  );
  return { contacts: contacts!, companies: companies!, conversations: conversations!, tickets: tickets! };
}

/**
 * The fewest requests that read what the run's windows ask for: full 150-record search pages of
 * the records the query can match (contacts search matches whole days in the workspace zone),
 * one GET per conversation/ticket in the window, the full lists of contacts whose nested tags or
 * companies are truncated, all company list pages (no server-side filter), and one /me (plus the
 * /data_attributes reads the run did, at most one per asset) per asset.
 */
function minimum(t: Truth, w: Record<string, Window | undefined>, overhead: number): Record<string, number> {
  const pages = (n: number) => Math.max(1, Math.ceil(n / 150));
  const inW = (win: Window | undefined) => (r: Row) => !win || (r.updated_at >= win.start && r.updated_at <= win.end);
  const cw = w['intercom.contacts'];
  const dayMatch = (r: Row) => !cw || (r.updated_at >= localDayStart(cw.start, TZ) && r.updated_at < nextLocalDayStart(cw.end, TZ));
  const contactsKept = t.contacts.filter(inW(cw));
  let hydrate = 0;
  for (const c of contactsKept) {
    if (c.tags?.has_more) hydrate += 1;
    if (c.companies?.has_more) hydrate += pages(c.companies.total_count ?? 0);
  }
  const conv = t.conversations.filter(inW(w['intercom.conversations'])).length;
  const tick = t.tickets.filter(inW(w['intercom.tickets'])).length;
  return {
    '/contacts/search': pages(t.contacts.filter(dayMatch).length),
    '/contacts/{id}/*': hydrate,
    '/companies/list': pages(t.companies.length),
    '/conversations/search': pages(conv),
    '/conversations/{id}': conv,
    '/tickets/search': pages(tick),
    '/tickets/{id}': tick,
    '/me + /data_attributes': overhead,
  };
}

/** Requests, 429s and CPU per aligned 10-second window of the fake (its rate-limit windows). */
function timeline(samples: Sample[], from: number, to: number, ingest: Array<{ t: number; cpu: number }>): string[] {
  const rows: string[] = [];
  const at = (t: number) => samples.reduce<Sample | undefined>((best, s) => (s.t <= t + 200 ? s : best), undefined);
  const ingestAt = (t: number) => ingest.reduce((best, s) => (s.t <= t + 200 ? s.cpu : best), 0);
  for (let w = Math.floor(from / 10_000) * 10_000; w < to; w += 10_000) {
    const a = at(w);
    const b = at(w + 10_000);
    if (!a || !b) continue;
    const span = (b.t - a.t) / 1000;
    rows.push(
      `| ${new Date(w).toISOString().slice(11, 19)} | ${fmt(b.requests - a.requests)} | ${fmt(b.rateLimited - a.rateLimited)} | ${fmt((100 * (b.cpu - a.cpu)) / span)}% | ${fmt((100 * (ingestAt(w + 10_000) - ingestAt(w))) / span)}% |`,
    );
  }
  return rows;
}

function makeProject(url: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ielt-rate-'));
  mkdirSync(path.join(dir, 'assets'));
  writeFileSync(
    path.join(dir, 'connections.yml'),
    `connections:\n  intercom:\n    - name: intercom\n      access_token: fake-token\n      base_url: ${url}\n      api_version: "2.14"\n${SEARCH_SLICES ? `      search_slices: ${SEARCH_SLICES}\n` : ''}  duckdb:\n    - name: duckdb\n      path: ./bench.duckdb\n`,
  );
  for (const t of ['contacts', 'companies', 'conversations', 'tickets', 'company_segments']) {
    writeFileSync(path.join(dir, 'assets', `${t}.asset.yml`), `name: intercom.${t}\nparameters:\n  source_table: ${t}\n`);
  }
  return dir;
}

interface Phase {
  seconds: number;
  firstRequestS: number;
  lastRequestS: number;
  requests: number;
  rateLimited: number;
  kinds: Record<string, number>;
  fakeCpu: number;
  ingestCpu: number;
  summary: string[];
  stderr: string;
  timeline: string[];
}

async function phase(fake: Fake, dir: string, assets: string[]): Promise<Phase> {
  const before = await fake.stats();
  const ingestSamples: Array<{ t: number; cpu: number }> = [];
  const fakeCpu0 = cpuSeconds(fake.child.pid!);
  const t0 = Date.now();
  const run = await runSampled(['ingest', ...assets, '--config', path.join(dir, 'connections.yml'), '--progress', 'log'], dir, (s) => ingestSamples.push(s));
  const t1 = Date.now();
  const fakeCpu = cpuSeconds(fake.child.pid!) - fakeCpu0;
  if (run.code !== 0) throw new Error(`ingest ${assets.join(' ')} failed (${run.code}):\n${run.stdout}\n${run.stderr}`);
  await new Promise((r) => setTimeout(r, 1100)); // the sample at the last window's end
  const after = await fake.stats();
  // when requests started and stopped reaching the fake (1-second samples): start-up and tail of the run
  const mine = fake.samples.filter((x) => x.t >= t0 && x.t <= t1 + 1000);
  const first = mine.find((x) => x.requests > before.requests);
  const last = mine.find((x) => x.requests >= after.requests);
  return {
    seconds: run.seconds,
    firstRequestS: first ? (first.t - t0) / 1000 : NaN,
    lastRequestS: last ? (last.t - t0) / 1000 : NaN,
    requests: after.requests - before.requests,
    rateLimited: after.rateLimited - before.rateLimited,
    kinds: byKind(before, after),
    fakeCpu: fakeCpu / run.seconds,
    ingestCpu: run.cpuSeconds / run.seconds,
    summary: run.stdout.split('\n').filter((l) => /^(asset|intercom\.)/.test(l)),
    stderr: run.stderr,
    timeline: timeline(fake.samples, t0, t1, ingestSamples),
  };
}

/** 1% of every table changed (updates; half the changed conversations also get two new parts), one hour later. */
async function mutate(url: string, t: Truth): Promise<Record<string, number>> {
  await fakePost(url, 'clock', { advance: 3600 });
  const pick = (rows: Row[]) => rows.filter((_, i) => i % 100 === 50);
  const changed: Record<string, number> = {};
  const each = async (table: string, rows: Row[], patch: (r: Row, i: number) => Promise<void>) => {
    const p = pick(rows);
    changed[table] = p.length;
    for (let i = 0; i < p.length; i += 50) await Promise.all(p.slice(i, i + 50).map((r, k) => patch(r, i + k)));
  };
  await each('contacts', t.contacts, (r) => fakePost(url, `contacts/${r.id}`, { name: `changed ${r.id}` }));
  await each('companies', t.companies, (r) => fakePost(url, `companies/${r.id}`, { name: `changed ${r.id}` }));
  await each('conversations', t.conversations, async (r, i) => {
    await fakePost(url, `conversations/${r.id}`, { title: `changed ${r.id}` });
    if (i % 2 === 0) await fakePost(url, `conversations/${r.id}/parts`, { count: 2 });
  });
  await each('tickets', t.tickets, (r) => fakePost(url, `tickets/${r.id}`, { open: false }));
  // past the settle lag (30 s), so the changes fall inside the next run's frozen window
  await fakePost(url, 'clock', { advance: 120 });
  return changed;
}

const sum = (o: Record<string, number>) => Object.values(o).reduce((a, b) => a + b, 0);
const overheadOf = (k: Record<string, number>) => k['/me + /data_attributes'] ?? 0;

async function main(): Promise<void> {
  const results: string[] = [];
  for (let rep = 1; rep <= REPEATS; rep++) {
    const load = os.loadavg()[0]!.toFixed(2);
    const fake = await startFake();
    try {
      const dir = makeProject(fake.url);
      const t0 = await truth(fake.url);
      const full = await phase(fake, dir, FOUR);
      const fullMin = minimum(t0, windows(full.stderr), overheadOf(full.kinds));
      const seg = await phase(fake, dir, ['intercom.company_segments']);
      const segMin = Math.ceil(t0.companies.length / 150) + t0.companies.length + overheadOf(seg.kinds);
      const changed = await mutate(fake.url, t0);
      const t1 = await truth(fake.url);
      const inc = await phase(fake, dir, FOUR);
      // the contacts search is one cursor chain (page after page, each page's hydration before the
      // next page): its time alone, with the whole budget to itself, bounds the full sync from below
      const alone = rep === 1 ? await phase(fake, makeProject(fake.url), ['intercom.contacts']) : undefined;
      const incW = windows(inc.stderr);
      const incMin = minimum(t1, incW, overheadOf(inc.kinds));
      // one workspace day of contacts: the day the contacts window starts in (re-read because search matches whole days)
      const cw = incW['intercom.contacts']!;
      const dayStart = localDayStart(cw.start, TZ);
      const dayPages = Math.ceil(t1.contacts.filter((c) => c.updated_at >= dayStart && c.updated_at < nextLocalDayStart(dayStart, TZ)).length / 150);
      const incAllowance = 0.02 * full.requests + dayPages;

      const floor = full.requests / RATE;
      const fullMinTotal = sum(fullMin);
      const peer = full.requests / PEER_RATE;
      const numbers = {
        repeat: rep,
        loadavg1_before: Number(load),
        loadavg1_after: os.loadavg()[0],
        cpus: os.cpus().length,
        full: {
          wall_s: full.seconds,
          first_request_s: full.firstRequestS,
          last_request_s: full.lastRequestS,
          requests: full.requests,
          floor_s: floor,
          wall_over_floor: full.seconds / floor,
          minimum: fullMinTotal,
          requests_over_minimum: full.requests / fullMinTotal,
          status_429: full.rateLimited,
          pct_429: (100 * full.rateLimited) / full.requests,
          peer_1000_per_min_s: peer,
          wall_over_peer: full.seconds / peer,
          fake_cpu: full.fakeCpu,
          ingest_cpu: full.ingestCpu,
          by_kind: full.kinds,
          minimum_by_kind: fullMin,
        },
        company_segments: {
          wall_s: seg.seconds,
          requests: seg.requests,
          floor_s: seg.requests / RATE,
          wall_over_floor: seg.seconds / (seg.requests / RATE),
          minimum: segMin,
          status_429: seg.rateLimited,
          fake_cpu: seg.fakeCpu,
          by_kind: seg.kinds,
        },
        contacts_alone: alone && {
          wall_s: alone.seconds,
          requests: alone.requests,
          requests_per_s: alone.requests / alone.seconds,
          floor_s: alone.requests / RATE,
          fake_cpu: alone.fakeCpu,
          ingest_cpu: alone.ingestCpu,
          last_request_s: alone.lastRequestS,
        },
        incremental: {
          changed,
          wall_s: inc.seconds,
          requests: inc.requests,
          over_full: inc.requests / full.requests,
          allowance: incAllowance,
          day_pages: dayPages,
          over_allowance: inc.requests / incAllowance,
          minimum: sum(incMin),
          status_429: inc.rateLimited,
          by_kind: inc.kinds,
          minimum_by_kind: incMin,
          windows: incW,
        },
      };
      console.log(`\n### repeat ${rep} (load average ${load} before, ${os.loadavg()[0]!.toFixed(2)} after; ${os.cpus().length} CPUs)`);
      console.log('\nfull sync summary (CLI):');
      for (const l of full.summary) console.log(`    ${l}`);
      for (const [a, c] of Object.entries(commits(full.stderr)))
        console.log(`    ${a}: ${c.n} checkpoints, commits ${fmt(c.total, 1)} s in all, longest ${fmt(c.max, 1)} s (behind the fetching)`);
      console.log(
        `\nfirst request reached the fake ≤ ${fmt(full.firstRequestS, 0)} s after spawn; last ≤ ${fmt(full.lastRequestS, 0)} s; process exit ${fmt(full.seconds, 1)} s`,
      );
      if (alone)
        console.log(
          `contacts alone (full budget to itself): ${fmt(alone.seconds, 1)} s, ${fmt(alone.requests)} requests = ${fmt(alone.requests / alone.seconds, 1)}/s (budget 166.7/s), last request ≤ ${fmt(alone.lastRequestS, 0)} s`,
        );
      console.log(
        '\nfull sync per 10-second rate-limit window (budget 1,667):\n\n| window (UTC) | requests | 429s | fake CPU | ingest CPU |\n| --- | ---: | ---: | ---: | ---: |',
      );
      for (const l of full.timeline) console.log(l);
      console.log('\nrequests by kind, full sync: actual / minimum');
      for (const k of new Set([...Object.keys(full.kinds), ...Object.keys(fullMin)]))
        console.log(`    ${k}: ${fmt(full.kinds[k] ?? 0)} / ${fmt(fullMin[k] ?? 0)}`);
      console.log('\nrequests by kind, incremental: actual / minimum');
      for (const k of new Set([...Object.keys(inc.kinds), ...Object.keys(incMin)])) console.log(`    ${k}: ${fmt(inc.kinds[k] ?? 0)} / ${fmt(incMin[k] ?? 0)}`);
      console.log('\nraw:', JSON.stringify(numbers));
      results.push(
        `| ${rep} | ${load} | ${fmt(full.seconds, 1)} s | ${fmt(full.requests)} | ${fmt(floor, 1)} s | **${fmt(full.seconds / floor, 3)}** | ${fmt(fullMinTotal)} | **${fmt(full.requests / fullMinTotal, 3)}** | ${fmt(full.rateLimited)} (${fmt((100 * full.rateLimited) / full.requests, 2)}%) | ${fmt(inc.requests)} (**${fmt((100 * inc.requests) / full.requests, 2)}%**, allowance ${fmt(incAllowance)}) | ${fmt(peer, 0)} s (**${fmt(full.seconds / peer, 3)}**) | ${fmt(100 * full.fakeCpu)}% / ${fmt(100 * full.ingestCpu)}% |`,
        ...(alone
          ? [
              `| ${rep} | contacts alone | ${fmt(alone.seconds, 1)} s | ${fmt(alone.requests)} | ${fmt(alone.requests / RATE, 1)} s | ${fmt(alone.seconds / (alone.requests / RATE), 3)} | | | ${fmt(alone.rateLimited)} | | | ${fmt(100 * alone.fakeCpu)}% / ${fmt(100 * alone.ingestCpu)}% |`,
            ]
          : []),
        `| ${rep} | company_segments alone | ${fmt(seg.seconds, 1)} s | ${fmt(seg.requests)} | ${fmt(seg.requests / RATE, 1)} s | ${fmt(seg.seconds / (seg.requests / RATE), 3)} | ${fmt(segMin)} | ${fmt(seg.requests / segMin, 3)} | ${fmt(seg.rateLimited)} | | | ${fmt(100 * seg.fakeCpu)}% |`,
      );
    } finally {
      await fake.close();
    }
  }
  console.log(
    '\n| run | load avg (1 min) | wall time | requests | floor (requests ÷ 166.7/s) | wall ÷ floor (≤ 1.10) | minimum | requests ÷ minimum (= 1) | 429s (< 1%) | incremental after 1% changed (≤ 2% + 1 day of contacts) | 1,000/min client (ours ÷ it) | CPU fake / ingest |',
  );
  console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const r of results) console.log(r);
}

/** Request kinds of each table read alone (plus /me and /data_attributes). */
const KINDS: Record<string, string[]> = {
  contacts: ['/contacts/search', '/contacts/{id}/*'],
  companies: ['/companies/list'],
  conversations: ['/conversations/search', '/conversations/{id}'],
  tickets: ['/tickets/search', '/tickets/{id}'],
};

/** Issue 18: each table alone, full sync, against the fake's slow search pages. */
async function alone(tables: string[]): Promise<void> {
  const load = () =>
    os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(', ');
  const fake = await startFake();
  const rows: string[] = [];
  try {
    const t = await truth(fake.url);
    for (const table of tables) {
      const kinds = KINDS[table];
      if (!kinds) throw new Error(`--alone: unknown table ${table} (known: ${Object.keys(KINDS).join(', ')})`);
      const loadBefore = load();
      const p = await phase(fake, makeProject(fake.url), [`intercom.${table}`]);
      const min = minimum(t, windows(p.stderr), overheadOf(p.kinds));
      const minTotal = overheadOf(p.kinds) + kinds.reduce((n, k) => n + (min[k] ?? 0), 0);
      const floor = p.requests / RATE;
      const n = (t as unknown as Record<string, Row[]>)[table]!.length;
      console.log(
        `\n${table} alone: ${fmt(p.seconds, 1)} s, requests ${JSON.stringify(p.kinds)}, minimum ${minTotal}; first request ≤ ${fmt(p.firstRequestS, 0)} s, last ≤ ${fmt(p.lastRequestS, 0)} s`,
      );
      for (const l of p.summary) console.log(`    ${l}`);
      rows.push(
        `| ${table} (${fmt(n)}) | ${SEARCH_LATENCY_MS} ms | ${fmt(PER_MINUTE)}/min | ${SEARCH_SLICES ?? 'default'} | ${fmt(p.seconds, 1)} s | ${fmt(p.requests)} | ${fmt(floor, 1)} s | **${fmt(p.seconds / floor, 2)}** | ${fmt(minTotal)} | **${fmt(p.requests / minTotal, 3)}** | ${fmt(p.rateLimited)} | ${fmt(p.lastRequestS - p.firstRequestS, 0)} s | ${fmt(100 * p.fakeCpu)}% / ${fmt(100 * p.ingestCpu)}% | ${loadBefore} → ${load()} |`,
      );
    }
  } finally {
    await fake.close();
  }
  console.log(
    '\n| table alone | search latency | limit | search_slices | wall | requests | floor | wall ÷ floor (≤ 1.25) | minimum | requests ÷ minimum (≤ 1.02) | 429s | first → last request (1-s samples) | CPU fake / ingest | load avg (1, 5, 15 min) before → after |',
  );
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |');
  for (const r of rows) console.log(r);
}

// ---- the fake, in its own process -------------------------------------------------------------
async function serve(): Promise<void> {
  const opts = JSON.parse(process.env.RB_FAKE ?? '{}');
  const fake = await startFakeIntercom(opts);
  const send = (m: ToParent) => process.send?.(m);
  const sample = () => {
    const s = fake.stats();
    const u = process.cpuUsage();
    send({ type: 'sample', s: { t: Date.now(), requests: s.requests, rateLimited: s.rateLimited, cpu: (u.user + u.system) / 1e6 } });
  };
  // one sample per wall-clock second, on the boundary, so 10-second windows can be cut exactly
  const tick = () => setTimeout(() => (sample(), tick()), 1000 - (Date.now() % 1000)).unref();
  tick();
  process.on('message', async (m: { type: string }) => {
    if (m.type === 'stats') send({ type: 'stats', stats: fake.stats() });
    if (m.type === 'close') {
      await fake.close();
      process.exit(0);
    }
  });
  send({ type: 'ready', url: fake.url, now: fake.clock.now() });
}

// dispatched last: every declaration above is initialised by now
if (process.argv[2] === '--server') await serve();
else if (text('alone')) await alone(text('alone')!.split(','));
else await main();
