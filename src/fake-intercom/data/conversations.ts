/**
 * Conversations and their parts. Canonical shape = 2.14 `conversation` (2.14:L17278-17389).
 * Parts are generated lazily from (conversation index, part number): a conversation with
 * 700 parts costs nothing until it is read. About 1 in 200 conversations (deterministically
 * index ≡ 7 mod 200) has more than 500 parts, to exercise the 500-part cap (2.14:L6791-6793).
 */
import { STREAM, distinct, int, pick, rng } from '../prng.js';
import type { Obj } from '../types.js';
import { baseContactTimes, contactId } from './contacts.js';
import type { Gen } from './context.js';
import { CONVERSATION_ID_BASE, PART_ID_BASE, PART_STRIDE } from './ids.js';
import { CONVERSATION_ATTRS, WORDS } from './names.js';
import { MAX_LAG, baseUpdatedAt } from './timeline.js';
import { customAttributes } from './values.js';
import { adminId, tagId, tagName } from './workspace.js';

export interface ConversationModel {
  index: number;
  obj: Obj;
  /** Parts generated from the seed (the first `baseParts` part numbers). */
  baseParts: number;
  /** Parts added by mutations, in order. */
  extraParts: Obj[];
  /** Time span of the generated parts (fixed at generation, unaffected by mutations). */
  partsFrom: number;
  partsTo: number;
}

export function conversationId(i: number): string {
  return String(CONVERSATION_ID_BASE + i);
}

export function basePartCount(i: number, g: Gen): number {
  if (i % 200 === 7) return int(rng(g.seed, STREAM.conversation, i, 9), 501, 800);
  // 1..15, mean ≈ 8.
  return int(rng(g.seed, STREAM.conversation, i, 9), 1, 15);
}

export function partId(i: number, k: number): string {
  return String(PART_ID_BASE + i * PART_STRIDE + k);
}

function contactRef(g: Gen, k: number): Obj {
  const t = baseContactTimes(g, k);
  return { type: 'contact', id: contactId(g, k, t.created_at), external_id: t.signed_up_at !== null ? `ext-${k}` : null };
}

export function baseConversation(g: Gen, i: number): ConversationModel {
  const n = g.counts.conversations;
  const updated = baseUpdatedAt(i, n, g.now0);
  const r = rng(g.seed, STREAM.conversation, i, 1);
  const created = updated - Math.floor(r() * MAX_LAG);
  const state = pick(r, ['open', 'closed', 'closed', 'snoozed'] as const);
  const admin = g.counts.admins > 0 && r() < 0.8 ? adminId(int(r, 0, g.counts.admins - 1)) : null;
  const contactIdx = g.counts.contacts > 0 ? int(r, 0, g.counts.contacts - 1) : -1;
  const contact = contactIdx >= 0 ? contactRef(g, contactIdx) : null;
  const parts = basePartCount(i, g);
  const word = pick(r, WORDS);
  const tagIdxs = g.counts.tags ? distinct(r, int(r, 0, 2), g.counts.tags) : [];
  const obj: Obj = {
    type: 'conversation',
    id: conversationId(i),
    title: r() < 0.3 ? `Question about ${word}` : null,
    created_at: created,
    updated_at: updated,
    waiting_since: state === 'open' ? updated : null,
    snoozed_until: state === 'snoozed' ? g.now0 + int(r, 1, 72) * 3600 : null,
    open: state !== 'closed',
    state,
    read: r() < 0.8,
    priority: r() < 0.15 ? 'priority' : 'not_priority',
    admin_assignee_id: admin,
    team_assignee_id: g.counts.teams > 0 && r() < 0.5 ? 5_000_000 + int(r, 0, g.counts.teams - 1) : null,
    tags: {
      type: 'tag.list',
      tags: tagIdxs.map((k) => ({ type: 'tag', id: tagId(k), name: tagName(k), applied_at: created, applied_by: { type: 'admin', id: String(adminId(0)) } })),
    },
    conversation_rating:
      state === 'closed' && r() < 0.3 && contact
        ? { rating: int(r, 1, 5), remark: '', created_at: updated, updated_at: updated, contact, teammate: { type: 'admin', id: String(admin ?? adminId(0)) } }
        : null,
    source: {
      type: pick(r, ['conversation', 'email', 'conversation', 'whatsapp'] as const),
      id: String(400_000_000 + i),
      delivered_as: 'customer_initiated',
      subject: '',
      body: `<p>Hi, I need help with ${word} 😀 — "quoted" & <b>html</b></p>`,
      author: {
        type: 'user',
        id: (contact?.id as string) ?? '0',
        name: null,
        email: `user${contactIdx}@example.com`,
        from_ai_agent: false,
        is_ai_answer: false,
      },
      attachments: [],
      url: null,
      redacted: false,
    },
    contacts: { type: 'contact.list', contacts: contact ? [contact] : [] },
    teammates: { type: 'admin.list', teammates: admin ? [{ type: 'admin', id: String(admin) }] : [] },
    // Unset conversation attributes are absent, not null (values are string|integer|datetime, 2.14:L19071).
    custom_attributes: Object.fromEntries(Object.entries(customAttributes(r, CONVERSATION_ATTRS, updated)).filter(([, x]) => x !== null)),
    first_contact_reply: { created_at: created, type: 'conversation', url: null },
    sla_applied: null,
    statistics: statistics(created, updated, parts, admin),
    linked_objects: { type: 'list', total_count: 0, has_more: false, data: [] },
    ai_agent_participated: false,
    ai_agent: null,
    // Example-only fields (2.14:L6612-6613); the 2.11 schema requires `topics`.
    topics: {},
    ticket: null,
  };
  return { index: i, obj, baseParts: parts, extraParts: [], partsFrom: created, partsTo: updated };
}

