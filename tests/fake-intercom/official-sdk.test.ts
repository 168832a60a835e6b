/**
 * A second, independent client: Intercom's official Node SDK (`intercom-client`, written by
 * Intercom, not tuned to this fake) pointed at the fake with only its base URL changed. It lists
 * and searches every resource it supports, and each answer is compared with
 * /_fake/export/<table> — the same ground truth intercom-elt's own tests use.
 */
import { IntercomClient } from 'intercom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeIntercom, startFakeIntercom } from '../../src/fake-intercom/index.js';
import { type Json, exportTable } from './helpers.js';

let fake: FakeIntercom;
let sdk: IntercomClient;
const truth = new Map<string, Json[]>();

beforeAll(async () => {
  fake = await startFakeIntercom({ rateLimitPerMinute: null, contacts: 70, conversations: 45, companies: 60, tickets: 33 });
  // overlay records (mutated/created) take other code paths than generated ones: include some
  fake.clock.advance(60);
  const first = (await exportTable(fake.url, 'contacts'))[0] as Json;
  fake.updateContact(first.id, { name: 'Updated Through The Fake' });
  fake.createContact({ email: 'sdk@example.com' });
  fake.createConversation({});
  for (const t of ['contacts', 'companies', 'conversations', 'tickets', 'admins', 'teams', 'tags', 'segments', 'data_attributes']) {
    truth.set(t, await exportTable(fake.url, t));
  }
  // maxRetries 0: a fake answer the SDK would retry is a failure here, not noise
  sdk = new IntercomClient({ token: 'fake-token', baseUrl: fake.url, maxRetries: 0 });
});
afterAll(() => fake.close());

const table = (t: string): Json[] => truth.get(t) as Json[];
const byId = (rows: Json[]) => [...rows].sort((a, b) => String(a.id).localeCompare(String(b.id)));
/** List/search items of conversations carry no parts (2.14:L6791-6793); the export holds GET-by-id rows. */
const withoutParts = (rows: Json[]) => rows.map(({ conversation_parts: _parts, ...rest }) => rest);

async function all<T>(pages: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of pages) out.push(x);
  return out;
}

describe('intercom-client (official Node SDK) against the fake', () => {
  it('contacts: list and search page through every contact, equal to the export', async () => {
    expect(table('contacts').length).toBe(71);
    const listed = await all(await sdk.contacts.list({ per_page: 20 }));
    expect(byId(listed as Json[])).toEqual(byId(table('contacts')));
    const searched = await all(await sdk.contacts.search({ query: { field: 'updated_at', operator: '>', value: '0' }, pagination: { per_page: 25 } }));
    expect(byId(searched as Json[])).toEqual(byId(table('contacts')));
    const sdkDomain = await all(await sdk.contacts.search({ query: { field: 'email_domain', operator: '=', value: 'example.com' } }));
    expect((sdkDomain as Json[]).map((c) => c.email)).toContain('sdk@example.com');
  });

  it('conversations: list, search (as the SDK is documented to) and find, equal to the export', async () => {
    const want = byId(withoutParts(table('conversations')));
    expect(want.length).toBe(46);
    expect(byId((await all(await sdk.conversations.list({ per_page: 10 }))) as Json[])).toEqual(want);
    const searched = await all(await sdk.conversations.search({ query: { field: 'id', operator: '>', value: '' }, pagination: { per_page: 15 } }));
    expect(byId(searched as Json[])).toEqual(want);
    for (const conv of table('conversations').slice(0, 5)) {
      expect(await sdk.conversations.find({ conversation_id: conv.id })).toEqual(conv);
    }
  });

  it('companies: list pages and a scroll paged by hand to the first empty page, equal to the export', async () => {
    const want = byId(table('companies'));
    expect(want.length).toBeGreaterThan(10);
    expect(byId((await all(await sdk.companies.list({ per_page: 7 }))) as Json[])).toEqual(want);
    // The SDK's own pager would follow scroll_param forever; Intercom documents the end as
    // the first page with no companies (2.14:L3962-3975), so page by hand and stop there.
    const scrolled: Json[] = [];
    let page = await sdk.companies.scroll();
    for (let guard = 0; page.data.length > 0; guard++) {
      expect(guard).toBeLessThan(100);
      scrolled.push(...(page.data as Json[]));
      page = await sdk.companies.scroll({ scroll_param: page.response?.scroll_param as string });
    }
    expect(byId(scrolled)).toEqual(want);
  });

  it('tags, teams, segments and data attributes equal the export', async () => {
    expect(byId((await sdk.tags.list()).data as Json[])).toEqual(byId(table('tags')));
    expect(byId((await sdk.teams.list()).teams as Json[])).toEqual(byId(table('teams')));
    expect(byId((await sdk.segments.list()).segments as Json[])).toEqual(byId(table('segments')));
    const attrs = [
      ...((await sdk.dataAttributes.list({ model: 'contact' })).data ?? []),
      ...((await sdk.dataAttributes.list({ model: 'company' })).data ?? []),
    ];
    const key = (a: Json) => `${a.model}|${a.name}`;
    const want = table('data_attributes').filter((a) => a.model !== 'conversation');
    expect((attrs as Json[]).map(key).sort()).toEqual(want.map(key).sort());
    expect((attrs as Json[]).sort((a, b) => key(a).localeCompare(key(b)))).toEqual(want.sort((a, b) => key(a).localeCompare(key(b))));
  });

  it('admins: list equals the export; find returns each admin (avatar as an object, docs/fake-intercom.md)', async () => {
    const want = byId(table('admins'));
    expect(byId((await sdk.admins.list()).admins as Json[])).toEqual(want);
    for (const admin of want) {
      // the SDK types admin_id as the spec's integer path parameter (2.14:L339-344)
      const one = (await sdk.admins.find({ admin_id: Number(admin.id) })) as Json;
      expect(one.avatar).toEqual({ type: 'avatar', image_url: admin.avatar });
      expect({ ...one, avatar: admin.avatar }).toEqual(admin);
    }
    const missing = await sdk.admins.find({ admin_id: 1 }).then(
      () => null,
      (e: unknown) => e as { statusCode: number; body: Json },
    );
    expect(missing?.statusCode).toBe(404);
    expect(missing?.body.errors[0].code).toBe('admin_not_found');
  });

  it('tickets: search pages through every ticket, equal to the export', async () => {
    const searched = await all(await sdk.tickets.search({ query: { field: 'updated_at', operator: '>', value: '0' }, pagination: { per_page: 10 } }));
    expect(table('tickets').length).toBe(33);
    expect(byId(searched as Json[])).toEqual(byId(table('tickets')));
  });
});
