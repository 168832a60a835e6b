/** Search targets and field schemas for contacts, conversations and tickets. */
import type { ConversationModel } from './data/conversations.js';
import type { ContactModel } from './data/contacts.js';
import { baseContactTimes, contactObject } from './data/contacts.js';
import { MAX_LAG, lowerBound } from './data/timeline.js';
import type { TicketModel } from './data/tickets.js';
import { segmentId } from './data/workspace.js';
import type { Target } from './engine.js';
import { hash32 } from './prng.js';
import { FIELD_TYPES, type FieldType, type SearchSchema, resolvePath } from './search.js';
import type { Obj } from './types.js';
import type { World } from './world.js';

/** Custom attribute types of a model, as GET /data_attributes lists them (created ones included). */
function customTypes(w: World, model: 'contact' | 'conversation'): Map<string, FieldType> {
  const out = new Map<string, FieldType>();
  for (const a of w.dataAttributes(model)) {
    if (a.custom === false) continue;
    const t = a.data_type === 'datetime' ? 'date' : a.data_type === 'options' ? 'string' : (a.data_type as FieldType);
    if ((FIELD_TYPES as readonly string[]).includes(t)) out.set(a.name as string, t);
  }
  return out;
}

/** Field → type from a table of names per type; `custom_attributes.<name>` from the model's data attributes. */
function typer(
  byType: Partial<Record<FieldType, readonly string[]>>,
  custom?: Map<string, FieldType>,
  prefix = 'custom_attributes.',
): (f: string) => FieldType | undefined {
  const m = new Map<string, FieldType>();
  for (const [t, names] of Object.entries(byType)) for (const n of names) m.set(n, t as FieldType);
  return (f) => m.get(f) ?? (custom && f.startsWith(prefix) ? custom.get(f.slice(prefix.length)) : undefined);
}

/** Contact timestamp fields (2.14:L5797-5839) — searched by whole days ≤2.16. */
const CONTACT_TIMES = [
  'created_at',
  'updated_at',
  'signed_up_at',
  'last_seen_at',
  'last_contacted_at',
  'last_replied_at',
  'last_email_opened_at',
  'last_email_clicked_at',
  'android_last_seen_at',
  'ios_last_seen_at',
];

/** Contact search fields and types (2.14:L5797-5839; `formatted_phone`, `browser_version`, the `os_version`s as the model has them). */
const CONTACT_FIELDS = {
  string: [
    'id',
    'role',
    'name',
    'avatar',
    'email',
    'email_domain',
    'phone',
    'formatted_phone',
    'external_id',
    'language_override',
    'browser',
    'browser_version',
    'browser_language',
    'os',
    'location.country',
    'location.region',
    'location.city',
    'ios_app_name',
    'ios_app_version',
    'ios_device',
    'ios_os_version',
    'ios_sdk_version',
    'android_app_name',
    'android_app_version',
    'android_device',
    'android_os_version',
    'android_sdk_version',
    'segment_id',
    'tag_id',
    // listed by the spec, absent from the model: searchable, match nothing ('andoid' sic, 2.14:L5837)
    'ios_app_device',
    'andoid_sdk_version',
  ],
  integer: ['owner_id'],
  boolean: ['unsubscribed_from_emails', 'marked_email_as_spam', 'has_hard_bounced'],
  date: CONTACT_TIMES,
} as const;

export function contactSchema(w: World): SearchSchema {
  return { typeOf: typer(CONTACT_FIELDS, customTypes(w, 'contact')), eqOnly: new Set(['tag_id']), dayGranular: true, timezone: w.g.timezone };
}

