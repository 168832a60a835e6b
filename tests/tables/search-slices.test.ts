/**
 * Issue 18: parallel search slices (src/intercom/read/slices.ts) against the fake Intercom over
 * HTTP through the real client: whole local days for contacts (DST days included), second-exact
 * slices for conversations, nothing lost or read twice, resume from any page's token without
 * re-reading finished slices, and a record updated into a finished slice picked up by the next run;
 * page-number lists read several pages at once, in order, resumable.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startFakeIntercom, type FakeIntercom } from '../../src/fake-intercom/index.js';
import { createIntercomClient } from '../../src/intercom/client.js';
import { readCompanies } from '../../src/intercom/tables/companies.js';
import { contacts } from '../../src/intercom/tables/contacts.js';
import { ChainPace, cut, searchPages, splitPoints, type SearchSpec, type SlicesResume } from '../../src/intercom/read/slices.js';
import type { Row, Window } from '../../src/core/schema.js';
import type { ExtractContext } from '../../src/intercom/tables/spec.js';
import { localDayStart, nextLocalDayStart } from '../../src/intercom/read/timezone.js';
import type { IntercomClient } from '../../src/intercom/types.js';
import { planWindow } from '../../src/pipeline/window.js';
import { exportTable } from '../helpers/truth.js';

const TOKEN = 'tok-slices-18';
const TZ = 'America/Los_Angeles';
const CONTACTS: SearchSpec = { path: '/contacts/search', field: 'updated_at', granularity: 'day', recordsKey: 'data' };
const CONVERSATIONS: SearchSpec = { path: '/conversations/search', field: 'updated_at', granularity: 'second', recordsKey: 'conversations' };
const iso = (s: string) => Date.parse(s) / 1000;

let fake: FakeIntercom;
let client: IntercomClient;
let truth: Row[];

beforeAll(async () => {
  // ~205 contacts a day over the two years before 2026-01-01: a few days are several pages
  fake = await startFakeIntercom({
    seed: 18,
    token: TOKEN,
    contacts: 150_000,
    companies: 5,
    conversations: 3000,
    tickets: 5,
    timezone: TZ,
    rateLimitPerMinute: null,
  });
  client = createIntercomClient({ accessToken: TOKEN, apiVersion: '2.14', baseUrl: fake.url });
}, 60_000);
afterAll(async () => {
  await client?.close();
  await fake?.close();
});

function context(o: { window?: Window; slices: number; resume?: unknown; counters?: Record<string, number> }): ExtractContext {
  return {
    client,
    apiVersion: '2.14',
    timezone: TZ,
    window: o.window,
    resume: o.resume,
    concurrency: 8,
    slices: o.slices,
    count: (name, n = 1) => {
      if (o.counters) o.counters[name] = (o.counters[name] ?? 0) + n;
    },
  };
}

interface Read {
  ids: string[];
  tokens: Array<SlicesResume | undefined>;
  pages: Row[][];
}
async function readAll(ctx: ExtractContext, spec: SearchSpec, stopAfter = Infinity): Promise<Read> {
  const out: Read = { ids: [], tokens: [], pages: [] };
  for await (const p of searchPages(ctx, spec)) {
    const rows = ctx.window ? p.records.filter((r) => Number(r.updated_at) >= ctx.window!.start && Number(r.updated_at) <= ctx.window!.end) : p.records;
    out.ids.push(...rows.map((r) => String(r.id)));
    out.pages.push(p.records);
    out.tokens.push(p.resume as SlicesResume | undefined);
    if (out.pages.length >= stopAfter) break;
  }
  return out;
}

const expected = (w: Window) =>
  truth
    .filter((c) => Number(c.updated_at) >= w.start && Number(c.updated_at) <= w.end)
    .map((c) => String(c.id))
    .sort();
const starts = (r: Read) => new Set(r.tokens.flatMap((t) => t?.slices.map((s) => s.start) ?? []));

describe('contacts: whole local days', () => {
  beforeAll(async () => {
    truth = await exportTable(fake.url, 'contacts');
  }, 240_000);

  test.each([
    ['spring forward (23-hour day)', '2025-03-09T12:00:00-07:00'],
    ['fall back (25-hour day)', '2025-11-02T12:00:00-08:00'],
  ])(
    'a window around %s: slices cut at local midnights, the DST day included; nothing lost, nothing twice',
    async (_, dstNoon) => {
      const dstDay = localDayStart(iso(dstNoon), TZ);
      expect(nextLocalDayStart(dstDay, TZ) - dstDay).not.toBe(86400);
      // two windows whose middle falls in the DST day and in the day after it: cut in two, the cut
      // is the local midnight starting that day (partial first and last days at the window's ends)
      for (const boundary of [dstDay, nextLocalDayStart(dstDay, TZ)]) {
        const window = { start: boundary - 4 * 86400 + 15 * 3600, end: boundary + 4 * 86400 + 7 * 3600 };
        const counters: Record<string, number> = {};
        const r = await readAll(context({ window, slices: 2, counters }), CONTACTS);
        expect(counters['search_slices'], 'the window was read in slices').toBeGreaterThan(0);
        expect(r.ids.length).toBe(new Set(r.ids).size); // no contact read twice
        expect([...r.ids].sort()).toEqual(expected(window));
        const cuts = [...starts(r)].filter((s) => s !== window.start);
        for (const s of cuts) expect(localDayStart(s, TZ)).toBe(s);
        expect(cuts).toContain(boundary);
      }
    },
    60_000,
  );

  test('split points are local midnights in (start, end]; the parts share no second', () => {
    const w = { start: iso('2025-03-01T10:00:00Z'), end: iso('2025-03-20T10:00:00Z') };
    const points = splitPoints(w, 8, 'day', TZ);
    expect(points.length).toBe(7);
    for (const p of points) expect(localDayStart(p, TZ)).toBe(p);
    const parts = cut(w, points);
    expect(parts[0]!.start).toBe(w.start);
    expect(parts.at(-1)!.end).toBe(w.end);
    for (let i = 1; i < parts.length; i++) expect(parts[i]!.start).toBe(parts[i - 1]!.end + 1);
    // a window inside one day cannot be cut
    expect(splitPoints({ start: iso('2025-03-09T09:00:00Z'), end: iso('2025-03-09T20:00:00Z') }, 8, 'day', TZ)).toEqual([]);
  });

  test('a small window is one chain: no extra request', async () => {
    const window = { start: iso('2025-06-10T00:00:00Z'), end: iso('2025-06-10T06:00:00Z') };
    const before = fake.stats().byPath['/contacts/search'] ?? 0;
    const counters: Record<string, number> = {};
    const r = await readAll(context({ window, slices: 8, counters }), CONTACTS);
    expect(counters['search_slices']).toBeUndefined();
    expect([...r.ids].sort()).toEqual(expected(window));
    // whole days are matched: the one day this window touches, 150 a page
    const day = truth.filter(
      (c) => Number(c.updated_at) >= localDayStart(window.start, TZ) && Number(c.updated_at) < nextLocalDayStart(window.start, TZ),
    ).length;
    expect((fake.stats().byPath['/contacts/search'] ?? 0) - before).toBe(Math.ceil(day / 150));
  }, 60_000);
});

describe('resume and lookback', () => {
  test('resuming from any page token reads the rest once and never a finished slice', async () => {
    const window = { start: iso('2025-08-01T00:00:00Z'), end: iso('2025-08-09T00:00:00Z') };
    const all = expected(window);
    for (const stopAfter of [1, 4, 9]) {
      const first = await readAll(context({ window, slices: 4 }), CONTACTS, stopAfter);
      const token = first.tokens.at(-1)!;
      expect(token.slices.length).toBeGreaterThan(0);
      const before = fake.stats().byPath['/contacts/search'] ?? 0;
      const rest = await readAll(context({ window, slices: 4, resume: token }), CONTACTS);
      const ids = [...first.ids, ...rest.ids];
      // nothing lost; nothing read twice (the token covers exactly the pages handed on before it)
      expect([...new Set(ids)].sort()).toEqual(all);
      expect(ids.length).toBe(all.length);
      // only the slices the token lists were asked for
      const asked = (fake.stats().byPath['/contacts/search'] ?? 0) - before;
      expect(asked).toBe(rest.pages.length);
    }
  }, 120_000);

  test('conversations: second-exact slices over the whole table, resumable', async () => {
    const conversations = (await exportTable(fake.url, 'conversations')).map((c) => String(c.id)).sort();
    const counters: Record<string, number> = {};
    const r = await readAll(context({ slices: 4, counters }), CONVERSATIONS);
    expect(counters['search_slices']).toBeGreaterThan(0);
    expect(r.ids.length).toBe(new Set(r.ids).size);
    expect([...r.ids].sort()).toEqual(conversations);
    const head = await readAll(context({ slices: 4 }), CONVERSATIONS, 5);
    const tail = await readAll(context({ slices: 4, resume: head.tokens.at(-1) }), CONVERSATIONS);
    expect([...head.ids, ...tail.ids].sort()).toEqual(conversations);
  }, 60_000);

  test('a record updated into an already-finished slice is picked up by the next run (lookback)', async () => {
    // the run: Intercom's clock at run start, the window a first sync of the last two weeks would use
    const now = fake.clock.now();
    const plan = planWindow(contacts, true, undefined, { now, fullRefresh: false, startDate: now - 14 * 86400 });
    const window = plan.window!;
    const ids: string[] = [];
    let moved: string | undefined;
    for await (const p of searchPages(context({ window, slices: 4 }), CONTACTS)) {
      ids.push(...p.records.map((r) => String(r.id)));
      const token = p.resume as SlicesResume | undefined;
      // the days an unfinished slice still asks for (contacts search matches whole local days)
      const open = (t: number) => token!.slices.some((s) => t >= localDayStart(s.start, TZ) && t < nextLocalDayStart(s.end, TZ));
      if (!moved && token && p.records.length > 0 && !open(now + 60)) {
        // the slice holding today is finished while others are still read: a contact updated now
        // lands in it (the newest slices are read first)
        moved = String(p.records[0]!.id);
        fake.clock.advance(60);
        fake.updateContact(moved, { name: 'changed during the run' });
      }
    }
    expect(moved, 'a slice finished while others were still being read').toBeDefined();
    // the next run: from the committed cursor minus the lookback
    fake.clock.advance(120);
    const next = planWindow(contacts, true, { cursor: plan.nextCursor }, { now: fake.clock.now(), fullRefresh: false });
    const again = await readAll(context({ window: next.window!, slices: 4 }), CONTACTS);
    const row = again.pages.flat().find((r) => String(r.id) === moved);
    expect(row?.name).toBe('changed during the run');
    expect(again.ids).toContain(moved);
  }, 60_000);
});

describe('chains follow the latency (issue 19)', () => {
  test('the pace: one chain, grown to what the spare CPU can feed when the consumer starves, never past the most', async () => {
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    const idle = new ChainPace(8, 0.05);
    expect(idle.chains).toBe(1);
    for (const want of [1, 8, 8]) {
      await sleep(60); // the consumer waited for a page the whole interval, the event loop idle
      idle.starved(0.06);
      expect(idle.chains, 'a slow source: every chain at once, from the second interval').toBe(want);
    }
    const half = new ChainPace(8, 0.1);
    for (const want of [1, 2]) {
      const t = performance.now();
      while (performance.now() < t + 50); // the loop busy half the interval
      await sleep(60);
      half.starved(0.1);
      expect(half.chains, 'room for about one more').toBe(want);
    }
    const busy = new ChainPace(8, 0.05);
    const until = performance.now() + 60;
    while (performance.now() < until); // the event loop busy the whole interval
    busy.starved(0.06);
    expect(busy.chains, 'no CPU to spare: another chain cannot help').toBe(1);
    const fed = new ChainPace(8, 0.05);
    await sleep(60); // idle, but the consumer never waited for a page
    expect(fed.chains, 'the consumer was not waiting').toBe(1);
  });

  /** A contacts read of the whole table with `slices` at most, the consumer taking `useMs` a page; how many search requests were in flight at once at most. */
  async function read(o: { searchLatencyMs: number; useMs: number; slices: number }) {
    const f = await startFakeIntercom({
      seed: 19,
      token: TOKEN,
      contacts: 6000,
      companies: 5,
      conversations: 5,
      tickets: 5,
      timezone: TZ,
      rateLimitPerMinute: null,
      searchLatencyMs: o.searchLatencyMs,
    });
    const c = createIntercomClient({ accessToken: TOKEN, apiVersion: '2.14', baseUrl: f.url });
    let inFlight = 0;
    let most = 0;
    const counted: IntercomClient = {
      ...c,
      request: async (req) => {
        most = Math.max(most, ++inFlight);
        try {
          return await c.request(req);
        } finally {
          inFlight--;
        }
      },
    };
    try {
      const counters: Record<string, number> = {};
      const ids: string[] = [];
      const ctx = { ...context({ slices: o.slices, counters }), client: counted };
      for await (const p of searchPages(ctx, CONTACTS)) {
        ids.push(...p.records.map((r) => String(r.id)));
        await new Promise((r) => setTimeout(r, o.useMs));
      }
      return { counters, most, ids };
    } finally {
      await c.close();
      await f.close();
    }
  }

  test('a source faster than the consumer is read by one chain; a slow one opens several', async () => {
    const fast = await read({ searchLatencyMs: 0, useMs: 40, slices: 8 });
    expect(fast.counters['search_slices'], 'the window was cut').toBeGreaterThan(0);
    expect(new Set(fast.ids).size).toBe(6000);
    expect(fast.ids.length).toBe(6000);
    expect(fast.counters['search_chains']).toBe(1);
    expect(fast.most).toBe(1);

    const slow = await read({ searchLatencyMs: 250, useMs: 0, slices: 8 });
    expect(slow.counters['search_slices']).toBeGreaterThan(0);
    expect(new Set(slow.ids).size).toBe(6000);
    expect(slow.ids.length).toBe(6000);
    // every part that holds records is read at once (some of the 8 parts are small or empty)
    expect(slow.counters['search_chains']).toBeGreaterThanOrEqual(4);
    expect(slow.most, 'search requests in flight at once').toBeGreaterThanOrEqual(4);
  }, 60_000);
});

