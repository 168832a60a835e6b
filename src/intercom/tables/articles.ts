import type { ListRequest, TableSpec } from './spec.js';
import { columns, MAX_PER_PAGE, paged, probeOf, PERMISSIONS } from './common.js';

/**
 * Help Center articles, GET /articles with page numbers (2.14:L984; page/per_page declared in
 * 2.11 only, responses still carry `pages`). Replaced on every run: articles are few, have no
 * server-side filter and no delete feed, so a full read is both cheap and exact.
 */
const LIST: ListRequest = { method: 'GET', path: '/articles', query: { per_page: MAX_PER_PAGE, page: 1 }, pagination: 'page', recordsKey: 'data' };

export const articles = {
  name: 'articles',
  description: 'Help Center articles (all states), fully re-read each run.',
  requests: [LIST],
  probe: probeOf(LIST, PERMISSIONS.articles, { per_page: 1 }),
  primaryKey: ['id'],
  defaultStrategy: 'replace',
  columns: columns({
    id: 'string',
    type: 'string',
    workspace_id: 'string',
    title: 'string',
    description: 'string',
    body: 'string',
    author_id: 'int64',
    state: 'string',
    created_at: 'timestamp',
    updated_at: 'timestamp',
    url: 'string',
    parent_id: 'int64',
    parent_ids: 'json',
    parent_type: 'string',
    default_locale: 'string',
    translated_content: 'json',
    tags: 'json',
  }),
  extract: (ctx) => paged(ctx, 'articles', LIST),
} satisfies TableSpec;
