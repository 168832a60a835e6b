/** Every paginated endpoint, paged to the end with per_page 1, 7 and 150: every record exactly once, equal to the export. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeIntercom, startFakeIntercom } from '../../src/fake-intercom/index.js';
import { ALL, type Client, type Json, client, exportTable } from './helpers.js';

let fake: FakeIntercom;
let c: Client;

beforeAll(async () => {
  fake = await startFakeIntercom({
    rateLimitPerMinute: null,
    contacts: 45,
    conversations: 25,
    tickets: 16,
    companies: 30,
    articles: 18,
    collections: 9,
    newsItems: 11,
    activityLogs: 30,
  });
  c = client(fake.url);
  for (let k = 0; k < 9; k++) fake.deleteConversation(String(100_000 + k * 2));
});
afterAll(() => fake.close());

type Lister = (pp: number) => Promise<string[]>;

/** Cursor pagination: follow pages.next.starting_after until it is absent. */
function cursor(get: (pp: number, after?: string) => Promise<Json>, key: string): Lister {
  return async (pp) => {
    const ids: string[] = [];
    let after: string | undefined;
    let pages = 0;
    for (;;) {
      const b = await get(pp, after);
      pages++;
      expect(b.pages.type).toBe('pages');
      expect(b.pages.per_page).toBe(Math.min(pp, 150));
      ids.push(...(b[key] as Json[]).map((x) => x.id));
      after = b.pages.next?.starting_after;
      if (!after) {
        expect(b.pages.next).toBeUndefined(); // omitted on the last page
        expect(pages).toBe(Math.max(1, b.pages.total_pages));
        return ids;
      }
      expect(typeof after).toBe('string');
      expect(Buffer.from(after, 'base64').toString()).toMatch(/^\[/); // opaque base64 JSON array
    }
  };
}

/** Page numbers: follow pages.next (a URL) while present. */
function numbered(path: string, key: string, version?: string): Lister {
  return async (pp) => {
    const ids: string[] = [];
    let url: string | null = `${path}${path.includes('?') ? '&' : '?'}per_page=${pp}`;
    while (url) {
      const b: Json = (await c.get(url.replace(fake.url, ''), version)).body;
      expect(b.pages.page).toBeGreaterThanOrEqual(1);
      ids.push(...(b[key] as Json[]).map((x) => x.id));
      url = (b.pages.next as string | null | undefined) ?? null;
    }
    return ids;
  };
}

const search = (path: string, key: string) =>
  cursor(async (pp, after) => (await c.post(path, { query: ALL, pagination: { per_page: pp, starting_after: after } })).body, key);
const list = (path: string, key: string) =>
  cursor(async (pp, after) => (await c.get(`${path}?per_page=${pp}${after ? `&starting_after=${encodeURIComponent(after)}` : ''}`)).body, key);

const cases: [string, () => Lister, string | (() => Promise<string[]>)][] = [
  ['GET /contacts', () => list('/contacts', 'data'), 'contacts'],
  ['POST /contacts/search', () => search('/contacts/search', 'data'), 'contacts'],
  ['GET /conversations', () => list('/conversations', 'conversations'), 'conversations'],
  ['POST /conversations/search', () => search('/conversations/search', 'conversations'), 'conversations'],
  ['POST /tickets/search', () => search('/tickets/search', 'tickets'), 'tickets'],
  ['GET /companies', () => numbered('/companies', 'data'), 'companies'],
  [
    'POST /companies/list',
    () => async (pp) => {
      const ids: string[] = [];
      for (let page = 1; ; page++) {
        const b = (await c.post(`/companies/list?per_page=${pp}&page=${page}`)).body;
        ids.push(...(b.data as Json[]).map((x) => x.id));
        if (page >= b.pages.total_pages) return ids;
      }
    },
    'companies',
  ],
  ['GET /articles', () => numbered('/articles', 'data'), 'articles'],
  ['GET /help_center/collections', () => numbered('/help_center/collections', 'data'), 'help_center_collections'],
  ['GET /news/news_items', () => numbered('/news/news_items', 'data'), 'news_items'],
  ['GET /admins/activity_logs', () => numbered('/admins/activity_logs?created_at_after=0', 'activity_logs'), 'activity_logs'],
  ['GET /conversations/deleted (2.16)', () => numbered('/conversations/deleted', 'conversations', '2.16'), 'deleted_conversations'],
];

describe.each(cases)('%s', (_name, lister, table) => {
  it.each([1, 7, 150])('per_page %i returns every record exactly once', async (pp) => {
    const ids = await lister()(pp);
    expect(new Set(ids).size).toBe(ids.length);
    const truth = (await exportTable(fake.url, table as string)).map((x) => x.id as string);
    expect(truth.length).toBeGreaterThan(0);
    expect([...ids].sort()).toEqual([...truth].sort());
  });
});

describe('per_page cap and defaults', () => {
  it('caps per_page at 150 and uses the documented defaults', async () => {
    expect((await c.get('/contacts?per_page=1000')).body.pages.per_page).toBe(150);
    expect((await c.get('/contacts')).body.pages.per_page).toBe(10);
    expect((await c.post('/contacts/search', { query: ALL })).body.pages.per_page).toBe(50);
    expect((await c.get('/conversations')).body.pages.per_page).toBe(20);
    expect((await c.post('/tickets/search', { query: ALL })).body.pages.per_page).toBe(20);
    expect((await c.get('/companies')).body.pages.per_page).toBe(15);
    expect((await c.get('/conversations/deleted?per_page=100', '2.16')).body.pages.per_page).toBe(60);
    expect((await c.get('/contacts?starting_after=garbage')).status).toBe(400);
  });
});

describe('nested sub-lists', () => {
  it('contact tags/companies/notes are truncated to 10 with has_more, url and total_count', async () => {
    const all = (await exportTable(fake.url, 'contacts')) as Json[];
    const many = all.find((x) => x.tags.total_count > 10 && x.notes.total_count > 10 && x.companies.total_count > 10) as Json;
    expect(many).toBeDefined();
    for (const k of ['tags', 'notes', 'companies']) {
      expect(many[k].data.length).toBe(10);
      expect(many[k].has_more).toBe(true);
      expect(many[k].url).toBe(`/contacts/${many.id}/${k}`);
    }
    const tags = (await c.get(`/contacts/${many.id}/tags`)).body;
    expect(tags.data.length).toBe(many.tags.total_count);
    const notes = await numbered(`/contacts/${many.id}/notes`, 'data')(4);
    expect(notes.length).toBe(many.notes.total_count);
    const companies = await numbered(`/contacts/${many.id}/companies`, 'data')(3);
    expect(companies.length).toBe(many.companies.total_count);
    const few = all.find((x) => x.tags.total_count > 0 && x.tags.total_count <= 10) as Json;
    expect(few.tags.has_more).toBe(false);
  });
});
