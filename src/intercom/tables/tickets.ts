import type { Row } from '../../core/schema.js';
import type { ChildTableSpec, ExtractContext, Page, TableRequest, TableSpec } from './spec.js';
import { isObject } from '../pagination/envelope.js';
import { columns, getById, inWindow, SEARCH_LOOKBACK_SECONDS, SEARCH_SETTLE_SECONDS, searchProbe, searchRequest, PERMISSIONS } from './common.js';
import { searchPages } from '../read/slices.js';
import { fanOut } from '../read/fanout.js';

const SEARCH = searchRequest('/tickets/search', 'tickets');
const BY_ID: TableRequest = { method: 'GET', path: '/tickets/{id}', pagination: 'none', when: 'once per ticket in the window: its parts' };

const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

/**
 * One ticket row, the same columns on every API version. `ticket_state` is a string plus
 * `ticket_state_internal_label`/`_external_label` in 2.11 (2.11:L18040-18048) and an object
 * `{type, id, category, internal_label, external_label}` from 2.12 (2.14:L21972-22048): the raw
 * value is kept in the JSON column `ticket_state` and the category and labels are normalised into
 * plain columns, decided by the value's shape (a future shape degrades to the JSON column rather
 * than to wrong text). `admin_assignee_id`/`team_assignee_id` are strings (`"0"` when unassigned)
 * up to 2.15 and integers in 2.16 (notes §3.6, §5): always text. `ticket_parts` go to their own table.
 */
function ticketRow(t: Row): Row {
  const { ticket_parts: _parts, ...row } = t;
  const state = t.ticket_state;
  if (isObject(state)) {
    row.ticket_state_category = state.category ?? null;
    row.ticket_state_internal_label = state.internal_label ?? null;
    row.ticket_state_external_label = state.external_label ?? null;
  } else {
    row.ticket_state_category = typeof state === 'string' ? state : null;
  }
  row.admin_assignee_id = str(t.admin_assignee_id);
  row.team_assignee_id = str(t.team_assignee_id);
  return row;
}

/**
 * The parts of one ticket, from `GET /tickets/{id}` (the internal `id`, not the Inbox `ticket_id`,
 * 2.14:L13784, L21989-21993). A 404 (deleted since the search; deletes are permanent,
 * 2.14:L13927-13960) gives no parts, so the ticket's parts are removed.
 */
async function partsOf(ctx: ExtractContext, ticket: Row): Promise<Row[]> {
  const id = String(ticket.id);
  const res = await ctx.client.request<Row>(getById(BY_ID, id));
  if (res.status === 404) return [];
  const list = isObject(res.body) && isObject(res.body.ticket_parts) ? res.body.ticket_parts : {};
  const parts = Array.isArray(list.ticket_parts) ? (list.ticket_parts as Row[]) : [];
  // no cap is documented for ticket parts (conversations stop at 500); count it if one shows up
  if (typeof list.total_count === 'number' && list.total_count > parts.length) ctx.count('ticket_parts_truncated');
  return parts.map((p) => ({ ticket_id: id, ...p }));
}

/**
 * Tickets through POST /tickets/search (2.14:L14004), 150 per page, over the run's window; there
 * is no list endpoint. Ticket search filters `updated_at` to the second (like conversations), so
 * the window query is second-granular and filtered exactly here.
 *
 * `ticket_parts` is replaced per ticket: one `GET /tickets/{id}` per ticket in the window,
 * `concurrency` at a time through the shared client.
 */
async function* extract(ctx: ExtractContext): AsyncIterable<Page> {
  const keep = inWindow(ctx.window, 'updated_at');
  // second-exact slices of the window, read at once when it is big (slices.ts)
  const pages = (async function* () {
    for await (const p of searchPages(ctx, { ...SEARCH, field: 'updated_at', granularity: 'second' })) {
      yield { items: p.records.filter(keep), resume: p.resume };
    }
  })();
  for await (const { page, results } of fanOut(pages, (t: Row) => partsOf(ctx, t), { concurrency: ctx.concurrency })) {
    yield {
      rows: { tickets: page.items.map(ticketRow), ticket_parts: results.flat() },
      resume: page.resume,
      replaceChildren: { ticket_parts: { parentKey: ['ticket_id'], parents: page.items.map((t) => [String(t.id)]) } },
    };
  }
}

const children: ChildTableSpec[] = [
  {
    name: 'ticket_parts',
    primaryKey: ['ticket_id', 'id'],
    parentKey: ['ticket_id'],
    columns: columns({
      // the ticket's internal `id` (tickets.id), not its Inbox number tickets.ticket_id
      ticket_id: 'string',
      id: 'string',
      type: 'string',
      part_type: 'string',
      body: 'string',
      previous_ticket_state: 'string',
      ticket_state: 'string',
      created_at: 'timestamp',
      updated_at: 'timestamp',
      assigned_to: 'json',
      author: 'json',
      attachments: 'json',
      external_id: 'string',
      redacted: 'bool',
      updated_attribute_data: 'json',
      app_package_code: 'string',
    }),
  },
];

export const tickets = {
  name: 'tickets',
  description: 'Tickets, incremental on updated_at through the Search API, with their parts.',
  requests: [SEARCH, BY_ID],
  probe: searchProbe(SEARCH, PERMISSIONS.tickets),
  primaryKey: ['id'],
  incrementalKey: 'updated_at',
  defaultStrategy: 'merge',
  lookbackSeconds: SEARCH_LOOKBACK_SECONDS,
  settleSeconds: SEARCH_SETTLE_SECONDS,
  columns: columns({
    id: 'string',
    type: 'string',
    // the Inbox number: "Do not use ticket_id for API queries" (2.14:L21989-21993)
    ticket_id: 'string',
    category: 'string',
    ticket_attributes: 'json',
    // a string in 2.11, an object from 2.12: kept as sent
    ticket_state: 'json',
    // normalised from either shape of ticket_state
    ticket_state_category: 'string',
    ticket_state_internal_label: 'string',
    ticket_state_external_label: 'string',
    ticket_type: 'json',
    contacts: 'json',
    // a string ("0" when unassigned) up to 2.15, an integer in 2.16: always text
    admin_assignee_id: 'string',
    team_assignee_id: 'string',
    created_at: 'timestamp',
    updated_at: 'timestamp',
    open: 'bool',
    snoozed_until: 'timestamp',
    linked_objects: 'json',
    is_shared: 'bool',
  }),
  children,
  extract,
} satisfies TableSpec;