export function statistics(created: number, updated: number, parts: number, admin: number | null): Obj {
  return {
    type: 'conversation_statistics',
    time_to_assignment: 0,
    time_to_admin_reply: Math.min(3600, updated - created),
    time_to_first_close: updated - created,
    time_to_last_close: updated - created,
    median_time_to_reply: 600,
    first_contact_reply_at: created,
    first_assignment_at: created,
    first_admin_reply_at: created + Math.min(3600, updated - created),
    first_close_at: updated,
    last_assignment_at: created,
    last_assignment_admin_reply_at: created,
    last_contact_reply_at: created,
    last_admin_reply_at: updated,
    last_close_at: updated,
    last_closed_by_id: String(admin ?? adminId(0)),
    count_reopens: 0,
    count_assignments: admin ? 1 : 0,
    count_conversation_parts: parts,
    assigned_team_first_response_time: [],
    assigned_team_first_response_time_in_office_hours: [],
    handling_time: 0,
    adjusted_handling_time: null,
  };
}

/** Part `k` of base conversation `m` (`conversation_part`, 2.14:L17491-17578). Timestamps increase with k; the last one is the conversation's original updated_at. */
export function basePart(g: Gen, m: ConversationModel, k: number): Obj {
  const r = rng(g.seed, STREAM.part, m.index, k);
  const span = Math.max(0, m.partsTo - m.partsFrom);
  const created = m.partsFrom + (m.baseParts <= 1 ? span : Math.floor((span * k) / (m.baseParts - 1)));
  const fromAdmin = k % 2 === 1;
  const admin = g.counts.admins > 0 ? adminId(int(r, 0, g.counts.admins - 1)) : adminId(0);
  const contacts = (m.obj.contacts as { contacts: Obj[] }).contacts;
  const partType = k === m.baseParts - 1 && m.obj.state === 'closed' ? 'close' : pick(r, ['comment', 'comment', 'note', 'assignment'] as const);
  return {
    type: 'conversation_part',
    id: partId(m.index, k),
    part_type: partType,
    body: `<p>Part ${k + 1}: ${pick(r, WORDS)}</p>`,
    created_at: created,
    updated_at: created,
    notified_at: created,
    assigned_to: partType === 'assignment' ? { type: 'admin', id: String(admin) } : null,
    author:
      fromAdmin || contacts.length === 0
        ? { type: 'admin', id: String(admin), name: 'Support', email: `admin@${g.appId}.example.com`, from_ai_agent: false, is_ai_answer: false }
        : { type: 'user', id: contacts[0]?.id, name: null, email: 'user@example.com', from_ai_agent: false, is_ai_answer: false },
    attachments: [],
    external_id: null,
    redacted: false,
    email_message_metadata: null,
    metadata: null,
    state: m.obj.state === 'snoozed' ? 'snoozed' : partType === 'close' ? 'closed' : 'open',
    tags: [],
    event_details: null,
    app_package_code: null,
  };
}

/** A part appended by a mutation at `now`. */
export function newPart(g: Gen, m: ConversationModel, k: number, now: number): Obj {
  return {
    type: 'conversation_part',
    id: partId(m.index, k),
    part_type: 'comment',
    body: `<p>New reply ${k + 1}</p>`,
    created_at: now,
    updated_at: now,
    notified_at: now,
    assigned_to: null,
    author: { type: 'admin', id: String(adminId(0)), name: 'Support', email: `admin@${g.appId}.example.com`, from_ai_agent: false, is_ai_answer: false },
    attachments: [],
    external_id: null,
    redacted: false,
    email_message_metadata: null,
    metadata: null,
    state: 'open',
    tags: [],
    event_details: null,
    app_package_code: null,
  };
}
