/** Shared defaults and helpers of the table declarations. */
import type { ColumnDef, ColumnType, Row, Window } from '../../core/schema.js';
import type { ExtractContext, ListRequest, Page, TableProbe, TableRequest, TableSpec } from './spec.js';
import type { IntercomRequest } from '../types.js';
import { paginate, paginatePages, type PageResult } from '../pagination/paginate.js';
import { checkRecord, malformed, recordsOf } from '../pagination/envelope.js';
import { localDayStart, nextLocalDayStart } from '../read/timezone.js';

/** Declare columns compactly: `columns({ id: 'string', created_at: 'timestamp' })`. */
export function columns(spec: Record<string, ColumnType>): ColumnDef[] {
  return Object.entries(spec).map(([name, type]) => ({ name, type }));
}

/**
 * Intercom's clock when it answered (its `Date` header), in unix seconds; the local clock when the
 * header is missing or unreadable. Timestamps we make up (a run's upper bound, the time a 404 says
 * a record was gone) then sit on the same clock as Intercom's own `updated_at`, whatever the skew
 * of the machine running us.
 */
export function answeredAt(res: { headers: Record<string, string> }): number {
  const ms = Date.parse(res.headers['date'] ?? '');
  return Math.floor((Number.isFinite(ms) ? ms : Date.now()) / 1000);
}

/** A declared request as sent: `{id}` filled in, the read's own `query` added to the declared one. */
export function requestOf(r: TableRequest, opts: { id?: string; query?: IntercomRequest['query'] } = {}): IntercomRequest {
  const path = opts.id === undefined ? r.path : r.path.replace('{id}', encodeURIComponent(opts.id));
  const query = r.query || opts.query ? { ...r.query, ...opts.query } : undefined;
  return query ? { method: r.method, path, query } : { method: r.method, path };
}

/** A request as one line: `GET /segments?include_count=true`. */
export function requestText(r: Pick<IntercomRequest, 'method' | 'path' | 'query'>): string {
  const qs = Object.entries(r.query ?? {})
    .flatMap(([k, v]) => (v === undefined ? [] : [`${k}=${String(v)}`]))
    .join('&');
  return `${r.method} ${r.path}${qs ? `?${qs}` : ''}`;
}

/** The endpoints a table reads, as `list` and the docs show them: `POST /companies/list, GET /companies/scroll`. */
export function endpointsOf(t: Pick<TableSpec, 'requests'>): string {
  return [...new Set(t.requests.map((r) => `${r.method} ${r.path}`))].join(', ');
}

/** A Search API request (read/slices.ts reads it in time slices): POST, the cursor in the body. */
export function searchRequest(path: string, recordsKey: string): ListRequest {
  return { method: 'POST', path, pagination: 'cursor_body', recordsKey };
}

/**
 * `GET <collection>/{id}` (a declared by-id request) of a record that may have been deleted since
 * the search: Intercom's own 404 is an answer (allow404); a 200 must be that record, with its id
 * (`{}` or another record is a malformed response, retried like a truncated body, never a row).
 */
export function getById(r: TableRequest, id: string): IntercomRequest {
  const req: IntercomRequest = { ...requestOf(r, { id }), allow404: true };
  return {
    ...req,
    check(body) {
      checkRecord(req, body, ['id']);
      const got = String((body as Row)['id']);
      if (got !== id) throw malformed(req, `asked for ${id}, answered with ${got}`);
    },
  };
}

/** Intercom's general page-size maximum: "the max amount for any API is 150" (notes §1.5). */
export const MAX_PER_PAGE = 150;

/** Default lookback of search tables: covers the contact search-index delay ("a few minutes", 2.14:L5762). */
export const SEARCH_LOOKBACK_SECONDS = 600;
/** Default settle lag: the run's upper bound is Intercom's clock at run start minus this. */
export const SEARCH_SETTLE_SECONDS = 30;

/** Permission names as Intercom's Developer Hub shows them (app > Configure > Authentication). */
export const PERMISSIONS = {
  admins: 'Read admins',
  tags: 'Read tags',
  usersAndCompanies: 'Read and list users and companies',
  conversations: 'Read conversations',
  tickets: 'Read tickets',
  articles: 'Read articles',
  dataAttributes: 'Read data attributes',
} as const;

