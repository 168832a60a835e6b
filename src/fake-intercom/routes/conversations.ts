/** Conversations: list, search, get (with parts), deleted feed (2.16), attributes (2.16). */
import { conversationAttributes } from '../data/workspace.js';
import { type Page, searchPage } from '../engine.js';
import { cursorPages, nextPageUrl, pageNumber, perPage } from '../pagination.js';
import { compileQuery } from '../search.js';
import { conversationSchema, conversationTarget } from '../targets.js';
import { type RawJson, rawListPage, rawRecord } from '../json.js';
import { HttpError, type Obj } from '../types.js';
import { atLeast, renderConversation, versionInvalid } from '../versions.js';
import { type Ctx, type Route, route } from './context.js';

/** List/search items are `conversation_list_item` (2.14:L17169): no parts. */
function item(c: Ctx, i: number): Obj {
  return renderConversation(c.w.conversationObj(i, false), c.v);
}

/** A `conversation.list` page written as bytes (no page-sized JSON string; same bytes as JSON.stringify). */
function page(c: Ctx, p: Page, pp: number): RawJson {
  return rawListPage('conversation.list', 'conversations', p.indexes, (w, i) => w.value(item(c, i)), p.total, cursorPages(p.page, pp, p.total, p.next));
}

/** GET /conversations: per_page default 20, max 150 (2.14:L6529-6536). */
function list(c: Ctx): unknown {
  const pp = perPage(c.query.get('per_page'), 20);
  const p = searchPage(conversationTarget(c.w), 'list', null, null, pp, c.query.get('starting_after') ?? undefined);
  return page(c, p, pp);
}

/** POST /conversations/search: default 20 (2.14:L7379); timestamps to the second; `sort` ignored (undocumented, notes §2.5). */
function search(c: Ctx): unknown {
  const pg = (c.body.pagination ?? {}) as Obj;
  const pp = perPage(pg.per_page, 20);
  if (c.body.query === undefined) throw new HttpError(400, 'parameter_not_found', 'query is required');
  const q = compileQuery(c.body.query, conversationSchema(c.w));
  const p = searchPage(conversationTarget(c.w), JSON.stringify(c.body.query), q, null, pp, (pg.starting_after as string | undefined) ?? undefined);
  return page(c, p, pp);
}

function get(c: Ctx, [id]: string[]): unknown {
  const i = c.w.conversationIndex(decodeURIComponent(id as string));
  if (i === null) throw new HttpError(404, 'not_found', 'Conversation not found');
  // Up to 500 parts (~300 KB): written as bytes rather than one big JSON string.
  return rawRecord((w) => w.value(renderConversation(c.w.conversationObj(i, true), c.v)), 16384);
}

/**
 * GET /conversations/deleted (2.16:L13521-13614): 2.16+ only (400 intercom_version_invalid
 * below); page/per_page (default 20, maximum 60)/order asc|desc; `type` "conversations.list"
 * (plural) and `pages.next` a URL (pages_link).
 */
function deleted(c: Ctx): unknown {
  if (!atLeast(c.v, '2.16')) throw versionInvalid();
  const pp = perPage(c.query.get('per_page'), 20, 60);
  const page = pageNumber(c.query.get('page'));
  const order = c.query.get('order') ?? 'desc';
  if (order !== 'asc' && order !== 'desc') throw new HttpError(400, 'parameter_invalid', 'order must be asc or desc');
  const all = c.w.deletedConversations.map((d, k) => ({ ...d, k }));
  all.sort((a, b) => (order === 'asc' ? a.deleted_at - b.deleted_at || a.k - b.k : b.deleted_at - a.deleted_at || b.k - a.k));
  const slice = all.slice((page - 1) * pp, page * pp);
  const pages: Obj = { type: 'pages', page, per_page: pp, total_pages: Math.ceil(all.length / pp) };
  // "A response that does not contain a next link does not have further data" (2.14:L21305).
  if (page * pp < all.length) pages.next = nextPageUrl(c.baseUrl, c.path, c.query, page + 1);
  return {
    type: 'conversations.list',
    conversations: slice.map((d) => ({ type: 'conversation', id: d.id, metrics_retained: false, deleted_at: d.deleted_at })),
    total_count: all.length,
    pages,
  };
}

/** GET /conversations/attributes replaces data_attributes?model=conversation in 2.16 (2.16:L14654-14690). */
function attributes(c: Ctx): unknown {
  if (!atLeast(c.v, '2.16')) throw versionInvalid();
  return { type: 'list', data: conversationAttributes(c.w.g) };
}

export const conversationRoutes: Route[] = [
  route('GET', '/conversations', list),
  route('POST', '/conversations/search', search),
  route('GET', '/conversations/deleted', deleted),
  route('GET', '/conversations/attributes', attributes),
  route('GET', '/conversations/{id}', get),
];
