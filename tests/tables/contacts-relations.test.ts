/**
 * Issue #4, contact_tags / contact_companies: the full lists (nested lists stop at 10 with
 * has_more, 2.14:L16607-16632), fetched only for the contacts that need it, replaced per contact.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startFakeIntercom, type FakeIntercom } from '../../src/fake-intercom/index.js';
import { TOKEN, api, exportAs, rows, runOk, tempDb } from './companies-helpers.js';

let f: FakeIntercom;
let file: string;

beforeAll(async () => {
  f = await startFakeIntercom({ seed: 21, token: TOKEN, contacts: 200, companies: 60, tags: 30, conversations: 0, tickets: 0 });
  file = tempDb('contacts-relations');
});
afterAll(async () => {
  await f?.close();
});

type Sub = { data: Array<{ id: string }>; has_more: boolean; total_count: number };

/** `contact|id` pairs from the API's full lists: GET /contacts/{id}/tags and /companies (per_page 150). */
async function truth(ids: string[]): Promise<{ tags: string[]; companies: string[] }> {
  const tags: string[] = [];
  const companies: string[] = [];
  await Promise.all(
    ids.map(async (id) => {
      for (const t of (await api<Sub>(f.url, `/contacts/${id}/tags`)).data) tags.push(`${id}|${t.id}`);
      const cs = await api<Sub & { pages: { total_pages: number } }>(f.url, `/contacts/${id}/companies?per_page=150`);
      expect(cs.pages.total_pages).toBeLessThanOrEqual(1);
      for (const c of cs.data) companies.push(`${id}|${c.id}`);
    }),
  );
  return { tags: tags.sort(), companies: companies.sort() };
}

async function stored(table: string, where = ''): Promise<string[]> {
  const r = await rows(file, `select contact_id, id from intercom.${table} ${where}`);
  return r.map((x) => `${x.contact_id}|${x.id}`).sort();
}

const hydrationRequests = () =>
  Object.entries(f.stats().byPath)
    .filter(([p]) => /^\/contacts\/[^/]+\/(tags|companies)$/.test(p))
    .reduce((n, [, c]) => n + c, 0);

describe('contacts relations', () => {
  let contacts: Record<string, unknown>[];

  test('contact_tags and contact_companies equal the full lists; only truncated lists are fetched', async () => {
    contacts = await exportAs(f.url, 'contacts');
    const truncatedTags = contacts.filter((c) => (c.tags as Sub).has_more).length;
    const truncatedCompanies = contacts.filter((c) => (c.companies as Sub).has_more).length;
    expect(truncatedTags).toBeGreaterThan(3);
    expect(truncatedCompanies).toBeGreaterThan(3);

    const s = await runOk(f.url, file, 'contacts', { concurrency: 4 });
    // one request per truncated list (a contact's companies fit one page of 150)
    expect(hydrationRequests()).toBe(truncatedTags + truncatedCompanies);
    expect(s.requests).toBe(1 + Math.ceil(contacts.length / 150) + truncatedTags + truncatedCompanies);

    const want = await truth(contacts.map((c) => String(c.id)));
    expect(await stored('contact_tags')).toEqual(want.tags);
    expect(await stored('contact_companies')).toEqual(want.companies);
    // contacts with more than 10 are complete, not capped
    const [{ n }] = (await rows(file, 'select max(c)::int as n from (select count(*) as c from intercom.contact_tags group by contact_id)')) as [{ n: number }];
    expect(n).toBeGreaterThan(10);
  });

  test("a contact's changed tags and companies replace its rows (removed ones disappear); other contacts keep theirs", async () => {
    const many = contacts.find((c) => (c.tags as Sub).total_count > 12)!;
    const some = contacts.find((c) => (c.tags as Sub).total_count >= 2 && (c.companies as Sub).total_count >= 1 && c !== many)!;
    const untouched = await stored('contact_tags', `where contact_id not in ('${many.id}', '${some.id}')`);
    const manyTags = (await api<Sub>(f.url, `/contacts/${many.id}/tags`)).data.map((t) => t.id);
    const someTags = (await api<Sub>(f.url, `/contacts/${some.id}/tags`)).data.map((t) => t.id);

    f.clock.advance(7200);
    const updated = [
      f.updateContact(String(many.id), { tag_ids: manyTags.slice(0, 11) }), // still truncated: 11 > 10
      f.updateContact(String(some.id), { tag_ids: someTags.slice(1), company_ids: [] }),
    ];
    const stillTruncated = updated.flatMap((c) => [c.tags, c.companies]).filter((l) => (l as Sub).has_more).length;
    expect(stillTruncated).toBeGreaterThanOrEqual(1);
    f.clock.advance(700); // past the 10-minute lookback, so the next run sees only later changes
    const before = hydrationRequests();
    const s = await runOk(f.url, file, 'contacts');
    expect(s.rowsByTable['contacts']).toBe(2);
    // only the lists still truncated are fetched again
    expect(hydrationRequests() - before).toBe(stillTruncated);

    expect(await stored('contact_tags', `where contact_id = '${many.id}'`)).toEqual(
      manyTags
        .slice(0, 11)
        .map((t) => `${many.id}|${t}`)
        .sort(),
    );
    expect(await stored('contact_tags', `where contact_id = '${some.id}'`)).toEqual(
      someTags
        .slice(1)
        .map((t) => `${some.id}|${t}`)
        .sort(),
    );
    expect(await stored('contact_companies', `where contact_id = '${some.id}'`)).toEqual([]);
    expect(await stored('contact_tags', `where contact_id not in ('${many.id}', '${some.id}')`)).toEqual(untouched);
  });

  // Known pipeline gap (reported): pipeline/batches.ts take() skips a child table with no rows, so a
  // checkpoint whose contacts have no tags at all never sends their parent list to the
  // destination and their old rows stay. Remove `.fails` when fixed.
  test('a contact whose last tag is removed loses its rows even when no other contact of the run has tags', async () => {
    const c = contacts.find((x) => (x.tags as Sub).total_count >= 1 && (x.companies as Sub).total_count >= 1)!;
    f.clock.advance(7200);
    f.updateContact(String(c.id), { tag_ids: [], company_ids: [] });
    f.clock.advance(700); // past the 10-minute lookback, so the next run sees only later changes
    const s = await runOk(f.url, file, 'contacts');
    expect(s.rowsByTable['contacts']).toBe(1);
    expect(await stored('contact_tags', `where contact_id = '${c.id}'`)).toEqual([]);
    expect(await stored('contact_companies', `where contact_id = '${c.id}'`)).toEqual([]);
  });
});
