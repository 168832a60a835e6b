/**
 * Issue #4, tickets + ticket_parts: equal to the fake's export on 2.11 (ticket_state a string),
 * 2.14 (an object) and 2.16 (assignee ids integers); parts replaced per ticket.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startFakeIntercom, type FakeIntercom } from '../../src/fake-intercom/index.js';
import { TOKEN, exportAs, rows, runOk, secs, tempDb } from './companies-helpers.js';

let f: FakeIntercom;
const N = 45;

beforeAll(async () => {
  f = await startFakeIntercom({ seed: 33, token: TOKEN, tickets: N, contacts: 50, companies: 5, conversations: 0 });
});
afterAll(async () => {
  await f?.close();
});

type Ticket = Record<string, unknown> & { ticket_parts: { ticket_parts: Array<Record<string, unknown>>; total_count: number } };

const ticketGets = () =>
  Object.entries(f.stats().byPath)
    .filter(([p]) => /^\/tickets\/\d+$/.test(p))
    .reduce((n, [, c]) => n + c, 0);

async function expectSameAsExport(file: string, version: string): Promise<void> {
  const truth = (await exportAs(f.url, 'tickets', version)) as Ticket[];
  expect(truth.length).toBe(N);
  const got = await rows(
    file,
    `select id, ticket_id, updated_at, ticket_state::varchar as ticket_state, ticket_state_category, ticket_state_internal_label,
            ticket_state_external_label, admin_assignee_id, team_assignee_id, open from intercom.tickets order by id`,
  );
  expect(got.length).toBe(N);
  const byId = new Map(truth.map((t) => [String(t.id), t]));
  for (const r of got) {
    const t = byId.get(String(r.id))!;
    expect(secs(r.updated_at)).toBe(t.updated_at);
    expect(r.ticket_id).toBe(t.ticket_id);
    expect(JSON.parse(String(r.ticket_state))).toEqual(t.ticket_state);
    const state = t.ticket_state as string | { category: string; internal_label: string; external_label: string };
    if (typeof state === 'string') {
      expect(r.ticket_state_category).toBe(state);
      expect(r.ticket_state_internal_label).toBe(t.ticket_state_internal_label);
      expect(r.ticket_state_external_label).toBe(t.ticket_state_external_label);
    } else {
      expect(r.ticket_state_category).toBe(state.category);
      expect(r.ticket_state_internal_label).toBe(state.internal_label);
      expect(r.ticket_state_external_label).toBe(state.external_label);
    }
    expect(r.admin_assignee_id).toBe(String(t.admin_assignee_id));
    expect(r.team_assignee_id).toBe(String(t.team_assignee_id));
    expect(r.open).toBe(t.open);
  }
  const parts = await rows(file, 'select ticket_id, id, part_type, ticket_state, created_at from intercom.ticket_parts order by ticket_id, id');
  const want = truth.flatMap((t) => t.ticket_parts.ticket_parts.map((p) => `${t.id}|${p.id}|${p.part_type}|${p.ticket_state}|${p.created_at}`)).sort();
  expect(parts.map((p) => `${p.ticket_id}|${p.id}|${p.part_type}|${p.ticket_state}|${secs(p.created_at)}`).sort()).toEqual(want);
  // the column names what parts were stored beside: no stray ticket_parts JSON column on tickets
  const cols = await rows(file, `select column_name from information_schema.columns where table_schema = 'intercom' and table_name = 'tickets'`);
  expect(cols.map((c) => c.column_name)).not.toContain('ticket_parts');
}

describe('tickets', () => {
  for (const version of ['2.11', '2.14', '2.16']) {
    test(`tickets and ticket_parts equal the export on ${version}`, async () => {
      const before = ticketGets();
      const file = tempDb(`tickets-${version.replace('.', '')}`);
      const s = await runOk(f.url, file, 'tickets', { apiVersion: version, concurrency: 6 });
      // GET /me, one search page (150 per page), one GET per ticket for its parts
      expect(ticketGets() - before).toBe(N);
      expect(s.requests).toBe(1 + 1 + N);
      await expectSameAsExport(file, version);
    });
  }

  test("a changed ticket's row and parts are replaced; only changed tickets are fetched", async () => {
    const file = tempDb('tickets-incremental');
    await runOk(f.url, file, 'tickets');
    const truth = (await exportAs(f.url, 'tickets')) as Ticket[];
    const open = truth.find((t) => (t.ticket_state as { category: string }).category !== 'resolved')!;
    f.clock.advance(3600);
    f.updateTicket(String(open.id), { ticket_state: 'resolved' });
    f.clock.advance(700); // past the lookback: the next run sees only this change
    const before = ticketGets();
    const s = await runOk(f.url, file, 'tickets');
    expect(s.rowsByTable['tickets']).toBe(1);
    expect(ticketGets() - before).toBe(1);
    await expectSameAsExport(file, '2.14');
    const states = await rows(file, `select distinct ticket_state from intercom.ticket_parts where ticket_id = '${open.id}'`);
    expect(states).toEqual([{ ticket_state: 'resolved' }]);
  });
});
