/**
 * Ground truth: every current record of a table, as GET-by-id would return it, for tests and
 * benchmarks to compare a warehouse against (GET /_fake/export/<table> streams it as NDJSON).
 */
import type { CompanyModel } from './data/companies.js';
import type { ConversationModel } from './data/conversations.js';
import { conversationAttributes, me } from './data/workspace.js';
import type { Obj } from './types.js';
import { HttpError } from './types.js';
import { atLeast, renderAdmin, renderArticle, renderContact, renderConversation, renderPart, renderTeam, renderTicket, type Version } from './versions.js';
import type { World } from './world.js';

export const EXPORT_TABLES = [
  'contacts',
  'companies',
  'conversations',
  'conversation_parts',
  'tickets',
  'admins',
  'teams',
  'tags',
  'segments',
  'articles',
  'help_center_collections',
  'news_items',
  'activity_logs',
  'data_attributes',
  'deleted_conversations',
] as const;
export type ExportTable = (typeof EXPORT_TABLES)[number];

export function* exportRows(w: World, table: string, v: Version): Generator<Obj> {
  switch (table as ExportTable) {
    case 'contacts':
      for (const i of w.contacts.indexesFrom(0)) yield renderContact(w.contactObj(i), v);
      return;
    case 'companies':
      // Only companies the API can show (with users, 2.14:L3284).
      for (const j of w.companies.indexesFrom(0)) if (w.companyVisible(w.companies.get(j) as CompanyModel)) yield w.companyObj(j);
      return;
    case 'conversations':
      for (const i of w.conversations.indexesFrom(0)) yield renderConversation(w.conversationObj(i, true), v);
      return;
    case 'conversation_parts':
      // ALL parts, including those beyond the API's 500-part window.
      for (const i of w.conversations.indexesFrom(0)) {
        const m = w.conversations.get(i) as ConversationModel;
        const n = w.partCount(m);
        for (let k = 0; k < n; k++) yield { ...renderPart(w.part(m, k), v), conversation_id: m.obj.id };
      }
      return;
    case 'tickets':
      for (const i of w.tickets.indexesFrom(0)) yield renderTicket(w.ticketObj(i), v);
      return;
    case 'admins':
      yield* w.admins.map((a) => renderAdmin(a, v));
      return;
    case 'teams':
      yield* w.teams.map((t) => renderTeam(t, v));
      return;
    case 'tags':
      yield* w.tags;
      return;
    case 'segments':
      yield* w.segments;
      return;
    case 'articles':
      yield* w.articles.map((a) => renderArticle(a, v));
      return;
    case 'help_center_collections':
      yield* w.collections;
      return;
    case 'news_items':
      yield* w.newsItems;
      return;
    case 'activity_logs':
      yield* w.activityLogs;
      return;
    case 'data_attributes':
      yield* w.dataAttributes('contact');
      yield* w.dataAttributes('company');
      if (atLeast(v, '2.16')) yield* conversationAttributes(w.g);
      else yield* w.dataAttributes('conversation');
      return;
    case 'deleted_conversations':
      yield* w.deletedConversations.map((d) => ({ type: 'conversation', id: d.id, metrics_retained: false, deleted_at: d.deleted_at }));
      return;
    default:
      throw new HttpError(404, 'not_found', `unknown export table ${table}; one of ${EXPORT_TABLES.join(', ')}`);
  }
}

/** The workspace admin as GET /me returns it (exported for completeness of the in-process API). */
export function meObject(w: World, v: Version): Obj {
  return renderAdmin(me(w.g), v, 'me');
}
