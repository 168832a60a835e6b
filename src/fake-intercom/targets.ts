/** Search targets and field schemas for contacts, conversations and tickets. */
import type { ConversationModel } from './data/conversations.js';
import type { ContactModel } from './data/contacts.js';
import { baseContactTimes, contactObject } from './data/contacts.js';
import { CONTACT_ATTRS } from './data/names.js';
import { MAX_LAG, lowerBound } from './data/timeline.js';
import type { TicketModel } from './data/tickets.js';
import { segmentId } from './data/workspace.js';
import type { Target } from './engine.js';
import { hash32 } from './prng.js';
import { type SearchSchema, resolvePath } from './search.js';
import type { Obj } from './types.js';
import type { World } from './world.js';

/** Contact timestamp fields (2.14:L5797-5839) — searched by whole days ≤2.16. */
const CONTACT_TIMES = new Set([
  'created_at', 'updated_at', 'signed_up_at', 'last_seen_at', 'last_contacted_at', 'last_replied_at',
  'last_email_opened_at', 'last_email_clicked_at', 'android_last_seen_at', 'ios_last_seen_at',
  ...CONTACT_ATTRS.filter((a) => a.data_type === 'date').map((a) => `custom_attributes.${a.name}`),
]);

const CONTACT_ROOTS = new Set([
  'id', 'role', 'name', 'avatar', 'owner_id', 'email', 'email_domain', 'phone', 'formatted_phone', 'external_id',
  'language_override', 'browser', 'browser_version', 'browser_language', 'os', 'location', 'unsubscribed_from_emails',
  'marked_email_as_spam', 'has_hard_bounced', 'segment_id', 'tag_id', 'custom_attributes', 'ios_app_name',
  'ios_app_version', 'ios_device', 'ios_os_version', 'ios_sdk_version', 'android_app_name', 'android_app_version',
  'android_device', 'android_os_version', 'android_sdk_version', ...[...CONTACT_TIMES].filter((f) => !f.includes('.')),
]);

export function contactSchema(tz: string): SearchSchema {
  return { roots: CONTACT_ROOTS, isTimestamp: (f) => CONTACT_TIMES.has(f), dayGranular: true, timezone: tz };
}

/** Conversation search fields (2.14:L7395-7452). */
const CONVERSATION_ROOTS = new Set([
  'id', 'created_at', 'updated_at', 'source', 'contact_ids', 'teammate_ids', 'admin_assignee_id', 'team_assignee_id',
  'channel_initiated', 'open', 'read', 'state', 'waiting_since', 'snoozed_until', 'tag_ids', 'priority', 'statistics',
  'conversation_rating', 'ai_agent_participated', 'ai_agent', 'custom_attributes', 'title',
]);
const CONVERSATION_TIMES = new Set(['created_at', 'updated_at', 'waiting_since', 'snoozed_until']);

export function conversationSchema(tz: string): SearchSchema {
  return {
    roots: CONVERSATION_ROOTS,
    isTimestamp: (f) => CONVERSATION_TIMES.has(f) || (f.startsWith('statistics.') && f.endsWith('_at')),
    dayGranular: false,
    timezone: tz,
  };
}

/** Ticket search fields (2.14:L14040-14056). */
const TICKET_ROOTS = new Set([
  'id', 'created_at', 'updated_at', 'title', 'description', 'category', 'ticket_type_id', 'contact_ids', 'teammate_ids',
  'admin_assignee_id', 'team_assignee_id', 'open', 'state', 'snoozed_until', 'ticket_attribute',
]);

export function ticketSchema(tz: string): SearchSchema {
  return { roots: TICKET_ROOTS, isTimestamp: (f) => ['created_at', 'updated_at', 'snoozed_until'].includes(f), dayGranular: false, timezone: tz };
}

/** Segments a contact belongs to (deterministic; GET /contacts/{id}/segments, search `segment_id`). */
export function contactSegmentIds(w: World, m: ContactModel): string[] {
  const out: string[] = [];
  for (let k = 0; k < w.g.counts.segments; k++) if (hash32(w.g.seed, 0x5e, m.index, k) % 3 === 0) out.push(segmentId(w.g, k));
  return out;
}

