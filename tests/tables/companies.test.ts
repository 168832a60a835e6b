/**
 * Issue #4, companies: list (≤ 10,000) or scroll chosen from total_count; the scroll stops at the
 * first empty page, restarts on a mid-scroll 500/404, waits while another app holds the scroll.
 * Every run goes fake Intercom → pipeline → real DuckDB file, compared with the fake's export.
 */
import { afterEach, describe, expect, test } from 'vitest';
import { startFakeIntercom, type FakeIntercom } from '../../src/fake-intercom/index.js';
import { COMPANIES_SETTINGS } from '../../src/intercom/tables/companies.js';
import { SCROLL_SETTINGS } from '../../src/intercom/read/scroll.js';
import { runAssets } from '../../src/pipeline/run.js';
import { TOKEN, assetFor, exportAs, project, rows, runOk, secs, tempDb } from './companies-helpers.js';

const defaults = { ...COMPANIES_SETTINGS, ...SCROLL_SETTINGS };
let fakes: FakeIntercom[] = [];

async function fake(opts: Parameters<typeof startFakeIntercom>[0]): Promise<FakeIntercom> {
  const f = await startFakeIntercom({ seed: 4, token: TOKEN, conversations: 0, tickets: 0, ...opts });
  fakes.push(f);
  return f;
}

afterEach(async () => {
  Object.assign(COMPANIES_SETTINGS, { listLimit: defaults.listLimit });
  Object.assign(SCROLL_SETTINGS, {
    existsWaitMs: defaults.existsWaitMs,
    existsTries: defaults.existsTries,
    maxRestarts: defaults.maxRestarts,
    bufferPages: defaults.bufferPages,
  });
  await Promise.all(fakes.map((f) => f.close()));
  fakes = [];
});

/** The warehouse's companies equal the fake's truth: same ids, same updated_at, no duplicates. */
async function expectSameAsTruth(f: FakeIntercom, file: string): Promise<number> {
  const truth = await exportAs(f.url, 'companies');
  const got = await rows(file, 'select id, updated_at, user_count from intercom.companies order by id');
  expect(got.length).toBe(truth.length);
  const want = new Map(truth.map((c) => [String(c.id), Number(c.updated_at)]));
  for (const r of got) expect(secs(r.updated_at)).toBe(want.get(String(r.id)));
  // every stored company has users: lists hide the others (2.14:L3895)
  expect(got.every((r) => Number(r.user_count) > 0)).toBe(true);
  return truth.length;
}

const scrollRequests = (f: FakeIntercom) => f.stats().byPath['/companies/scroll'] ?? 0;
const listRequests = (f: FakeIntercom) => f.stats().byPath['/companies/list'] ?? 0;

