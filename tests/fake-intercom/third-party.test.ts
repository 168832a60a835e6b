/**
 * Issue 15: the fake as a third-party client sees it. One block per place where a widely used
 * open-source Intercom client, pointed at the fake with only its base URL changed, could not
 * finish a sync (docs/fake-intercom.md, "Evidence and decisions").
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { startFakeProcess } from '../../bench/lib.js';
import { type FakeIntercom, startFakeIntercom } from '../../src/fake-intercom/index.js';
import { runCli } from '../helpers/cli.js';
import { type Client, type Json, client, exportTable } from './helpers.js';
import { loadSpec } from './spec-validator.js';

let fake: FakeIntercom;
let c: Client;

beforeAll(async () => {
  fake = await startFakeIntercom({ rateLimitPerMinute: null, contacts: 40, conversations: 25, tickets: 20 });
  c = client(fake.url);
});
afterAll(() => fake.close());

async function search(resource: string, query: unknown): Promise<{ status: number; ids: string[]; body: Json }> {
  const r = await c.post(`/${resource}/search`, { query, pagination: { per_page: 150 } });
  const list = (r.body.data ?? r.body.conversations ?? r.body.tickets ?? []) as Json[];
  return { status: r.status, ids: list.map((x) => String(x.id)), body: r.body };
}

describe('1. GET /admins/{id}', () => {
  it('serves every admin on every version; an unknown id is 404 admin_not_found', async () => {
    for (const v of ['2.11', '2.14', '2.16']) {
      const list = (await c.get('/admins', v)).body.admins as Json[];
      for (const a of list) {
        const one = await c.get(`/admins/${a.id}`, v);
        expect(one.status).toBe(200);
        // avatar: an object on the single-admin GET (real-API evidence), per version in the list
        const url = typeof a.avatar === 'string' || a.avatar === null ? a.avatar : a.avatar.image_url;
        expect(one.body).toEqual({ ...a, avatar: { type: 'avatar', image_url: url } });
      }
      const missing = await c.get('/admins/123', v);
      expect(missing.status).toBe(404);
      expect(missing.body).toMatchObject({ type: 'error.list', errors: [{ code: 'admin_not_found', message: 'Admin not found' }] });
    }
    // the route does not swallow its sibling
    expect((await c.get('/admins/activity_logs?created_at_after=0')).body.type).toBe('activity_log.list');
  });
});

describe('2. search: every operator × field type evaluates or answers 400, never an empty 200', () => {
  it('`id > ""` on conversations (sent by that client since 2024) returns every conversation; `id < ""` none', async () => {
    const all = (await exportTable(fake.url, 'conversations')).map((x) => String(x.id)).sort();
    const gt = await search('conversations', { field: 'id', operator: '>', value: '' });
    expect(gt.status).toBe(200);
    expect(gt.ids.sort()).toEqual(all);
    const lt = await search('conversations', { field: 'id', operator: '<', value: '' });
    expect([lt.status, lt.ids.length]).toEqual([200, 0]);
    // string order, not numeric: "100010" < "100009" is false, "100010" > "10001" is true
    const some = await search('conversations', { field: 'id', operator: '>', value: all[10] });
    expect(some.ids.sort()).toEqual(all.filter((id) => id > (all[10] as string)));
  });

  type Kind = 'string' | 'integer' | 'float' | 'boolean' | 'date' | 'day';
  /** Which operators each type takes (spec "Accepted Operators" + string > / < by evidence); the rest must be 400. */
  const ALLOWED: Record<Kind, string[]> = {
    string: ['=', '!=', 'IN', 'NIN', '>', '<', '~', '!~', '^', '$'],
    integer: ['=', '!=', 'IN', 'NIN', '>', '<', '>=', '<='],
    float: ['=', '!=', 'IN', 'NIN', '>', '<', '>=', '<='],
    boolean: ['=', '!=', 'IN', 'NIN'],
    date: ['=', '!=', 'IN', 'NIN', '>', '<', '>=', '<='], // conversations/tickets: to the second
    day: ['=', '>', '<'], // contacts: whole days; != >= <= IN NIN on dates → 400 (2.14:L5841-5864)
  };
  const OPS = ['=', '!=', 'IN', 'NIN', '>', '<', '>=', '<=', '~', '!~', '^', '$'];
  const FIELDS: Array<[resource: string, table: string, field: string, kind: Kind]> = [
    ['contacts', 'contacts', 'email', 'string'],
    ['contacts', 'contacts', 'owner_id', 'integer'],
    ['contacts', 'contacts', 'custom_attributes.mrr', 'float'],
    ['contacts', 'contacts', 'has_hard_bounced', 'boolean'],
    ['contacts', 'contacts', 'created_at', 'day'],
    ['conversations', 'conversations', 'state', 'string'],
    ['conversations', 'conversations', 'statistics.count_conversation_parts', 'integer'],
    ['conversations', 'conversations', 'open', 'boolean'],
    ['conversations', 'conversations', 'updated_at', 'date'],
    ['tickets', 'tickets', 'id', 'string'],
    ['tickets', 'tickets', 'open', 'boolean'],
    ['tickets', 'tickets', 'created_at', 'date'],
  ];
  const get = (row: Json, path: string): unknown =>
    path.startsWith('custom_attributes.') ? row.custom_attributes[path.slice(18)] : path.split('.').reduce<any>((o, k) => o?.[k], row);

  /** A value for `op` that record `v` must match (positive ops) or must not (negations). */
  function probe(op: string, v: unknown, kind: Kind): { value: unknown; negated: boolean } {
    const s = String(v);
    const n = Number(v);
    const day = kind === 'day' ? 2 * 86_400 : 1;
    switch (op) {
      case '=':
        return { value: v, negated: false };
      case '!=':
        return { value: v, negated: true };
      case 'IN':
        return { value: [v], negated: false };
      case 'NIN':
        return { value: [v], negated: true };
      case '>':
        return { value: kind === 'string' ? s.slice(0, -1) : n - (kind === 'float' ? 0.5 : day), negated: false };
      case '<':
        return { value: kind === 'string' ? `${s}~` : n + (kind === 'float' ? 0.5 : day), negated: false };
      case '>=':
      case '<=':
        return { value: v, negated: false };
      case '~':
        return { value: s.slice(1, -1), negated: false };
      case '!~':
        return { value: s, negated: true };
      case '^':
        return { value: s.slice(0, 3), negated: false };
      default:
        return { value: s.slice(-3), negated: false }; // '$'
    }
  }

  for (const [resource, table, field, kind] of FIELDS) {
    it(`${resource} ${field} (${kind})`, async () => {
      const rows = await exportTable(fake.url, table);
      const rec = rows.find((r) => get(r, field) !== null && get(r, field) !== undefined) as Json;
      expect(rec, `a ${table} record with ${field}`).toBeDefined();
      const v = get(rec, field);
      for (const op of OPS) {
        const { value, negated } = probe(op, v, kind);
        const filter = { field, operator: op, value };
        const r = negated
          ? await search(resource, filter)
          : await search(resource, { operator: 'AND', value: [{ field: 'id', operator: '=', value: rec.id }, filter] });
        const cell = `${resource} ${field} ${op} ${JSON.stringify(value)}`;
        if (!ALLOWED[kind].includes(op)) {
          expect(r.status, cell).toBe(400);
          expect(r.body.type, cell).toBe('error.list');
          continue;
        }
        expect(r.status, `${cell}: ${JSON.stringify(r.body).slice(0, 200)}`).toBe(200);
        if (negated) {
          expect(r.ids, cell).not.toContain(String(rec.id));
          const others = rows.filter((x) => get(x, field) !== v && get(x, field) !== null);
          if (others.length > 0) expect(r.ids.length, `${cell}: a negation that matches nothing`).toBeGreaterThan(0);
        } else {
          expect(r.ids, cell).toEqual([String(rec.id)]);
        }
      }
    });
  }

  it("every field of the spec's Accepted Fields tables (2.14) × every operator: 200 or 400 by the field's type, never a 500", async () => {
    const spec = loadSpec('2.14') as Json;
    const sample: Record<Kind, unknown> = { string: 'x', integer: 1, float: 1.5, boolean: true, date: 1767225600, day: 1767225600 };
    let cells = 0;
    for (const [resource, path] of [
      ['contacts', '/contacts/search'],
      ['conversations', '/conversations/search'],
      ['tickets', '/tickets/search'],
    ] as const) {
      const text = spec.paths[path].post.description as string;
      const table = text.slice(text.indexOf('### Accepted Fields'), text.indexOf('### Accepted Operators'));
      const fields = [...table.matchAll(/^\s*\|\s*([a-z_.]+)\s*\|\s*(String|Integer|Boolean|Date|Float)\b/gm)].map((m) => [m[1], m[2]] as [string, string]);
      expect(fields.length, resource).toBeGreaterThan(10);
      for (const [field, specType] of fields) {
        const kind: Kind = specType === 'Date' ? (resource === 'contacts' ? 'day' : 'date') : (specType.toLowerCase() as Kind);
        for (const op of OPS) {
          const value = op === 'IN' || op === 'NIN' ? [sample[kind]] : ['~', '!~', '^', '$'].includes(op) ? 'x' : sample[kind];
          const r = await search(resource, { field, operator: op, value });
          const allowed = ALLOWED[kind].includes(op) && (field !== 'tag_id' || op === '=' || op === '!=');
          expect(r.status, `${resource} ${field} (${specType}) ${op}: ${JSON.stringify(r.body).slice(0, 160)}`).toBe(allowed ? 200 : 400);
          cells++;
        }
      }
    }
    expect(cells).toBeGreaterThan(1000);
  });

  it('a field the fake cannot type, a value of the wrong type and tag_id beyond = / != are 400s', async () => {
    for (const [res, q] of [
      ['contacts', { field: 'custom_attributes.no_such_attribute', operator: '=', value: 'x' }],
      ['contacts', { field: 'location', operator: '=', value: 'x' }],
      ['contacts', { field: 'owner_id', operator: '=', value: 'abc' }],
      ['contacts', { field: 'has_hard_bounced', operator: '=', value: 'maybe' }],
      ['contacts', { field: 'tag_id', operator: 'IN', value: ['7000000'] }],
      ['contacts', { field: 'name', operator: '=', value: ['a'] }],
      ['conversations', { field: 'created_at', operator: '>', value: 'foobar' }],
      ['tickets', { field: 'ticket_attribute.unknown', operator: '=', value: 'x' }],
    ] as const) {
      const r = await search(res, q);
      expect(r.status, JSON.stringify(q)).toBe(400);
      expect(r.body.errors[0].code).toBe('bad_request');
    }
  });
});

