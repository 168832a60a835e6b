import type { ListRequest, TableSpec } from './spec.js';
import { columns, singleList, probeOf, PERMISSIONS } from './common.js';

const LIST: ListRequest = { method: 'GET', path: '/teams', pagination: 'none', recordsKey: 'teams' };

/** GET /teams → `team.list`, not paginated (2.14:L11881, schema L21896). */
export const teams = {
  name: 'teams',
  description: 'Teams of the workspace.',
  requests: [LIST],
  probe: probeOf(LIST, PERMISSIONS.admins),
  primaryKey: ['id'],
  defaultStrategy: 'replace',
  columns: columns({
    id: 'string',
    type: 'string',
    name: 'string',
    admin_ids: 'json',
    admin_priority_level: 'json',
    assignment_limit: 'int64',
    distribution_method: 'string',
  }),
  extract: (ctx) => singleList(ctx, 'teams', LIST),
} satisfies TableSpec;
