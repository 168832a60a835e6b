import type { Row } from '../../core/schema.js';
import type { ExtractContext, ListRequest, Page, TableSpec } from './spec.js';
import type { IntercomRequest } from '../types.js';
import type { PageResult } from '../pagination/paginate.js';
import { envelope } from '../pagination/envelope.js';
import { columns, inWindow, MAX_PER_PAGE, PERMISSIONS, probeOf, readPages } from './common.js';
import { scrollPages } from '../read/scroll.js';

/** POST /companies/list: "there is a limit of 10,000 Companies that can be returned" (2.14:L3893-3901). */
const LIST_LIMIT = 10_000;

const LIST: ListRequest = {
  method: 'POST',
  path: '/companies/list',
  query: { per_page: MAX_PER_PAGE, page: 1, order: 'desc' },
  pagination: 'page',
  recordsKey: 'data',
  when: `the first page every run; the rest when its total_count is at most ${LIST_LIMIT.toLocaleString('en-US')}`,
};
const SCROLL: ListRequest = {
  method: 'GET',
  path: '/companies/scroll',
  pagination: 'scroll',
  recordsKey: 'data',
  when: `instead of the list's other pages when its total_count is above ${LIST_LIMIT.toLocaleString('en-US')}`,
};

/**
 * The list/scroll threshold, exported (mutable) so tests can lower it. Unset, a read takes it when
 * it starts from INTERCOM_ELT_COMPANIES_LIST_LIMIT (the reliability suite scrolls a small
 * workspace with it), else the list's limit.
 */
export const COMPANIES_SETTINGS: { listLimit: number | undefined } = {
  listLimit: undefined,
};

function listLimit(): number {
  if (COMPANIES_SETTINGS.listLimit !== undefined) return COMPANIES_SETTINGS.listLimit;
  const n = Number(process.env['INTERCOM_ELT_COMPANIES_LIST_LIMIT'] ?? LIST_LIMIT);
  return Number.isInteger(n) && n >= 0 ? Math.min(n, LIST_LIMIT) : LIST_LIMIT;
}

/** Resume token of the list path (the scroll cannot resume: "It is not possible to continue from a specific point"). */
interface ListResume {
  mode: 'list';
  next: IntercomRequest;
}

/** One page of companies as read, with where to resume after it (list path only). */
export interface CompaniesPage {
  rows: Row[];
  resume?: ListResume;
}

/**
 * Every company the API shows, list or scroll chosen from `total_count`. The first
 * `POST /companies/list` page (150 per page) is both the probe and, when `total_count` ≤ 10,000,
 * the first page of the read, so the probe costs nothing. Above 10,000 the list cannot reach the
 * rest (2.14:L3893-3901): the scroll is used and the probe page discarded. The scroll is one per
 * app, expires after a minute idle and cannot resume (2.14:L3954-4034): pages are read ahead into
 * a bounded queue, a mid-scroll 500/404 restarts it, an empty page ends it, and 400
 * `scroll_exists` waits for the other holder (scroll.ts). No checkpoint is taken inside a scroll.
 *
 * Both hide companies without users ("does not include companies who have no associated
 * users", 2.14:L3895; "only visible … when there is at least one associated user", 2.14:L3284):
 * such companies never reach the warehouse.
 *
 * The list is sorted by `last_request_at` (2.14:L3893), which moves while we page. We ask for
 * `desc` (the default): a company that moves jumps to the front, so the rest shift towards later
 * pages and are read twice (merge dedups) rather than skipped; the one that moved was touched
 * after the run started and is read by the next run.
 */
export async function* readCompanies(ctx: ExtractContext): AsyncIterable<CompaniesPage> {
  const resumed = ctx.resume as ListResume | undefined;
  const limit = listLimit();
  // the chain's first step. A first page that contradicts itself (empty while its total_count says more, a record without id) is asked again, as every page of a paginated chain is (paginate); the remaining pages are read `search_slices` at a time once the first page gives the page count
  const resume = resumed?.mode === 'list' ? resumed.next : undefined;
  const pages = readPages(ctx, LIST, { resume })[Symbol.asyncIterator]();
  const head = await pages.next();
  if (head.done) return;
  const total = envelope(LIST, head.value.body).total_count;
  if (resume || (typeof total === 'number' && total <= limit)) {
    for (let r: IteratorResult<PageResult> = head; !r.done; r = await pages.next())
      yield { rows: r.value.records as Row[], resume: r.value.next && { mode: 'list', next: r.value.next } };
    return;
  }
  await pages.return?.();
  ctx.count('companies_scrolled');
  for await (const rows of scrollPages(ctx, SCROLL.path, typeof total === 'number' ? total : undefined)) yield { rows };
}

/** Companies have no server-side `updated_at` filter (notes §3.2): every run reads all and keeps the window. */
async function* extract(ctx: ExtractContext): AsyncIterable<Page> {
  const keep = inWindow(ctx.window, 'updated_at');
  for await (const page of readCompanies(ctx)) yield { rows: { companies: page.rows.filter(keep) }, resume: page.resume };
}

export const companies = {
  name: 'companies',
  description: 'Companies with at least one user, through the list API (≤ 10,000) or the scroll API, incremental on updated_at client-side.',
  requests: [LIST, SCROLL],
  probe: probeOf(LIST, PERMISSIONS.usersAndCompanies, { per_page: 1, page: 1 }),
  primaryKey: ['id'],
  incrementalKey: 'updated_at',
  defaultStrategy: 'merge',
  customAttributes: 'company',
  // the whole table is read every run anyway: a lookback costs nothing but a few re-merged rows
  lookbackSeconds: 300,
  settleSeconds: 0,
  columns: columns({
    id: 'string',
    type: 'string',
    name: 'string',
    app_id: 'string',
    // the workspace's own id for the company (`company_id` when created through the API)
    company_id: 'string',
    plan: 'json',
    remote_created_at: 'timestamp',
    created_at: 'timestamp',
    updated_at: 'timestamp',
    last_request_at: 'timestamp',
    size: 'int64',
    website: 'string',
    industry: 'string',
    // an integer in the schema (2.14:L16141-16262); float so a fractional value is never lost
    monthly_spend: 'float64',
    session_count: 'int64',
    user_count: 'int64',
    custom_attributes: 'json',
    tags: 'json',
    segments: 'json',
    // 2.16 only
    notes: 'json',
  }),
  extract,
} satisfies TableSpec;
