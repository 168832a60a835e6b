/** Companies scroll and list rules, the 500-part cap, mutations, and the export ground truth. */
import { describe, expect, it } from 'vitest';
import { type Json, exportTable, withFake } from './helpers.js';

describe('companies scroll (2.14:L3954-4034)', () => {
  it('is a singleton, ends with an empty page that still has a scroll_param, then closes', async () => {
    await withFake({ companies: 40, scrollPageSize: 10 }, async (f, c) => {
      const first = await c.get('/companies/scroll');
      expect(first.status).toBe(200);
      expect(first.body).toMatchObject({ type: 'list', pages: null, total_count: null });
      const second = await c.get('/companies/scroll');
      expect(second.status).toBe(400);
      expect(second.body.errors[0].code).toBe('scroll_exists');
      const ids: string[] = first.body.data.map((x: Json) => x.id);
      let param = first.body.scroll_param as string;
      for (;;) {
        const r = await c.get(`/companies/scroll?scroll_param=${param}`);
        expect(r.status).toBe(200);
        expect(typeof r.body.scroll_param).toBe('string');
        param = r.body.scroll_param;
        if (r.body.data.length === 0) break;
        ids.push(...r.body.data.map((x: Json) => x.id));
      }
      const truth = (await exportTable(f.url, 'companies')).map((x) => x.id);
      expect(ids.sort()).toEqual(truth.sort());
      expect((await c.get(`/companies/scroll?scroll_param=${param}`)).status).toBe(404); // expired at the end
      expect((await c.get('/companies/scroll')).status).toBe(200); // a new one may start
    });
  });

  it('expires after the idle time (real ms) and after 60 s of fake clock', async () => {
    await withFake({ companies: 30, scrollPageSize: 5, scrollIdleMs: 150 }, async (f, c) => {
      const a = await c.get('/companies/scroll');
      await new Promise((r) => setTimeout(r, 250));
      const r = await c.get(`/companies/scroll?scroll_param=${a.body.scroll_param}`);
      expect(r.status).toBe(404);
      expect(r.body.errors[0].code).toBe('not_found');
      const b = await c.get('/companies/scroll'); // the expired scroll no longer blocks a new one
      expect(b.status).toBe(200);
      f.clock.advance(61);
      expect((await c.get(`/companies/scroll?scroll_param=${b.body.scroll_param}`)).status).toBe(404);
    });
  });

  it('scroll faults: expiry (404) and restart (500 with the documented message)', async () => {
    await withFake({ companies: 30, scrollPageSize: 5 }, async (f, c) => {
      f.setFaults({ rate: 1, kinds: ['scroll_restart'] });
      const a = await c.get('/companies/scroll'); // faults only hit a continuing scroll
      expect(a.status).toBe(200);
      const r = await c.get(`/companies/scroll?scroll_param=${a.body.scroll_param}`);
      expect(r.status).toBe(500);
      expect(r.body.errors[0].message).toBe('Request failed due to an internal network error. Please restart the scroll operation.');
      f.setFaults({ rate: 1, kinds: ['scroll_expire'] });
      const b = await c.get('/companies/scroll');
      expect(b.status).toBe(200);
      expect((await c.get(`/companies/scroll?scroll_param=${b.body.scroll_param}`)).status).toBe(404);
      expect(f.stats().faultsByKind).toEqual({ scroll_restart: 1, scroll_expire: 1 });
    });
  });
});

