/** Workspace-level endpoints: /me, admins, teams, tags, segments, data attributes, help center, news, activity logs. */
import { me } from '../data/workspace.js';
import { nextPageUrl, numberPages, pageNumber, perPage } from '../pagination.js';
import { contactSegmentIds } from '../targets.js';
import { HttpError, type Obj } from '../types.js';
import { renderAdmin, renderArticle, renderTeam, atLeast } from '../versions.js';
import type { World } from '../world.js';
import { type Ctx, type Route, route } from './context.js';
import type { ContactModel } from '../data/contacts.js';

function getMe(c: Ctx): unknown {
  return renderAdmin(me(c.w.g), c.v, 'me');
}

/** Not paginated (notes §1.5). */
function admins(c: Ctx): unknown {
  return { type: 'admin.list', admins: c.w.admins.map((a) => renderAdmin(a, c.v)) };
}

/** GET /admins/{admin_id} (2.14:L329-392): unknown id → 404 `admin_not_found` "Admin not found". */
function adminById(c: Ctx, [id]: string[]): unknown {
  const a = c.w.admins.find((x) => x.id === id);
  if (!a) throw new HttpError(404, 'admin_not_found', 'Admin not found');
  return renderAdmin(a, c.v, 'single');
}

function teams(c: Ctx): unknown {
  return { type: 'team.list', teams: c.w.teams.map((t) => renderTeam(t, c.v)) };
}

function tags(c: Ctx): unknown {
  return { type: 'list', data: c.w.tags };
}

const segmentCounts = new WeakMap<World, { version: number; counts: Map<string, number> }>();

function countSegments(w: World): Map<string, number> {
  const hit = segmentCounts.get(w);
  if (hit?.version === w.contacts.version) return hit.counts;
  const counts = new Map<string, number>();
  for (const i of w.contacts.indexesFrom(0)) {
    for (const s of contactSegmentIds(w, { index: i } as ContactModel)) counts.set(s, (counts.get(s) ?? 0) + 1);
  }
  segmentCounts.set(w, { version: w.contacts.version, counts });
  return counts;
}

/** GET /segments?include_count=true|false (2.14:L10978): `count` only when asked for. */
function segments(c: Ctx): unknown {
  const withCount = c.query.get('include_count') === 'true';
  const counts = withCount ? countSegments(c.w) : null;
  return {
    type: 'segment.list',
    segments: c.w.segments.map((s) => (counts ? { ...s, count: counts.get(s.id as string) ?? 0 } : s)),
    pages: {},
  };
}

/** GET /data_attributes?model=contact|company|conversation; 2.16 rejects conversation with 422 (notes §3.11). */
function dataAttrs(c: Ctx): unknown {
  const model = c.query.get('model');
  if (model === 'conversation' && atLeast(c.v, '2.16')) {
    throw new HttpError(422, 'data_invalid', 'model=conversation is not supported; use GET /conversations/attributes');
  }
  if (model !== null && model !== 'contact' && model !== 'company' && model !== 'conversation') {
    throw new HttpError(400, 'parameter_invalid', `model must be one of contact, company, conversation`);
  }
  const models = model ? [model] : atLeast(c.v, '2.16') ? ['contact', 'company'] : ['contact', 'company', 'conversation'];
  return { type: 'list', data: models.flatMap((m) => c.w.dataAttributes(m as 'contact')) };
}

/** Page-number lists ordered by updated_at descending (articles 2.14:L995-999, collections L2329). */
function byPage(c: Ctx, all: Obj[], def: number, render: (o: Obj) => Obj = (o) => o): Obj {
  const pp = perPage(c.query.get('per_page'), def);
  const page = pageNumber(c.query.get('page'));
  const sorted = [...all].sort((a, b) => (b.updated_at as number) - (a.updated_at as number) || String(a.id).localeCompare(String(b.id)));
  const data = sorted.slice((page - 1) * pp, page * pp).map(render);
  const next = page * pp < all.length ? nextPageUrl(c.baseUrl, c.path, c.query, page + 1) : null;
  return { type: 'list', total_count: all.length, pages: numberPages(page, pp, all.length, next), data };
}

function articles(c: Ctx): unknown {
  return byPage(c, c.w.articles, 25, (a) => renderArticle(a, c.v));
}

function collections(c: Ctx): unknown {
  return byPage(c, c.w.collections, 20);
}

function news(c: Ctx): unknown {
  return byPage(c, c.w.newsItems, 10);
}

/**
 * GET /admins/activity_logs (2.14:L185-274): `created_at_after` required; newest first;
 * `pages.next` a URL of the next page (the shape is NOT CONFIRMED upstream; Airbyte follows
 * it as a URL, notes §3.14). Default 20 per page as in the example.
 */
function activityLogs(c: Ctx): unknown {
  const after = c.query.get('created_at_after');
  if (after === null || after === '') throw new HttpError(400, 'parameter_not_found', 'created_at_after is a required parameter');
  const a = Number(after);
  const beforeRaw = c.query.get('created_at_before');
  const b = beforeRaw === null || beforeRaw === '' ? Infinity : Number(beforeRaw);
  if (!Number.isFinite(a) || Number.isNaN(b)) throw new HttpError(400, 'parameter_invalid', 'created_at_after/created_at_before must be unix timestamps');
  const all = c.w.activityLogs.filter((l) => (l.created_at as number) >= a && (l.created_at as number) <= b).reverse();
  const pp = perPage(c.query.get('per_page'), 20);
  const page = pageNumber(c.query.get('page'));
  const next = page * pp < all.length ? nextPageUrl(c.baseUrl, c.path, c.query, page + 1) : null;
  return { type: 'activity_log.list', pages: numberPages(page, pp, all.length, next), activity_logs: all.slice((page - 1) * pp, page * pp) };
}

export const workspaceRoutes: Route[] = [
  route('GET', '/me', getMe),
  route('GET', '/admins', admins),
  route('GET', '/admins/activity_logs', activityLogs),
  route('GET', '/admins/{id}', adminById), // after /admins/activity_logs, which it would match
  route('GET', '/teams', teams),
  route('GET', '/tags', tags),
  route('GET', '/segments', segments),
  route('GET', '/data_attributes', dataAttrs),
  route('GET', '/articles', articles),
  route('GET', '/help_center/collections', collections),
  route('GET', '/news/news_items', news),
];
