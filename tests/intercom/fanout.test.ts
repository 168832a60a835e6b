/**
 * fanOut reads pages ahead only while the oldest page waits for its fetches: a page whose fetches
 * are done goes out before more pages are read (parsed pages do not pile up behind the consumer),
 * and pages come out in order with their results.
 */
import { describe, expect, it } from 'vitest';
import { fanOut } from '../../src/intercom/read/fanout.js';

type TestPage = { n: number; items: number[] };

/** `count` pages of `per` items each, a turn of the event loop apart (as a response is); `pulled()` says how many were read so far. */
function source(count: number, per: number) {
  let pulled = 0;
  const pages = (async function* () {
    for (let n = 0; n < count; n++) {
      await new Promise((r) => setImmediate(r));
      pulled++;
      yield { n, items: Array.from({ length: per }, (_, i) => n * per + i) } as TestPage;
    }
  })();
  return { pages, pulled: () => pulled };
}

describe('fanOut', () => {
  it('a page whose fetches are done is delivered without reading further ahead', async () => {
    const s = source(40, 5);
    const seen: number[] = [];
    let maxAhead = 0;
    for await (const { page, results } of fanOut(s.pages, async (x: number) => x * 10, { concurrency: 4, pagesAhead: 16 })) {
      expect(results).toEqual(page.items.map((x) => x * 10));
      seen.push(page.n);
      maxAhead = Math.max(maxAhead, s.pulled() - seen.length);
    }
    expect(seen).toEqual(Array.from({ length: 40 }, (_, n) => n));
    // before: the queue was filled to pagesAhead first, 16 pages behind the consumer
    expect(maxAhead).toBeLessThanOrEqual(1);
  });

  it('pages without items go out at once', async () => {
    const s = source(10, 0);
    let maxAhead = 0;
    let n = 0;
    for await (const { results } of fanOut(s.pages, async (x: number) => x, { concurrency: 4, pagesAhead: 8 })) {
      expect(results).toEqual([]);
      maxAhead = Math.max(maxAhead, s.pulled() - ++n);
    }
    expect(n).toBe(10);
    expect(maxAhead).toBe(0);
  });

  it('while the oldest page waits, up to pagesAhead pages are read and their fetches start', async () => {
    const s = source(20, 3);
    const release: Array<() => void> = [];
    const started: number[] = [];
    const fetch = (x: number) =>
      new Promise<number>((resolve) => {
        started.push(x);
        release.push(() => resolve(x));
      });
    const it = fanOut(s.pages, fetch, { concurrency: 100, pagesAhead: 6 })[Symbol.asyncIterator]();
    const first = it.next();
    for (let i = 0; i < 50 && s.pulled() < 6; i++) await new Promise((r) => setTimeout(r, 1));
    expect(s.pulled()).toBe(6);
    expect(started).toHaveLength(18);
    for (const r of release.splice(0)) r();
    expect((await first).value?.page.n).toBe(0);
    // the rest, released as they start
    const rest: number[] = [];
    const pump = setInterval(() => release.splice(0).forEach((r) => r()), 1);
    try {
      for (let r = await it.next(); !r.done; r = await it.next()) rest.push(r.value.page.n);
    } finally {
      clearInterval(pump);
    }
    expect(rest).toEqual(Array.from({ length: 19 }, (_, n) => n + 1));
  });
});