describe('companies lists', () => {
  it('hide companies without users; GET by name/company_id returns one company', async () => {
    await withFake({ companies: 21, contacts: 200 }, async (f, c) => {
      const all = (await c.get('/companies?per_page=150')).body;
      const visible = new Set((all.data as Json[]).map((x) => x.id));
      expect((all.data as Json[]).every((x) => x.user_count > 0)).toBe(true);
      const hidden = f.createCompany({ name: 'Ghost Co', has_users: false }) as Json;
      expect(visible.has(hidden.id)).toBe(false);
      expect((await c.get('/companies?per_page=150')).body.total_count).toBe(all.total_count);
      expect((await c.get(`/companies/${hidden.id}`)).status).toBe(200);
      const one = (all.data as Json[])[0]!;
      expect((await c.get(`/companies?company_id=${one.company_id}`)).body.id).toBe(one.id);
      expect((await c.get('/companies?name=nope')).body.errors[0].code).toBe('company_not_found');
      const desc = (await c.post('/companies/list?per_page=150')).body.data as Json[];
      expect(desc.map((x) => x.last_request_at)).toEqual(desc.map((x) => x.last_request_at).sort((a, b) => b - a));
    });
  });
});

describe('conversations', () => {
  it('GET returns the 500 most recent parts; total_count is the true count; export has them all', async () => {
    await withFake({ conversations: 12 }, async (f, c) => {
      const conv = (await c.get('/conversations/100007')).body;
      const list = conv.conversation_parts;
      expect(list.type).toBe('conversation_part.list');
      expect(list.total_count).toBeGreaterThan(500);
      expect(list.conversation_parts.length).toBe(500);
      const parts = (await exportTable(f.url, 'conversation_parts')).filter((p) => p.conversation_id === '100007');
      expect(parts.length).toBe(list.total_count);
      expect(list.conversation_parts.map((p: Json) => p.id)).toEqual(parts.slice(-500).map((p) => p.id));
      expect(typeof list.conversation_parts[0].id).toBe('string');
      const all = (await exportTable(f.url, 'conversations')) as Json[];
      const avg = all.reduce((n, x) => n + (x.id === '100007' ? 0 : x.conversation_parts.total_count), 0) / (all.length - 1);
      expect(avg).toBeGreaterThan(4);
      expect(avg).toBeLessThan(12);
      // list items carry no parts
      expect((await c.get('/conversations')).body.conversations[0].conversation_parts).toBeUndefined();
    });
  });

  it('mutations bump updated_at to the fake clock; parts are appended; deletes feed the 2.16 deleted list', async () => {
    await withFake({ conversations: 5 }, async (f, c) => {
      f.clock.set(1_770_000_000);
      f.addConversationParts('100001', 3);
      const conv = (await c.get('/conversations/100001')).body;
      expect(conv.updated_at).toBe(1_770_000_000);
      expect(conv.statistics.count_conversation_parts).toBe(conv.conversation_parts.total_count);
      expect(conv.conversation_parts.conversation_parts.at(-1).created_at).toBe(1_770_000_000);
      f.deleteConversation('100002');
      expect((await c.get('/conversations/100002')).status).toBe(404);
      const del = (await c.get('/conversations/deleted', '2.16')).body;
      expect(del).toMatchObject({ type: 'conversations.list', total_count: 1 });
      expect(del.conversations[0]).toEqual({ type: 'conversation', id: '100002', metrics_retained: false, deleted_at: 1_770_000_000 });
    });
  });
});

