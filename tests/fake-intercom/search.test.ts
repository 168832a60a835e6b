/** Search semantics: day-granular contacts in the workspace zone, second-granular conversations/tickets, query validation. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeIntercom, startFakeIntercom } from '../../src/fake-intercom/index.js';
import { localMidnight } from '../../src/fake-intercom/tz.js';
import { type Client, type Json, client } from './helpers.js';

const TZ = 'America/Los_Angeles';
let fake: FakeIntercom;
let c: Client;

beforeAll(async () => {
  fake = await startFakeIntercom({ rateLimitPerMinute: null, timezone: TZ, contacts: 50, conversations: 20, tickets: 10 });
  c = client(fake.url);
});
afterAll(() => fake.close());

const byId = (id: string, field: string, operator: string, value: unknown) => ({
  query: {
    operator: 'AND',
    value: [
      { field: 'id', operator: '=', value: id },
      { field, operator, value },
    ],
  },
});

async function found(id: string, field: string, operator: string, value: unknown, v = '2.14'): Promise<boolean> {
  const r = await c.post('/contacts/search', byId(id, field, operator, value), v);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return (r.body.data as Json[]).some((x) => x.id === id);
}

describe('contacts search matches timestamps by calendar day in the workspace zone (2.14:L5773-5791)', () => {
  // 2025-06-10 23:30 in Los Angeles = 2025-06-11 06:30 UTC.
  const dayStart = localMidnight(2025, 6, 10, TZ);
  const at = dayStart + 23 * 3600 + 30 * 60;
  let id: string;

  beforeAll(() => {
    fake.clock.set(at);
    id = fake.createContact({ name: 'Late Night' }).id;
  });

  it('= matches the whole local day', async () => {
    expect(await found(id, 'updated_at', '=', at)).toBe(true);
    expect(await found(id, 'updated_at', '=', dayStart + 60)).toBe(true); // 00:01 same local day
    expect(await found(id, 'updated_at', '=', String(dayStart + 12 * 3600))).toBe(true); // string values accepted
    expect(await found(id, 'updated_at', '=', at + 3600)).toBe(false); // 00:30 next local day (same UTC day!)
    expect(await found(id, 'updated_at', '=', dayStart - 1)).toBe(false);
  });

  it('> starts at the next local day', async () => {
    expect(await found(id, 'updated_at', '>', dayStart + 3600)).toBe(false); // same day: excluded although earlier
    expect(await found(id, 'updated_at', '>', dayStart - 3600)).toBe(true); // previous day
  });

  it('< ends before the start of that local day', async () => {
    expect(await found(id, 'updated_at', '<', at + 60)).toBe(false); // same day: excluded although later
    expect(await found(id, 'updated_at', '<', at + 3600)).toBe(true); // next local day
  });

  it('>=, <=, !=, IN and NIN on dates are errors', async () => {
    for (const op of ['>=', '<=', '!=']) {
      const r = await c.post('/contacts/search', byId(id, 'updated_at', op, at));
      expect(r.status).toBe(400);
      expect(r.body.type).toBe('error.list');
    }
    for (const op of ['IN', 'NIN']) expect((await c.post('/contacts/search', byId(id, 'created_at', op, [at]))).status).toBe(400);
  });

  it('handles a 23-hour DST day (2025-03-09 in Los Angeles)', async () => {
    const start = localMidnight(2025, 3, 9, TZ);
    expect(localMidnight(2025, 3, 10, TZ) - start).toBe(23 * 3600);
    fake.clock.set(start + 22 * 3600 + 30 * 60); // 23:30 local
    const dst = fake.createContact({}).id;
    expect(await found(dst, 'created_at', '=', start + 3 * 3600)).toBe(true);
    expect(await found(dst, 'created_at', '>', start + 3600)).toBe(false);
    expect(await found(dst, 'created_at', '<', localMidnight(2025, 3, 10, TZ) + 10)).toBe(true);
  });

  it('applies to date custom attributes too', async () => {
    fake.clock.set(at + 60); // (the DST test moved the clock back before this contact existed)
    fake.updateContact(id, { custom_attributes: { trial_ends_at: at } });
    expect(await found(id, 'custom_attributes.trial_ends_at', '=', dayStart + 100)).toBe(true);
    expect((await c.post('/contacts/search', byId(id, 'custom_attributes.trial_ends_at', '>=', at))).status).toBe(400);
  });
});

describe('query validation', () => {
  const f = (i: number) => ({ field: 'name', operator: '=', value: `n${i}` });
  it('allows 15 filters per group, rejects 16', async () => {
    const ok = await c.post('/contacts/search', { query: { operator: 'OR', value: Array.from({ length: 15 }, (_, i) => f(i)) } });
    expect(ok.status).toBe(200);
    const bad = await c.post('/contacts/search', { query: { operator: 'OR', value: Array.from({ length: 16 }, (_, i) => f(i)) } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].code).toBe('bad_request');
  });
  it('allows 2 levels of nesting, rejects 3', async () => {
    const two = { operator: 'AND', value: [f(1), { operator: 'OR', value: [f(2), f(3)] }] };
    expect((await c.post('/contacts/search', { query: two })).status).toBe(200);
    const three = { operator: 'AND', value: [f(1), { operator: 'OR', value: [f(2), { operator: 'AND', value: [f(3), f(4)] }] }] };
    expect((await c.post('/contacts/search', { query: three })).status).toBe(400);
  });
  it('rejects unknown operators, fields, and malformed groups', async () => {
    for (const query of [
      { field: 'name', operator: 'LIKE', value: 'x' },
      { field: 'no_such_field', operator: '=', value: 'x' },
      { operator: 'XOR', value: [f(1)] },
      { operator: 'AND', value: [] },
      { field: 'name', operator: 'IN', value: 'x' },
    ]) {
      const r = await c.post('/contacts/search', { query });
      expect(r.status, JSON.stringify(query)).toBe(400);
      expect(r.body.type).toBe('error.list');
      expect(typeof r.body.request_id).toBe('string');
    }
    expect((await c.post('/contacts/search', {})).status).toBe(400);
  });
  it('string operators', async () => {
    const all = (await c.get('/contacts?per_page=150')).body.data as Json[];
    const withEmail = all.filter((x) => x.email.endsWith('example.org')).length;
    const r = await c.post('/contacts/search', { query: { field: 'email', operator: '$', value: 'example.org' }, pagination: { per_page: 150 } });
    expect(r.body.total_count).toBe(withEmail);
  });
  it('2.16 contacts sort: invalid_sort_order; ascending/descending honoured', async () => {
    const bad = await c.post(
      '/contacts/search',
      { query: { field: 'role', operator: '=', value: 'user' }, sort: { field: 'created_at', order: 'desc' } },
      '2.16',
    );
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0]).toEqual({ code: 'invalid_sort_order', message: "Invalid sort order 'desc'. Must be one of: ascending, descending" });
    const asc = await c.post(
      '/contacts/search',
      { query: { field: 'role', operator: '=', value: 'user' }, sort: { field: 'created_at', order: 'ascending' }, pagination: { per_page: 150 } },
      '2.16',
    );
    const ts = (asc.body.data as Json[]).map((x) => x.created_at);
    expect(ts).toEqual([...ts].sort((a, b) => a - b));
  });
});

describe('conversations and tickets filter to the second', () => {
  it('> is strict, >= inclusive, < strict, <= inclusive', async () => {
    fake.clock.set(1_767_000_000);
    const conv = fake.createConversation({}) as Json;
    const t = conv.updated_at as number;
    const q = (operator: string, value: number) => ({
      query: {
        operator: 'AND',
        value: [
          { field: 'id', operator: '=', value: conv.id },
          { field: 'updated_at', operator, value },
        ],
      },
    });
    const hit = async (op: string, v: number) => ((await c.post('/conversations/search', q(op, v))).body.conversations as Json[]).length === 1;
    expect(await hit('>', t)).toBe(false);
    expect(await hit('>', t - 1)).toBe(true);
    expect(await hit('>=', t)).toBe(true);
    expect(await hit('<', t)).toBe(false);
    expect(await hit('<=', t)).toBe(true);
    expect(await hit('=', t)).toBe(true);
    const ticket = fake.createTicket({}) as Json;
    const tq = {
      query: {
        operator: 'AND',
        value: [
          { field: 'id', operator: '=', value: ticket.id },
          { field: 'updated_at', operator: '>', value: ticket.updated_at - 1 },
        ],
      },
    };
    expect(((await c.post('/tickets/search', tq)).body.tickets as Json[]).map((x) => x.id)).toEqual([ticket.id]);
  });
});

describe('index lag, merges, deletes', () => {
  it('new contacts are invisible to search for searchIndexLagSeconds (2.14:L5762-5764) but visible by id', async () => {
    const f2 = await startFakeIntercom({ rateLimitPerMinute: null, contacts: 5, searchIndexLagSeconds: 120 });
    try {
      const c2 = client(f2.url);
      const id = f2.createContact({ email: 'lagged@example.com' }).id;
      const q = { query: { field: 'email', operator: '=', value: 'lagged@example.com' } };
      expect((await c2.post('/contacts/search', q)).body.total_count).toBe(0);
      expect((await c2.get(`/contacts/${id}`)).status).toBe(200);
      f2.clock.advance(120);
      expect((await c2.post('/contacts/search', q)).body.total_count).toBe(1);
    } finally {
      await f2.close();
    }
  });

  it('merged contacts vanish from list and search and 404 by id', async () => {
    const a = fake.createContact({ email: 'merge-a@example.com' }).id;
    const b = fake.createContact({ email: 'merge-b@example.com' }).id;
    fake.mergeContacts(a, b);
    expect((await c.get(`/contacts/${a}`)).status).toBe(404);
    const q = { query: { field: 'email', operator: '=', value: 'merge-a@example.com' } };
    expect((await c.post('/contacts/search', q)).body.total_count).toBe(0);
    const hist = await c.get(`/contacts/${b}?include_merge_history=true`, '2.16');
    expect(hist.body.merge_history[0].source_contact_id).toBe(a);
  });

  it('keyset paging does not skip records that stay in the window while others are updated', async () => {
    const q = { field: 'updated_at', operator: '<', value: 1_760_000_000 };
    const seen = new Set<string>();
    const expected = (await c.post('/contacts/search', { query: q, pagination: { per_page: 150 } })).body.total_count as number;
    let cursor: string | undefined;
    let page = 0;
    do {
      const r = await c.post('/contacts/search', { query: q, pagination: { per_page: 5, starting_after: cursor } });
      for (const x of r.body.data as Json[]) seen.add(x.id);
      // Concurrently update a record already read on this page (it leaves the window) ...
      if (page++ % 2 === 0 && r.body.data.length) fake.updateContact((r.body.data as Json[])[0]!.id, { name: 'moved' });
      cursor = r.body.pages.next?.starting_after;
    } while (cursor);
    expect(seen.size).toBe(expected);
  });
});