describe('page-number lists: the remaining pages at once', () => {
  test('companies list: every page once, in order, each with the serial resume token; resumable', async () => {
    const f = await startFakeIntercom({ seed: 19, token: TOKEN, contacts: 3000, companies: 2000, conversations: 0, tickets: 0, latencyMs: 20 });
    const c = createIntercomClient({ accessToken: TOKEN, apiVersion: '2.14', baseUrl: f.url });
    try {
      const truthIds = (await exportTable(f.url, 'companies')).map((x) => String(x.id)).sort();
      const ctx = (resume?: unknown): ExtractContext => ({
        client: c,
        apiVersion: '2.14',
        timezone: TZ,
        resume,
        concurrency: 8,
        slices: 4,
        count: () => undefined,
      });
      const read = async (resume?: unknown) => {
        const pages: Array<{ ids: string[]; next?: number }> = [];
        for await (const p of readCompanies(ctx(resume)))
          pages.push({ ids: p.rows.map((r) => String(r.id)), next: p.resume ? Number(p.resume.next.query?.page) : undefined });
        return pages;
      };
      const before = f.stats().byPath['/companies/list'] ?? 0;
      const pages = await read();
      expect(pages.length).toBe(Math.ceil(truthIds.length / 150));
      expect(pages.length).toBeGreaterThan(4);
      expect((f.stats().byPath['/companies/list'] ?? 0) - before).toBe(pages.length); // no page twice, none extra
      expect(pages.flatMap((p) => p.ids).sort()).toEqual(truthIds);
      // in order: page k's token is page k + 1; the last has none
      expect(pages.map((p) => p.next)).toEqual([...pages.slice(1).map((_, k) => k + 2), undefined]);
      // resume after page 3: pages 4.. once more, the same rows
      const rest = await read({ mode: 'list', next: { method: 'POST', path: '/companies/list', query: { per_page: 150, page: 4, order: 'desc' } } });
      expect(rest.flatMap((p) => p.ids)).toEqual(pages.slice(3).flatMap((p) => p.ids));
    } finally {
      await c.close();
      await f.close();
    }
  }, 60_000);
});
