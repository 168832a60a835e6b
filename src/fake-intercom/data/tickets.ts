/** Tickets: canonical shape = 2.14 `ticket` (2.14:L21972-22048) with ticket parts. */
import { STREAM, int, pick, rng } from '../prng.js';
import type { Obj } from '../types.js';
import { baseContactTimes, contactId } from './contacts.js';
import type { Gen } from './context.js';
import { TICKET_ID_BASE } from './ids.js';
import { MAX_LAG, baseUpdatedAt } from './timeline.js';
import { adminId } from './workspace.js';

export interface TicketModel {
  index: number;
  obj: Obj;
  parts: number;
}

export function ticketId(i: number): string {
  return String(TICKET_ID_BASE + i);
}

const STATES = [
  { category: 'submitted', internal_label: 'Submitted', external_label: 'Submitted' },
  { category: 'in_progress', internal_label: 'In progress', external_label: 'In progress' },
  { category: 'waiting_on_customer', internal_label: 'Waiting on customer', external_label: 'Awaiting your reply' },
  { category: 'resolved', internal_label: 'Resolved', external_label: 'Resolved' },
] as const;

export function ticketState(k: number): Obj {
  const s = STATES[k % STATES.length] as (typeof STATES)[number];
  return { type: 'ticket_state', id: String(7400 + (k % STATES.length)), ...s };
}

const TYPES = [
  { name: 'Bug report', category: 'Customer' },
  { name: 'Refund request', category: 'Back-office' },
  { name: 'Outage', category: 'Tracker' },
] as const;

function ticketType(g: Gen, k: number): Obj {
  const t = TYPES[k % TYPES.length] as (typeof TYPES)[number];
  const created = g.now0 - 600 * 86400;
  return {
    type: 'ticket_type',
    id: String(1500 + k),
    category: t.category,
    name: t.name,
    description: `${t.name} tickets`,
    icon: '🐞',
    workspace_id: g.appId,
    ticket_type_attributes: { type: 'ticket_type_attributes.list', ticket_type_attributes: [] },
    archived: false,
    created_at: created,
    updated_at: created,
  };
}

export function baseTicket(g: Gen, i: number): TicketModel {
  const updated = baseUpdatedAt(i, g.counts.tickets, g.now0);
  const r = rng(g.seed, STREAM.ticket, i, 1);
  const created = updated - Math.floor(r() * MAX_LAG);
  const typeIdx = int(r, 0, TYPES.length - 1);
  const stateIdx = int(r, 0, STATES.length - 1);
  const contactIdx = g.counts.contacts > 0 ? int(r, 0, g.counts.contacts - 1) : -1;
  const contacts = contactIdx >= 0 ? [{ type: 'contact', id: contactId(g, contactIdx, baseContactTimes(g, contactIdx).created_at), external_id: null }] : [];
  const admin = g.counts.admins > 0 && r() < 0.7 ? adminId(int(r, 0, g.counts.admins - 1)) : 0;
  const obj: Obj = {
    type: 'ticket',
    id: ticketId(i),
    // Inbox number, "Do not use ticket_id for API queries" (2.14:L21989-21993).
    ticket_id: String(i + 1),
    category: (TYPES[typeIdx] as (typeof TYPES)[number]).category,
    ticket_attributes: {
      _default_title_: `Ticket ${i + 1}: ${pick(r, ['crash', 'refund', 'login loop', 'slow export'])}`,
      _default_description_: 'Steps to reproduce…',
    },
    ticket_state: ticketState(stateIdx),
    ticket_type: ticketType(g, typeIdx),
    contacts: { type: 'contact.list', contacts },
    admin_assignee_id: admin,
    team_assignee_id: 0,
    created_at: created,
    updated_at: updated,
    open: stateIdx !== 3,
    linked_objects: { type: 'list', total_count: 0, has_more: false, data: [] },
    is_shared: r() < 0.5,
  };
  return { index: i, obj, parts: int(r, 1, 6) };
}

/** Ticket parts (`ticket_part`, 2.14:L22125-22269), generated from the ticket. */
export function ticketParts(g: Gen, m: TicketModel): Obj {
  const created = m.obj.created_at as number;
  const updated = m.obj.updated_at as number;
  const state = (m.obj.ticket_state as Obj).category as string;
  const parts = Array.from({ length: m.parts }, (_, k) => {
    const at = created + Math.floor(((updated - created) * k) / Math.max(1, m.parts - 1));
    return {
      type: 'ticket_part',
      id: String(60_000_000 + m.index * 100 + k),
      part_type: k === 0 ? 'ticket_state_updated_by_admin' : 'comment',
      body: k === 0 ? null : `<p>Ticket reply ${k}</p>`,
      previous_ticket_state: 'submitted',
      ticket_state: state,
      created_at: at,
      updated_at: at,
      assigned_to: null,
      author: { type: 'admin', id: String(adminId(0)), name: 'Support', email: `admin@${g.appId}.example.com` },
      attachments: [],
      external_id: null,
      redacted: false,
    };
  });
  return { type: 'ticket_part.list', ticket_parts: parts, total_count: parts.length };
}
