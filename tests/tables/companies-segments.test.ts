/** Issue #4, company_segments: one GET /companies/{id}/segments per company changed in the window. */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startFakeIntercom, type FakeIntercom } from '../../src/fake-intercom/index.js';
import { COMPANIES_SETTINGS } from '../../src/intercom/tables/companies.js';
import { TOKEN, api, exportAs, rows, runOk, secs, tempDb } from './companies-helpers.js';

let f: FakeIntercom;
beforeAll(async () => {
  f = await startFakeIntercom({ seed: 9, token: TOKEN, companies: 120, contacts: 300, segments: 8, conversations: 0, tickets: 0 });
});
afterAll(async () => {
  COMPANIES_SETTINGS.listLimit = 10_000;
  await f?.close();
});

const segmentRequests = () =>
  Object.entries(f.stats().byPath)
    .filter(([p]) => /^\/companies\/[^/]+\/segments$/.test(p))
    .reduce((n, [, c]) => n + c, 0);

/** (company_id, segment id) pairs as the API answers them, for every company the API lists. */
async function truth(): Promise<string[]> {
  const out: string[] = [];
  for (const c of await exportAs(f.url, 'companies')) {
    const body = await api<{ data: Array<{ id: string }> }>(f.url, `/companies/${c.id}/segments`);
    for (const s of body.data) out.push(`${c.id}|${s.id}`);
  }
  return out.sort();
}

async function stored(file: string): Promise<string[]> {
  const r = await rows(file, 'select company_id, id from intercom.company_segments');
  return r.map((x) => `${x.company_id}|${x.id}`).sort();
}

describe('company_segments', () => {
  for (const via of ['list', 'scroll'] as const) {
    test(`equals GET /companies/{id}/segments for every company (companies read via ${via}); one request per company`, async () => {
      COMPANIES_SETTINGS.listLimit = via === 'list' ? 10_000 : 10;
      const companies = (await exportAs(f.url, 'companies')).length;
      const before = segmentRequests();
      const file = tempDb(`segments-${via}`);
      const s = await runOk(f.url, file, 'company_segments', { concurrency: 4 });
      expect(segmentRequests() - before).toBe(companies);
      const want = await truth();
      expect(want.length).toBeGreaterThan(companies / 2); // the fake gives 0-2 segments per company
      expect(await stored(file)).toEqual(want);
      expect(s.rows).toBe(want.length);
      if (via === 'scroll') expect(s.counters['companies_scrolled']).toBe(1);
      const [r] = await rows(file, 'select name, person_type, company_updated_at from intercom.company_segments limit 1');
      expect(typeof r!.name).toBe('string');
      expect(secs(r!.company_updated_at)).toBeGreaterThan(0);
    });
  }

  test('the next run asks only for companies changed in the window', async () => {
    COMPANIES_SETTINGS.listLimit = 10_000;
    const file = tempDb('segments-incremental');
    await runOk(f.url, file, 'company_segments');
    const withSegments = (await exportAs(f.url, 'companies')).filter((c) => (c.segments as { segments: unknown[] }).segments.length > 0);
    const [a, b] = withSegments;
    f.clock.advance(3600);
    f.updateCompany(String(a!.id), { name: 'Changed A' });
    f.updateCompany(String(b!.id), { name: 'Changed B' });
    f.clock.advance(60);
    const before = segmentRequests();
    await runOk(f.url, file, 'company_segments');
    expect(segmentRequests() - before).toBe(2);
    expect(await stored(file)).toEqual(await truth());
    const changed = await rows(
      file,
      `select distinct company_id, company_updated_at from intercom.company_segments where company_id in ('${a!.id}', '${b!.id}')`,
    );
    expect(changed.length).toBe(2);
    for (const r of changed) expect(secs(r.company_updated_at)).toBe(f.clock.now() - 60);
  });
});
