import type { ListRequest, TableSpec } from './spec.js';
import { columns, MAX_PER_PAGE, paged, probeOf, PERMISSIONS } from './common.js';

/**
 * Help Center collections, GET /help_center/collections with page numbers (2.14:L2315). Since 2.10
 * sections are returned as collections nested through `parent_id` (notes §3.13). Replaced on
 * every run: few rows, no server-side filter, no delete feed — a full read is cheap and exact.
 */
const LIST: ListRequest = {
  method: 'GET',
  path: '/help_center/collections',
  query: { per_page: MAX_PER_PAGE, page: 1 },
  pagination: 'page',
  recordsKey: 'data',
};

export const helpCenterCollections = {
  name: 'help_center_collections',
  description: 'Help Center collections (and former sections, nested by parent_id), fully re-read each run.',
  requests: [LIST],
  probe: probeOf(LIST, PERMISSIONS.articles, { per_page: 1 }),
  primaryKey: ['id'],
  defaultStrategy: 'replace',
  columns: columns({
    id: 'string',
    type: 'string',
    workspace_id: 'string',
    name: 'string',
    description: 'string',
    created_at: 'timestamp',
    updated_at: 'timestamp',
    url: 'string',
    icon: 'string',
    order: 'int64',
    default_locale: 'string',
    translated_content: 'json',
    // string; null means top level (2.14:L16041)
    parent_id: 'string',
    help_center_id: 'int64',
  }),
  extract: (ctx) => paged(ctx, 'help_center_collections', LIST),
} satisfies TableSpec;
