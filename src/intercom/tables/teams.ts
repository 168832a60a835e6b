import type { TableSpec } from './spec.js';
import { columns, singleList, getProbe, PERMISSIONS } from './common.js';

/** GET /teams → `team.list`, not paginated (2.14:L11881, schema L21896). */
export const teams = {
  name: 'teams',
  description: 'Teams of the workspace.',
  endpoint: 'GET /teams',
  probe: getProbe('/teams', PERMISSIONS.admins),
  pagination: 'none',
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
  extract: (ctx) => singleList(ctx, 'teams', '/teams', 'teams'),
} satisfies TableSpec;
