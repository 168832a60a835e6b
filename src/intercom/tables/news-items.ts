import type { ListRequest, TableSpec } from './spec.js';
import { columns, MAX_PER_PAGE, paged, probeOf } from './common.js';

/**
 * News items, GET /news/news_items (2.14:L10360): a `paginated_response` with `pages`; no paging
 * parameters are documented, so ask for 150 per page and follow pages until the last. Objects have
 * `type: "news-item"` with a hyphen. Replaced each run (no filter, no delete feed).
 */
const LIST: ListRequest = { method: 'GET', path: '/news/news_items', query: { per_page: MAX_PER_PAGE, page: 1 }, pagination: 'page', recordsKey: 'data' };

export const newsItems = {
  name: 'news_items',
  description: 'News items (drafts and live), fully re-read each run.',
  requests: [LIST],
  probe: probeOf(LIST, 'read access to news items', { per_page: 1 }),
  primaryKey: ['id'],
  defaultStrategy: 'replace',
  columns: columns({
    id: 'string',
    type: 'string',
    workspace_id: 'string',
    title: 'string',
    body: 'string',
    sender_id: 'int64',
    state: 'string',
    newsfeed_assignments: 'json',
    labels: 'json',
    cover_image_url: 'string',
    reactions: 'json',
    deliver_silently: 'bool',
    created_at: 'timestamp',
    updated_at: 'timestamp',
  }),
  extract: (ctx) => paged(ctx, 'news_items', LIST),
} satisfies TableSpec;