/** Maps a time interval on a field to an index range of base records (see data/timeline.ts). */
function timeRange(n: number, now0: number, field: string, lo: number, hi: number, lagged: Set<string>): [number, number] | null {
  if (field === 'updated_at') return [lowerBound(lo, n, now0), lowerBound(hi, n, now0)];
  // created_at etc. of base records lie in [updated_at - MAX_LAG, updated_at].
  if (lagged.has(field)) return [lowerBound(lo, n, now0), lowerBound(hi === Infinity ? hi : hi + MAX_LAG, n, now0)];
  return null;
}

export function contactTarget(w: World): Target<ContactModel> {
  const lagged = new Set(['created_at', 'signed_up_at', 'last_seen_at']);
  return {
    name: 'contacts',
    table: w.contacts,
    resolver(i) {
      const times = w.contacts.isOverlaid(i) ? null : (baseContactTimes(w.g, i) as Record<string, number | null>);
      let m: ContactModel | undefined;
      let full: Obj | undefined;
      return (path) => {
        if (times && path in times) return times[path];
        m ??= w.contacts.get(i) as ContactModel;
        if (path === 'tag_id') return m.tagIds;
        if (path === 'segment_id') return contactSegmentIds(w, m);
        full ??= contactObject(m);
        return resolvePath(full, path);
      };
    },
    baseRange: (field, lo, hi) => timeRange(w.contacts.baseCount, w.g.now0, field, lo, hi, lagged),
  };
}

/** Search-only extra: contacts created less than `lag` seconds ago are not yet indexed (2.14:L5762-5764). */
export function contactSearchTarget(w: World): Target<ContactModel> {
  const t = contactTarget(w);
  return {
    ...t,
    visible: (i) => !w.contacts.isOverlaid(i) || (w.contacts.get(i) as ContactModel).searchableAt <= w.clock.now(),
    epoch: () => w.clock.now(),
  };
}

export function conversationTarget(w: World): Target<ConversationModel> {
  const lagged = new Set(['created_at']);
  return {
    name: 'conversations',
    table: w.conversations,
    resolver(i) {
      let o: Obj | undefined;
      return (path) => {
        o ??= (w.conversations.get(i) as ConversationModel).obj;
        switch (path) {
          case 'contact_ids': return ((o.contacts as Obj).contacts as Obj[]).map((c) => c.id);
          case 'teammate_ids': return (((o.teammates as Obj | null)?.teammates as Obj[]) ?? []).map((c) => Number(c.id));
          case 'tag_ids': return ((o.tags as Obj).tags as Obj[]).map((t) => t.id);
          case 'channel_initiated': return (o.source as Obj).delivered_as;
          default: return resolvePath(o, path);
        }
      };
    },
    baseRange: (field, lo, hi) => timeRange(w.conversations.baseCount, w.g.now0, field, lo, hi, lagged),
  };
}

const TICKET_CATEGORY: Record<string, string> = { Customer: 'request', 'Back-office': 'task', Tracker: 'tracker' };

export function ticketTarget(w: World): Target<TicketModel> {
  const lagged = new Set(['created_at']);
  return {
    name: 'tickets',
    table: w.tickets,
    resolver(i) {
      let o: Obj | undefined;
      return (path) => {
        o ??= (w.tickets.get(i) as TicketModel).obj;
        switch (path) {
          case 'contact_ids': return ((o.contacts as Obj).contacts as Obj[]).map((c) => c.id);
          case 'state': return (o.ticket_state as Obj).category;
          // Search uses request|task|tracker, not the display names (2.14:L14058-14063).
          case 'category': return TICKET_CATEGORY[o.category as string] ?? o.category;
          case 'title': return (o.ticket_attributes as Obj)._default_title_;
          case 'description': return (o.ticket_attributes as Obj)._default_description_;
          case 'ticket_type_id': return (o.ticket_type as Obj).id;
          default: return resolvePath(o, path);
        }
      };
    },
    baseRange: (field, lo, hi) => timeRange(w.tickets.baseCount, w.g.now0, field, lo, hi, lagged),
  };
}