describe('the /_fake HTTP API and the export', () => {
  it('mutates over HTTP and exports what GET-by-id returns', async () => {
    await withFake({ contacts: 10, conversations: 4, tickets: 3 }, async (f, c) => {
      const post = async (path: string, body: unknown = {}) => {
        const r = await fetch(f.url + path, { method: 'POST', body: JSON.stringify(body) });
        return { status: r.status, body: (await r.json()) as Json };
      };
      expect((await post('/_fake/clock', { now: 1_780_000_000 })).body.now).toBe(1_780_000_000);
      expect((await post('/_fake/clock', { advance: 5 })).body.now).toBe(1_780_000_005);
      const created = (await post('/_fake/contacts', { name: 'Over HTTP' })).body;
      expect(created.created_at).toBe(1_780_000_005);
      const updated = (await post(`/_fake/contacts/${created.id}`, { custom_attributes: { seats: 9 } })).body;
      expect(updated.custom_attributes.seats).toBe(9);
      await post(`/_fake/conversations/100000/parts`, { count: 2, part: { body: '<p>it\'s "mine"</p>' } });
      const parts = (await c.get('/conversations/100000')).body.conversation_parts.conversation_parts as Json[];
      expect(parts.slice(-2).map((x) => x.body)).toEqual(['<p>it\'s "mine"</p>', '<p>it\'s "mine"</p>']);
      // custom data attributes: created as POST /data_attributes makes them, names case-sensitive, duplicates refused
      const plan = (await post('/_fake/data_attributes', { model: 'contact', name: 'Plan', data_type: 'options', options: [{ value: 'a' }, { value: 'b' }] }))
        .body;
      expect(plan).toMatchObject({
        type: 'data_attribute',
        model: 'contact',
        name: 'Plan',
        full_name: 'custom_attributes.Plan',
        data_type: 'string',
        options: ['a', 'b'],
        custom: true,
      });
      expect((await post('/_fake/data_attributes', { model: 'contact', name: 'plan', data_type: 'datetime' })).body.data_type).toBe('date');
      expect((await post('/_fake/data_attributes', { model: 'contact', name: 'Plan', data_type: 'string' })).status).toBe(400);
      expect((await post('/_fake/data_attributes', { model: 'conversation', name: 'x', data_type: 'string' })).status).toBe(400);
      const listedAttrs = (await c.get('/data_attributes?model=contact')).body.data as Json[];
      expect(listedAttrs.slice(-2).map((a) => a.name)).toEqual(['Plan', 'plan']);
      expect((await fetch(`${f.url}/_fake/conversations/100003`, { method: 'DELETE' })).status).toBe(200);
      const other = (await post('/_fake/contacts', {})).body;
      expect((await post(`/_fake/contacts/${other.id}/merge_into/${created.id}`)).status).toBe(200);
      expect((await fetch(`${f.url}/_fake/export/nope`)).status).toBe(404);

      for (const [table, path] of [
        ['contacts', '/contacts/'],
        ['conversations', '/conversations/'],
        ['tickets', '/tickets/'],
      ] as const) {
        const rows = await exportTable(f.url, table);
        for (const row of rows) expect((await c.get(path + row.id)).body).toEqual(row);
      }
      const listed = (await c.get('/contacts?per_page=150')).body.data;
      expect(listed).toEqual(await exportTable(f.url, 'contacts'));
      const inProcess: object[] = [];
      for await (const row of f.exportTable('contacts')) inProcess.push(row);
      expect(inProcess).toEqual(listed);
      for (const t of ['admins', 'teams', 'tags', 'segments', 'data_attributes']) expect((await exportTable(f.url, t)).length).toBeGreaterThan(0);
      expect((await exportTable(f.url, 'deleted_conversations')).map((x) => x.id)).toEqual(['100003']);
    });
  });

  it('data attributes list every data type and the hostile names', async () => {
    await withFake({}, async (_f, c) => {
      const attrs = (await c.get('/data_attributes?model=contact')).body.data as Json[];
      const custom = attrs.filter((a) => a.custom);
      expect(new Set(custom.map((a) => a.data_type))).toEqual(new Set(['string', 'integer', 'float', 'boolean', 'date']));
      const names = custom.map((a) => a.name as string);
      expect(names.some((n) => n.length === 300)).toBe(true);
      expect(names.some((n) => n.includes('"'))).toBe(true);
      expect(names.some((n) => n.includes(';'))).toBe(true);
      expect(names.some((n) => /[^\x00-\x7f]/.test(n))).toBe(true);
      const lower = names.map((n) => n.toLowerCase());
      expect(new Set(lower).size).toBeLessThan(lower.length); // names differing only in case
      const contact = (await c.get('/contacts?per_page=1')).body.data[0];
      for (const n of names) expect(n in contact.custom_attributes).toBe(true);
    });
  });
});