/** Conversation search fields and types (2.14:L7395-7452). */
const CONVERSATION_FIELDS = {
  string: [
    'id',
    'source.type',
    'source.id',
    'source.delivered_as',
    'source.subject',
    'source.body',
    'source.author.id',
    'source.author.type',
    'source.author.name',
    'source.author.email',
    'source.url',
    'contact_ids',
    'teammate_ids',
    'channel_initiated',
    'state',
    'tag_ids',
    'priority',
    'statistics.last_closed_by_id',
    'conversation_rating.remark',
    'conversation_rating.contact_id',
    'conversation_rating.admin_d',
    'ai_agent.resolution_state',
    'ai_agent.last_answer_type',
    'ai_agent.rating_remark',
    'ai_agent.source_type',
    'ai_agent.source_title',
    'title',
  ],
  integer: [
    'admin_assignee_id',
    'team_assignee_id',
    'statistics.time_to_assignment',
    'statistics.time_to_admin_reply',
    'statistics.time_to_first_close',
    'statistics.time_to_last_close',
    'statistics.median_time_to_reply',
    'statistics.count_reopens',
    'statistics.count_assignments',
    'statistics.count_conversation_parts',
    'conversation_rating.score',
    'ai_agent.rating',
  ],
  boolean: ['open', 'read', 'ai_agent_participated'],
  date: [
    'created_at',
    'updated_at',
    'waiting_since',
    'snoozed_until',
    'statistics.first_contact_reply_at',
    'statistics.first_assignment_at',
    'statistics.first_admin_reply_at',
    'statistics.first_close_at',
    'statistics.last_assignment_at',
    'statistics.last_assignment_admin_reply_at',
    'statistics.last_contact_reply_at',
    'statistics.last_admin_reply_at',
    'statistics.last_close_at',
    'conversation_rating.requested_at',
    'conversation_rating.replied_at',
  ],
} as const;

export function conversationSchema(w: World): SearchSchema {
  return { typeOf: typer(CONVERSATION_FIELDS, customTypes(w, 'conversation')), dayGranular: false, timezone: w.g.timezone };
}

/** Ticket search fields and types (2.14:L14040-14056); `ticket_attribute.{id}`: the default title/description (strings). */
const TICKET_FIELDS = {
  string: [
    'id',
    'title',
    'description',
    'category',
    'ticket_type_id',
    'contact_ids',
    'teammate_ids',
    'admin_assignee_id',
    'team_assignee_id',
    'state',
    'ticket_attribute._default_title_',
    'ticket_attribute._default_description_',
  ],
  boolean: ['open'],
  date: ['created_at', 'updated_at', 'snoozed_until'],
} as const;

export function ticketSchema(w: World): SearchSchema {
  return { typeOf: typer(TICKET_FIELDS), dayGranular: false, timezone: w.g.timezone };
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
        return resolvePath(full, path === 'avatar' ? 'avatar.image_url' : path);
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
          case 'contact_ids':
            return ((o.contacts as Obj).contacts as Obj[]).map((c) => c.id);
          case 'teammate_ids':
            return (((o.teammates as Obj | null)?.teammates as Obj[]) ?? []).map((c) => Number(c.id));
          case 'tag_ids':
            return ((o.tags as Obj).tags as Obj[]).map((t) => t.id);
          case 'channel_initiated':
            return (o.source as Obj).delivered_as;
          default:
            return resolvePath(o, path);
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
          case 'contact_ids':
            return ((o.contacts as Obj).contacts as Obj[]).map((c) => c.id);
          case 'state':
            return (o.ticket_state as Obj).category;
          // Search uses request|task|tracker, not the display names (2.14:L14058-14063).
          case 'category':
            return TICKET_CATEGORY[o.category as string] ?? o.category;
          case 'title':
            return (o.ticket_attributes as Obj)._default_title_;
          case 'description':
            return (o.ticket_attributes as Obj)._default_description_;
          case 'ticket_type_id':
            return (o.ticket_type as Obj).id;
          case 'ticket_attribute._default_title_':
          case 'ticket_attribute._default_description_':
            return (o.ticket_attributes as Obj)[path.slice('ticket_attribute.'.length)];
          default:
            return resolvePath(o, path);
        }
      };
    },
    baseRange: (field, lo, hi) => timeRange(w.tickets.baseCount, w.g.now0, field, lo, hi, lagged),
  };
}
