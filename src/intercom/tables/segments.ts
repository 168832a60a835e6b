import type { ListRequest, TableSpec } from './spec.js';
import { columns, singleList, probeOf, PERMISSIONS } from './common.js';

const LIST: ListRequest = { method: 'GET', path: '/segments', query: { include_count: true }, pagination: 'none', recordsKey: 'segments' };

/** GET /segments?include_count=true → `segment.list` (2.14:L10978, schema L21504); `count` only with include_count. */
export const segments = {
  name: 'segments',
  description: 'Segments of contacts, with their member counts.',
  requests: [LIST],
  probe: probeOf(LIST, PERMISSIONS.usersAndCompanies),
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
  extract: (ctx) => singleList(ctx, 'segments', LIST),
} satisfies TableSpec;