describe('3. fractional timestamps in search values', () => {
  it('truncate to the second: the records of that second are not lost', async () => {
    fake.clock.set(1767225600 + 3600);
    const conv = fake.createConversation({}) as Json;
    const t = conv.updated_at as number;
    const found = async (operator: string, value: number) =>
      (
        await search('conversations', {
          operator: 'AND',
          value: [
            { field: 'id', operator: '=', value: conv.id },
            { field: 'updated_at', operator, value },
          ],
        })
      ).ids.includes(conv.id);
    expect(await found('=', t + 0.25)).toBe(true);
    expect(await found('>=', t + 0.25)).toBe(true);
    expect(await found('<=', t + 0.75)).toBe(true);
    expect(await found('>', t - 0.75)).toBe(true); // > t-1
    expect(await found('>', t + 0.25)).toBe(false); // > t
    expect(await found('<', t + 0.75)).toBe(false); // < t
    const contact = fake.createContact({}) as unknown as Json;
    const r = await search('contacts', {
      operator: 'AND',
      value: [
        { field: 'id', operator: '=', value: contact.id },
        { field: 'created_at', operator: '=', value: t + 0.5 },
      ],
    });
    expect(r.ids).toEqual([contact.id]);
  });
});

describe('4. --fault-rate alone injects faults of every kind', () => {
  it('startFakeIntercom({ faultRate }) without kinds draws from every kind', async () => {
    const f = await startFakeIntercom({ rateLimitPerMinute: null, faultRate: 1, seed: 3 });
    try {
      const fc = client(f.url);
      await Promise.all(
        Array.from({ length: 30 }, () =>
          fc
            .get('/tags')
            .catch(() => null)
            .then(() => undefined),
        ).map((p) => Promise.race([p, new Promise((r) => setTimeout(r, 1500))])),
      );
      const s = f.stats();
      expect(s.faultsInjected).toBe(30);
      expect(Object.keys(s.faultsByKind).length).toBeGreaterThanOrEqual(4);
    } finally {
      await f.close();
    }
  });

  it('the CLI injects with --fault-rate alone, only the named kinds with --fault-kinds, and refuses unknown kinds', async () => {
    const run = async (args: string[]) => {
      const p = await startFakeProcess(['--rate-limit-per-minute', '0', ...args]);
      try {
        const pc = client(p.url);
        const statuses: number[] = [];
        for (let i = 0; i < 24; i++) {
          // -1: reset or truncated; -2: a hang (not answered within a second)
          statuses.push(
            await Promise.race([
              pc.get('/tags').then(
                (r) => r.status,
                () => -1,
              ),
              new Promise<number>((r) => setTimeout(() => r(-2), 1000)),
            ]),
          );
        }
        const stats = (await request(`${p.url}/_fake/stats`).then((r) => r.body.json())) as Json;
        return { statuses, stats };
      } finally {
        await p.stop();
      }
    };
    const any = await run(['--fault-rate', '0.5']);
    expect(any.stats.faultsInjected).toBeGreaterThan(0);
    expect(Object.keys(any.stats.faultsByKind).length).toBeGreaterThanOrEqual(2);
    const only = await run(['--fault-rate', '0.5', '--fault-kinds', 'http_503']);
    expect(only.stats.faultsInjected).toBeGreaterThan(0);
    expect(Object.keys(only.stats.faultsByKind)).toEqual(['http_503']);
    expect(only.statuses.filter((s) => s !== 200 && s !== 503)).toEqual([]);

    const bad = await runCli(['fake-intercom', '--fault-rate', '0.1', '--fault-kinds', 'http_500,explode']);
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toMatch(/--fault-kinds: unknown fault kind 'explode'; use a comma-separated list of .*http_500/);
    const noRate = await runCli(['fake-intercom', '--fault-kinds', 'http_500']);
    expect([noRate.code, noRate.stderr.trim()]).toEqual([1, 'error: --fault-kinds needs --fault-rate <r> (a fraction above 0) to inject anything']);
  });
});