describe('companies', () => {
  test('≤ 10,000: POST /companies/list only, the probe page is the first page; incremental by updated_at', async () => {
    const f = await fake({ companies: 400, contacts: 600 });
    const file = tempDb('companies-list');
    const s = await runOk(f.url, file, 'companies');
    const n = await expectSameAsTruth(f, file);
    expect(n).toBeGreaterThan(150); // more than one page
    expect(listRequests(f)).toBe(Math.ceil(n / 150));
    expect(scrollRequests(f)).toBe(0);
    expect(s.counters['companies_scrolled']).toBeUndefined();

    // a company changes: the next run reads the list again and keeps only the window
    const [one] = await exportAs(f.url, 'companies');
    f.clock.advance(3600);
    f.updateCompany(String(one!.id), { name: 'Renamed Ltd' });
    f.clock.advance(60);
    const again = await runOk(f.url, file, 'companies');
    expect(again.rowsByTable['companies']).toBe(1);
    const [row] = await rows(file, `select name from intercom.companies where id = '${one!.id}'`);
    expect(row!.name).toBe('Renamed Ltd');
    await expectSameAsTruth(f, file);
  });

  test('> 10,000 companies: scroll, stopping at the first empty page (pages + 1 requests)', async () => {
    const f = await fake({ companies: 0, contacts: 0, scrollPageSize: 150 });
    for (let k = 0; k < 10_050; k++) f.createCompany({ name: `Co ${k}` });
    const file = tempDb('companies-scroll');
    const s = await runOk(f.url, file, 'companies');
    expect(await expectSameAsTruth(f, file)).toBe(10_050);
    expect(s.counters['companies_scrolled']).toBe(1);
    expect(listRequests(f)).toBe(1); // the probe
    expect(scrollRequests(f)).toBe(Math.ceil(10_050 / 150) + 1);
    expect(s.requests).toBe(1 + 1 + Math.ceil(10_050 / 150) + 1); // GET /me, probe, scroll pages, empty page
  }, 30_000);

  /** Turn the fake's faults off as soon as one was injected (the client backs off ≥ 250 ms before retrying a 500). */
  function oneFault(f: FakeIntercom, kind: 'scroll_restart' | 'scroll_expire'): () => void {
    f.setFaults({ rate: 1, kinds: [kind] });
    const t = setInterval(() => {
      if (f.stats().faultsInjected > 0) f.setFaults({ rate: 0 });
    }, 1);
    return () => clearInterval(t);
  }

  for (const kind of ['scroll_restart', 'scroll_expire'] as const) {
    test(`a mid-scroll ${kind === 'scroll_restart' ? '500 "restart the scroll"' : '404 (expired scroll)'} restarts from the beginning`, async () => {
      COMPANIES_SETTINGS.listLimit = 10;
      SCROLL_SETTINGS.maxRestarts = 20;
      const f = await fake({ companies: 200, contacts: 400, scrollPageSize: 20 });
      const file = tempDb(`companies-${kind}`);
      const stop = oneFault(f, kind);
      let s;
      try {
        s = await runOk(f.url, file, 'companies');
      } finally {
        stop();
      }
      const n = await expectSameAsTruth(f, file);
      const faults = f.stats().faultsInjected;
      expect(faults).toBeGreaterThanOrEqual(1);
      expect(s.counters['scroll_restarts']).toBe(faults);
      const pages = Math.ceil(n / 20);
      // each restart re-reads from the start: more scroll requests than one clean pass
      expect(scrollRequests(f)).toBeGreaterThan(pages + 1);
    });
  }

  test('a scroll page lost in transit (truncated body) is asked again; the gap it left is found by count and read again', async () => {
    COMPANIES_SETTINGS.listLimit = 10;
    const f = await fake({ companies: 200, contacts: 400, scrollPageSize: 20 });
    const file = tempDb('companies-lost-page');
    // one truncated response, on the 4th scroll page: the fake had moved its cursor past it
    const t = setInterval(() => {
      if (f.stats().faultsInjected > 0) f.setFaults({ rate: 0 });
      else if (scrollRequests(f) >= 3) f.setFaults({ rate: 1, kinds: ['truncated_json'] });
    }, 1);
    let s;
    try {
      s = await runOk(f.url, file, 'companies');
    } finally {
      clearInterval(t);
    }
    expect(f.stats().faultsByKind).toEqual({ truncated_json: 1 });
    expect(s.counters['scroll_pages_lost']).toBe(1);
    expect(s.counters['scroll_restarts']).toBe(1);
    await expectSameAsTruth(f, file);
  });

  test('a restart loop gives up after maxRestarts with a clear error', async () => {
    COMPANIES_SETTINGS.listLimit = 10;
    SCROLL_SETTINGS.maxRestarts = 2;
    const f = await fake({ companies: 100, contacts: 200, scrollPageSize: 10 });
    f.setFaults({ rate: 1, kinds: ['scroll_expire'] });
    const r = await runAssets(project(f.url, tempDb('companies-giveup')), [assetFor('companies')]);
    const s = r.summaries[0]!;
    expect(s.status).toBe('failed');
    expect((s.error as { code?: string }).code).toBe('scroll_failed');
    expect(s.counters['scroll_restarts']).toBe(3);
    expect(f.stats().faultsByKind.scroll_expire).toBeGreaterThan(0);
  });

  test('400 scroll_exists: waits until the other scroll expires, then reads everything', async () => {
    COMPANIES_SETTINGS.listLimit = 10;
    SCROLL_SETTINGS.existsWaitMs = 150;
    const f = await fake({ companies: 100, contacts: 200, scrollPageSize: 1, scrollIdleMs: 400 });
    // another application opens the workspace's scroll and keeps using it until our run has
    // been refused at least once, then walks away (its scroll expires 400 ms later)
    const headers = { authorization: `Bearer ${TOKEN}` };
    const other = await fetch(`${f.url}/companies/scroll`, { headers });
    expect(other.status).toBe(200);
    const param = ((await other.json()) as { scroll_param: string }).scroll_param;
    let touches = 1;
    const keepAlive = (async () => {
      while (scrollRequests(f) <= touches) {
        await new Promise((r) => setTimeout(r, 50));
        if (scrollRequests(f) > touches) break;
        expect((await fetch(`${f.url}/companies/scroll?scroll_param=${param}`, { headers })).status).toBe(200);
        touches++;
      }
    })();
    const file = tempDb('companies-exists');
    const s = await runOk(f.url, file, 'companies');
    await keepAlive;
    expect(s.counters['scroll_waits']).toBeGreaterThanOrEqual(1);
    await expectSameAsTruth(f, file);
  });

  test('400 scroll_exists that never frees: fails after existsTries with a message naming the cause', async () => {
    COMPANIES_SETTINGS.listLimit = 10;
    SCROLL_SETTINGS.existsWaitMs = 20;
    SCROLL_SETTINGS.existsTries = 3;
    const f = await fake({ companies: 100, contacts: 200 });
    const other = await fetch(`${f.url}/companies/scroll`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(other.status).toBe(200);
    const r = await runAssets(project(f.url, tempDb('companies-busy')), [assetFor('companies')]);
    const s = r.summaries[0]!;
    expect(s.status).toBe('failed');
    expect((s.error as { code?: string }).code).toBe('scroll_busy');
    expect(s.error!.message).toMatch(/another application holds/);
    expect(s.error!.message).not.toContain(TOKEN);
    expect(s.counters['scroll_waits']).toBe(3);
    expect(scrollRequests(f)).toBe(1 + 3);
  });

  test('a read-ahead bound of 2 pages still reads every page exactly once', async () => {
    COMPANIES_SETTINGS.listLimit = 10;
    SCROLL_SETTINGS.bufferPages = 2;
    const f = await fake({ companies: 300, contacts: 600, scrollPageSize: 10 });
    const file = tempDb('companies-buffer');
    await runOk(f.url, file, 'companies', { checkpointPages: 1 });
    const n = await expectSameAsTruth(f, file);
    expect(scrollRequests(f)).toBe(Math.ceil(n / 10) + 1);
  });
});
