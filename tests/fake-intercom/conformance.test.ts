/**
 * Walks every endpoint of the fake on Intercom-Version 2.11, 2.14 and 2.16 and validates each
 * body against the response schema of that version's OpenAPI description (tolerances are
 * listed in spec-validator.ts). Error bodies are validated against `error`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeIntercom, startFakeIntercom } from '../../src/fake-intercom/index.js';
import { type Client, type Json, client, ALL } from './helpers.js';
import { VERSIONS, type SpecVersion, adminAvatarAsUrl, pageNumberNext, violations } from './spec-validator.js';

let fake: FakeIntercom;
let c: Client;
let contactWithMany: string;
let bigConversation: string;

beforeAll(async () => {
  fake = await startFakeIntercom({ rateLimitPerMinute: null, contacts: 120, conversations: 30, companies: 40 });
  c = client(fake.url);
  const all = (await c.get('/contacts?per_page=150')).body.data as Json[];
  contactWithMany = (all.find((x) => x.tags.has_more && x.companies.has_more && x.notes.has_more) as Json).id;
  bigConversation = '100007'; // index 7: > 500 parts
  // created custom attributes are listed by GET /data_attributes in the documented shape
  fake.createDataAttribute({ model: 'contact', name: `it's "quoted"; \\ 🚀 ${'n'.repeat(280)}`, data_type: 'datetime' });
  fake.createDataAttribute({ model: 'company', name: 'Tier', data_type: 'options', options: [{ value: 'a' }, { value: 'b' }] });
  const conv = fake.createConversation({});
  fake.deleteConversation((conv as Json).id);
});
afterAll(() => fake.close());

function check(v: SpecVersion, method: string, specPath: string, body: unknown, status = '200'): void {
  const errs = violations(v, method, specPath, body, status);
  expect(errs, `${v} ${method} ${specPath}`).toEqual([]);
}

describe.each(VERSIONS)('Intercom-Version %s', (v) => {
  const get = async (path: string, specPath: string, status = 200, pageNumber = false) => {
    const r = await c.get(path, v);
    expect(r.status, `${path}: ${JSON.stringify(r.body).slice(0, 300)}`).toBe(status);
    check(v, 'GET', specPath, pageNumber ? pageNumberNext(r.body).body : r.body);
    return r.body;
  };
  const post = async (path: string, body: unknown, specPath: string) => {
    const r = await c.post(path, body, v);
    expect(r.status, `${path}: ${JSON.stringify(r.body).slice(0, 300)}`).toBe(200);
    check(v, 'POST', specPath, r.body);
    return r.body;
  };

  it('workspace endpoints', async () => {
    await get('/me', '/me');
    const admins = await get('/admins', '/admins');
    const one = await c.get(`/admins/${admins.admins[1].id}`, v);
    expect(one.status).toBe(200);
    check(v, 'GET', '/admins/{admin_id}', v === '2.11' ? one.body : adminAvatarAsUrl(one.body));
    const missing = await c.get('/admins/999999999', v);
    expect([missing.status, missing.body.errors[0].code]).toEqual([404, 'admin_not_found']);
    check(v, 'GET', '/admins/{admin_id}', missing.body, '404');
    await get('/teams', '/teams');
    await get('/tags', '/tags');
    const seg = await get('/segments?include_count=true', '/segments');
    expect(typeof seg.segments[0].count).toBe('number');
    await get('/data_attributes?model=contact', '/data_attributes');
    await get('/data_attributes?model=company', '/data_attributes');
    if (v === '2.16') {
      const r = await c.get('/data_attributes?model=conversation', v);
      expect(r.status).toBe(422);
      check(v, 'GET', '/data_attributes', (await c.get('/data_attributes', v)).body);
      await get('/conversations/attributes', '/conversations/attributes');
    } else {
      await get('/data_attributes?model=conversation', '/data_attributes');
    }
    await get('/articles?per_page=5', '/articles', 200, true);
    await get('/help_center/collections?per_page=5', '/help_center/collections', 200, true);
    await get('/news/news_items?per_page=5', '/news/news_items', 200, true);
    await get(`/admins/activity_logs?created_at_after=0&per_page=5`, '/admins/activity_logs', 200, true);
  });

  it('contacts', async () => {
    await get('/contacts?per_page=20', '/contacts');
    await post('/contacts/search', { query: ALL, pagination: { per_page: 20 } }, '/contacts/search');
    await get(`/contacts/${contactWithMany}`, '/contacts/{contact_id}');
    await get(`/contacts/${contactWithMany}/tags`, '/contacts/{contact_id}/tags');
    await get(`/contacts/${contactWithMany}/segments`, '/contacts/{contact_id}/segments');
    await get(`/contacts/${contactWithMany}/notes?per_page=5`, '/contacts/{contact_id}/notes', 200, true);
    await get(`/contacts/${contactWithMany}/companies?per_page=5`, '/contacts/{contact_id}/companies');
  });

  it('companies', async () => {
    const list = await get('/companies?per_page=5', '/companies', 200, true);
    const id = list.data[0].id;
    const r = await c.post('/companies/list?per_page=5', undefined, v);
    check(v, 'POST', '/companies/list', pageNumberNext(r.body).body);
    const s1 = await get('/companies/scroll', '/companies/scroll');
    let param = s1.scroll_param;
    for (;;) {
      const s = await get(`/companies/scroll?scroll_param=${param}`, '/companies/scroll');
      param = s.scroll_param;
      if (s.data.length === 0) break;
    }
    await get(`/companies/${id}`, '/companies/{company_id}');
    await get(`/companies/${id}/segments`, '/companies/{company_id}/segments');
  });

  it('conversations', async () => {
    await get('/conversations?per_page=10', '/conversations');
    await post('/conversations/search', { query: ALL, pagination: { per_page: 10 } }, '/conversations/search');
    const conv = await get(`/conversations/${bigConversation}`, '/conversations/{conversation_id}');
    expect(conv.conversation_parts.conversation_parts.length).toBe(500);
    await get('/conversations/100001', '/conversations/{conversation_id}');
    if (v === '2.16') {
      const d = await get('/conversations/deleted', '/conversations/deleted');
      expect(d.conversations.length).toBe(1);
    } else {
      const r = await c.get('/conversations/deleted', v);
      expect(r.status).toBe(400);
      expect(r.body.errors[0].code).toBe('intercom_version_invalid');
    }
  });

  it('tickets', async () => {
    const list = await post('/tickets/search', { query: ALL, pagination: { per_page: 10 } }, '/tickets/search');
    await get(`/tickets/${list.tickets[0].id}`, '/tickets/{ticket_id}');
    if (v === '2.11') expect(typeof list.tickets[0].ticket_state).toBe('string');
    else expect(list.tickets[0].ticket_state.type).toBe('ticket_state');
    if (v === '2.16') expect(typeof list.tickets[0].admin_assignee_id).toBe('number');
    else expect(typeof list.tickets[0].admin_assignee_id).toBe('string');
  });

  it('version-specific shapes', async () => {
    const contact = (await c.get(`/contacts/${contactWithMany}`, v)).body;
    const conv = (await c.get('/conversations?per_page=20', v)).body.conversations as Json[];
    if (v === '2.16') {
      expect(conv.every((x) => ['none', 'low', 'medium', 'high', 'urgent'].includes(x.priority))).toBe(true);
      expect(conv.every((x) => typeof x.admin_assignee_id === 'number')).toBe(true);
      expect(contact.owner_id === null || typeof contact.owner_id === 'string').toBe(true);
    } else {
      expect(conv.every((x) => ['priority', 'not_priority'].includes(x.priority))).toBe(true);
      expect(contact.owner_id === null || typeof contact.owner_id === 'number').toBe(true);
    }
  });

  it('error bodies conform to `error`', async () => {
    const bad = client(fake.url, 'wrong');
    const r = await bad.get('/contacts', v);
    expect(r.status).toBe(401);
    const errSchemaPath = '/contacts';
    expect(violations(v, 'GET', errSchemaPath, r.body, '401')).toEqual([]);
  });
});

describe('the validator itself', () => {
  it('rejects a non-conforming body (negative control)', async () => {
    const r = await c.get('/contacts?per_page=2', '2.14');
    expect(violations('2.14', 'GET', '/contacts', r.body)).toEqual([]);
    const broken = structuredClone(r.body);
    broken.data[0].id = 12345; // id must be a string
    broken.data[0].created_at = '2024-01-01'; // timestamps are integers
    expect(violations('2.14', 'GET', '/contacts', broken).length).toBeGreaterThan(0);
    const wrongEnvelope = { type: 'list', conversations: 'nope' };
    expect(violations('2.14', 'GET', '/conversations', wrongEnvelope).length).toBeGreaterThan(0);
    // owner_id: integer in 2.14, string in 2.16.
    const c16 = (await c.get(`/contacts/${contactWithMany}`, '2.16')).body;
    const asInt = { ...c16, owner_id: 5 };
    expect(violations('2.16', 'GET', '/contacts/{contact_id}', asInt).length).toBeGreaterThan(0);
  });
});