describe('5. derived fields follow the record', () => {
  it('email_domain follows email on create and update through /_fake', async () => {
    const created = (await request(`${fake.url}/_fake/contacts`, { method: 'POST', body: JSON.stringify({ email: 'x@example.com' }) }).then((r) =>
      r.body.json(),
    )) as Json;
    expect(created.email_domain).toBe('example.com');
    expect((await c.get(`/contacts/${created.id}`)).body.email_domain).toBe('example.com');
    const updated = (await request(`${fake.url}/_fake/contacts/${created.id}`, { method: 'POST', body: JSON.stringify({ email: 'y@Other.Test' }) }).then((r) =>
      r.body.json(),
    )) as Json;
    expect(updated.email_domain).toBe('other.test');
    const r = await search('contacts', { field: 'email_domain', operator: '=', value: 'other.test' });
    expect(r.ids).toContain(created.id);
  });
});

describe('6. clock and time zone flags', () => {
  it('--clock real ticks from --start-time; --timezone is the workspace zone', async () => {
    const p = await startFakeProcess(['--clock', 'real', '--start-time', '2030-05-01T12:00:00Z', '--timezone', 'Europe/Dublin']);
    try {
      const pc = client(p.url);
      const me = await pc.get('/me');
      expect(me.body.app.timezone).toBe('Europe/Dublin');
      const t0 = Date.parse(String(me.headers['date'])) / 1000;
      const start = Date.parse('2030-05-01T12:00:00Z') / 1000;
      expect(t0).toBeGreaterThanOrEqual(start);
      expect(t0).toBeLessThan(start + 30);
      await new Promise((r) => setTimeout(r, 2100));
      const t1 = Date.parse(String((await pc.get('/me')).headers['date'])) / 1000;
      expect(t1 - t0).toBeGreaterThanOrEqual(2);
    } finally {
      await p.stop();
    }
    const frozen = await startFakeProcess(['--start-time', '1900000000']);
    try {
      const pc = client(frozen.url);
      const a = (await pc.get('/me')).headers['date'];
      await new Promise((r) => setTimeout(r, 1100));
      expect((await pc.get('/me')).headers['date']).toBe(a);
      expect(Date.parse(String(a)) / 1000).toBe(1900000000);
    } finally {
      await frozen.stop();
    }
  });

  it('--help shows the defaults; bad values are one-line errors', async () => {
    const help = await runCli(['fake-intercom', '--help']);
    expect(help.stdout).toMatch(/--clock <mode>.*\(default: frozen\)/);
    expect(help.stdout).toMatch(/--start-time <t>.*\(default: 2026-01-01T00:00:00Z\)/);
    expect(help.stdout).toMatch(/--timezone <zone>.*\(default: America\/Los_Angeles\)/);
    expect(help.stdout).toMatch(/--fault-kinds <a,b>/);
    for (const [args, msg] of [
      [['--clock', 'fast'], /^error: --clock: 'fast' is not a clock mode/],
      [['--start-time', '2030-05-01 12:00'], /^error: --start-time: '2030-05-01 12:00' is not unix seconds or an ISO 8601 instant/],
      [['--timezone', 'Mars/Olympus'], /^error: --timezone: 'Mars\/Olympus' is not an IANA time zone/],
    ] as const) {
      const r = await runCli(['fake-intercom', ...args]);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr.trim()).toMatch(msg);
    }
  });
});

describe('7. doubled slashes', () => {
  it('collapse to one, as Intercom’s router most likely does (NOT CONFIRMED upstream)', async () => {
    const contact = (await exportTable(fake.url, 'contacts'))[0] as Json;
    const single = await c.get(`/contacts/${contact.id}/tags`);
    const doubled = await c.get(`//contacts/${contact.id}/tags`);
    expect(single.status).toBe(200);
    expect(doubled.body).toEqual(single.body);
    expect((await c.get('/contacts//' + contact.id)).body.id).toBe(contact.id);
  });
});