/**
 * `check`'s probe of a table: one of its declared requests (method and path) with the query it
 * needs, at most one record where the API pages.
 */
export function probeOf(r: TableRequest, permission: string, query?: IntercomRequest['query']): TableProbe {
  return { request: query ? { method: r.method, path: r.path, query } : { method: r.method, path: r.path }, permission };
}

/** `check`'s probe of a search table (its declared search request): any record updated after 1970, one per page. */
export function searchProbe(r: TableRequest, permission: string): TableProbe {
  return {
    request: { method: r.method, path: r.path, body: { query: { field: 'updated_at', operator: '>', value: 0 }, pagination: { per_page: 1 } } },
    permission,
  };
}

/** A table read with one request that returns the whole list (admins, teams, tags, …). */
export async function* singleList(ctx: ExtractContext, table: string, r: ListRequest): AsyncIterable<Page> {
  const req = requestOf(r);
  const res = await ctx.client.request<Record<string, unknown>>(req);
  yield { rows: { [table]: listOf(req, res.body, r.recordsKey) } };
}

/** Reads `body[key]` as an array of rows; a missing or wrong list key is an unexpected response (strict envelope). */
export function listOf(req: Pick<IntercomRequest, 'method' | 'path'>, body: unknown, key: string): Row[] {
  return recordsOf(req, body, key) as Row[];
}

/**
 * The pages of a declared list request, followed as its `pagination` says, from `resume` (the
 * `next` of the last committed page) if given. Page numbers: the rest of the pages `ctx.slices`
 * at once once the first tells how many.
 */
export function readPages(
  ctx: ExtractContext,
  r: ListRequest,
  opts: { query?: IntercomRequest['query']; resume?: IntercomRequest } = {},
): AsyncIterable<PageResult> {
  const { recordsKey } = r;
  const first = requestOf(r, { query: opts.query });
  if (r.pagination === 'page') return paginatePages(ctx.client, first, { recordsKey, resume: opts.resume, width: ctx.slices ?? 1 });
  return paginate(ctx.client, first, r.pagination, { recordsKey, resume: opts.resume });
}

/**
 * Paginated read of one table through its declared request (path, query, pagination, list key),
 * with the read's own `query` added; the resume token is the next page's request.
 */
export async function* paged(
  ctx: ExtractContext,
  table: string,
  r: ListRequest,
  opts: { query?: IntercomRequest['query']; keep?: (row: Row) => boolean } = {},
): AsyncIterable<Page> {
  const keep = opts.keep ?? (() => true);
  const pages = readPages(ctx, r, { query: opts.query, resume: ctx.resume as IntercomRequest | undefined });
  for await (const page of pages) {
    const total = (page.body as { total_count?: unknown }).total_count;
    if (typeof total === 'number') ctx.total?.(total);
    yield { rows: { [table]: (page.records as Row[]).filter(keep) }, resume: page.next };
  }
}

/** True when a row's `field` (unix seconds) lies in the window, both ends inclusive. */
export function inWindow(window: Window | undefined, field: string): (row: Row) => boolean {
  if (!window) return () => true;
  return (row) => {
    const v = Number(row[field]);
    return v >= window.start && v <= window.end;
  };
}

/**
 * The search query for an incremental window.
 *
 * Conversations and tickets filter to the second, but the spec calls `>` "Greater (or equal)
 * than" (2.14:L7458-7469) and does not say whether it is inclusive: ask for `> start-1` and
 * `< end+1` so either reading covers [start, end], and filter exactly on our side.
 *
 * Contacts (API ≤ 2.16) match timestamp fields by calendar day in the workspace time zone:
 * `>` starts at the next day, `<` ends before the given day (2.14:L5773-5791). So ask for
 * `> (a second of the day before start's day)` and `< (start of the day after end's day)`,
 * i.e. whole days covering the window, and filter exact timestamps client-side.
 */
export function windowQuery(field: string, window: Window, granularity: 'second' | 'day', timezone: string): Record<string, unknown> {
  const [lo, hi] =
    granularity === 'second' ? [window.start - 1, window.end + 1] : [localDayStart(window.start, timezone) - 1, nextLocalDayStart(window.end, timezone)];
  return {
    operator: 'AND',
    value: [
      { field, operator: '>', value: lo },
      { field, operator: '<', value: hi },
    ],
  };
}
