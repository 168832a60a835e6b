import type { TableSpec } from './spec.js';
import { columns, singleList, getProbe, PERMISSIONS } from './common.js';

/** GET /tags → `list`/`data`, not paginated, no timestamps: always a full read (2.14:L11597). */
export const tags = {
  name: 'tags',
  description: 'Tags defined in the workspace.',
  endpoint: 'GET /tags',
  probe: getProbe('/tags', PERMISSIONS.tags),
  pagination: 'none',
  primaryKey: ['id'],
  defaultStrategy: 'replace',
  columns: columns({ id: 'string', type: 'string', name: 'string' }),
  extract: (ctx) => singleList(ctx, 'tags', '/tags', 'data'),
} satisfies TableSpec;
