import type { ListRequest, TableSpec } from './spec.js';
import { columns, singleList, probeOf, PERMISSIONS } from './common.js';

const LIST: ListRequest = { method: 'GET', path: '/tags', pagination: 'none', recordsKey: 'data' };

/** GET /tags → `list`/`data`, not paginated, no timestamps: always a full read (2.14:L11597). */
export const tags = {
  name: 'tags',
  description: 'Tags defined in the workspace.',
  requests: [LIST],
  probe: probeOf(LIST, PERMISSIONS.tags),
  primaryKey: ['id'],
  defaultStrategy: 'replace',
  columns: columns({ id: 'string', type: 'string', name: 'string' }),
  extract: (ctx) => singleList(ctx, 'tags', LIST),
} satisfies TableSpec;
