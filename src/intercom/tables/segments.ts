import type { TableSpec } from './spec.js';
import { columns, singleList, getProbe, PERMISSIONS } from './common.js';

/** GET /segments?include_count=true → `segment.list` (2.14:L10978, schema L21504); `count` only with include_count. */
export const segments = {
  name: 'segments',
  description: 'Segments of contacts, with their member counts.',
  endpoint: 'GET /segments?include_count=true',
  probe: getProbe('/segments', PERMISSIONS.usersAndCompanies),
  pagination: 'none',
  primaryKey: ['id'],
  defaultStrategy: 'replace',
  columns: columns({
    id: 'string',
    type: 'string',
    name: 'string',
    created_at: 'timestamp',
    updated_at: 'timestamp',
    person_type: 'string',
    count: 'int64',
  }),
  extract: (ctx) => singleList(ctx, 'segments', '/segments', 'segments', { include_count: true }),
} satisfies TableSpec;
