/** Companies: GET /companies, POST /companies/list, GET /companies/scroll, GET /companies/{id}[/segments]. */
import type { CompanyModel } from '../data/companies.js';
import { nextPageUrl, numberPages, pageNumber, perPage } from '../pagination.js';
import { HttpError, type Obj } from '../types.js';
import type { World } from '../world.js';
import { type Ctx, type Route, route } from './context.js';

/** "there is a limit of 10,000 Companies that can be returned" by POST /companies/list (2.14:L3893-3901). */
const LIST_LIMIT = 10_000;

const cache = new WeakMap<World, { key: string; order: number[] }>();

/** Visible companies (with at least one user, 2.14:L3284) in the requested order; cached per data version. */
function visible(w: World, order: 'index' | 'asc' | 'desc'): number[] {
  const key = `${order}|${w.companies.version}|${w.contacts.version}`;
  const hit = cache.get(w);
  if (hit?.key === key) return hit.order;
  const rows: { j: number; at: number }[] = [];
  for (const j of w.companies.indexesFrom(0)) {
    const m = w.companies.get(j) as CompanyModel;
    if (w.companyVisible(m)) rows.push({ j, at: m.obj.last_request_at as number });
  }
  // POST /companies/list is "sorted by the last_request_at field" (2.14:L3893); ties by creation order.
  if (order !== 'index') rows.sort((a, b) => (order === 'asc' ? a.at - b.at : b.at - a.at) || a.j - b.j);
  const out = rows.map((r) => r.j);
  cache.set(w, { key, order: out });
  return out;
}

function pageOf(c: Ctx, all: number[], limit = Infinity): Obj {
  const pp = perPage(c.query.get('per_page'), 15); // default 15 (2.14:L3410, L3877)
  const page = pageNumber(c.query.get('page'));
  const reachable = Math.min(all.length, limit);
  const from = (page - 1) * pp;
  const data = all.slice(from, Math.min(reachable, page * pp)).map((j) => c.w.companyObj(j));
  const next = page * pp < reachable ? nextPageUrl(c.baseUrl, c.path, c.query, page + 1) : null;
  return { type: 'list', data, total_count: all.length, pages: numberPages(page, pp, reachable, next) };
}

/** GET /companies: with `name`/`company_id` it returns one company (2.14:L3365+), 404 company_not_found when none. */
function list(c: Ctx): unknown {
  const name = c.query.get('name');
  const companyId = c.query.get('company_id');
  if (name !== null || companyId !== null) {
    for (const j of c.w.companies.indexesFrom(0)) {
      const m = c.w.companies.get(j) as CompanyModel;
      if ((name !== null && m.obj.name === name) || (companyId !== null && m.obj.company_id === companyId)) return c.w.companyObj(j);
    }
    throw new HttpError(404, 'company_not_found', 'Company Not Found');
  }
  let all = visible(c.w, 'index');
  const tag = c.query.get('tag_id');
  const seg = c.query.get('segment_id');
  if (tag !== null || seg !== null) {
    all = all.filter((j) => {
      const m = c.w.companies.get(j) as CompanyModel;
      return (tag === null || m.tagIds.includes(tag)) && (seg === null || m.segmentIds.includes(seg));
    });
    if (all.length === 0) throw new HttpError(404, 'company_not_found', 'Company Not Found');
  }
  return pageOf(c, all);
}

/** POST /companies/list: page numbers, `order` asc|desc on last_request_at, at most 10,000 reachable. */
function listPost(c: Ctx): unknown {
  const order = c.query.get('order') ?? 'desc';
  if (order !== 'asc' && order !== 'desc') throw new HttpError(400, 'parameter_invalid', 'order must be asc or desc');
  return pageOf(c, visible(c.w, order), LIST_LIMIT);
}

/**
 * GET /companies/scroll (2.14:L3954-4034): one open scroll per app (a second → 400
 * `scroll_exists`, 3rd-party intercom-ruby #292); idle for a minute → the param fails with
 * 404 `not_found`; at the end `data` is empty (a scroll_param is still returned) and the
 * scroll closes; network trouble → 500 "…Please restart the scroll operation." (2.14:L3970-3975).
 */
function scroll(c: Ctx): unknown {
  const { app, w } = c;
  const param = c.query.get('scroll_param');
  const s = app.scroll;
  const expired = (x: NonNullable<typeof s>) => Date.now() - x.lastRealMs > app.scrollIdleMs || w.clock.now() - x.lastFake > 60;
  if (s && expired(s)) app.scroll = null;
  if (!param) {
    if (app.scroll) throw new HttpError(400, 'scroll_exists', 'scroll already exists for this app');
    app.scroll = { param: app.newUuid(), order: [...visible(w, 'index')], pos: 0, lastRealMs: Date.now(), lastFake: w.clock.now() };
  } else if (!app.scroll || app.scroll.param !== param) {
    throw new HttpError(404, 'not_found', 'scroll parameter not found');
  }
  const cur = app.scroll as NonNullable<typeof s>;
  if (c.fault === 'scroll_expire') {
    app.scroll = null;
    throw new HttpError(404, 'not_found', 'scroll parameter not found');
  }
  if (c.fault === 'scroll_restart') {
    app.scroll = null;
    throw new HttpError(500, 'server_error', 'Request failed due to an internal network error. Please restart the scroll operation.');
  }
  const slice = cur.order.slice(cur.pos, cur.pos + app.scrollPageSize);
  cur.pos += slice.length;
  cur.lastRealMs = Date.now();
  cur.lastFake = w.clock.now();
  // Records deleted since the scroll started are skipped.
  const data = slice.filter((j) => w.companies.get(j)).map((j) => w.companyObj(j));
  if (slice.length === 0) app.scroll = null;
  return { type: 'list', data, pages: null, total_count: null, scroll_param: cur.param };
}

function model(c: Ctx, id: string): CompanyModel {
  const j = c.w.companyIndex(decodeURIComponent(id));
  if (j === null) throw new HttpError(404, 'company_not_found', 'Company Not Found');
  return c.w.companies.get(j) as CompanyModel;
}

function get(c: Ctx, [id]: string[]): unknown {
  return c.w.companyObj(model(c, id as string).index);
}

function segments(c: Ctx, [id]: string[]): unknown {
  const m = model(c, id as string);
  const data = m.segmentIds.map((s) => c.w.segmentsById.get(s)).filter(Boolean);
  // total_count is required by the 2.11 schema (company_attached_segments).
  return { type: 'list', data, total_count: data.length };
}

export const companyRoutes: Route[] = [
  route('GET', '/companies', list),
  route('POST', '/companies/list', listPost),
  route('GET', '/companies/scroll', scroll),
  route('GET', '/companies/{id}', get),
  route('GET', '/companies/{id}/segments', segments),
];
