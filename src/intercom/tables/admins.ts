import type { TableSpec } from './spec.js';
import { columns, singleList, getProbe, PERMISSIONS } from './common.js';

/** Teammates. GET /admins returns every admin in one `admin.list` (2.14:L275, schema L14925); no timestamps, so replace. */
export const admins = {
  name: 'admins',
  description: 'Teammates (admins) of the workspace.',
  endpoint: 'GET /admins',
  probe: getProbe('/admins', PERMISSIONS.admins),
  pagination: 'none',
  primaryKey: ['id'],
  defaultStrategy: 'replace',
  columns: columns({
    id: 'string',
    type: 'string',
    name: 'string',
    email: 'string',
    job_title: 'string',
    away_mode_enabled: 'bool',
    away_mode_reassign: 'bool',
    away_status_reason_id: 'string',
    has_inbox_seat: 'bool',
    team_ids: 'json',
    // a string in the 2.12+ schema, an object in 2.11 and in /me examples (notes §3.7)
    avatar: 'json',
    team_priority_level: 'json',
  }),
  extract: (ctx) => singleList(ctx, 'admins', '/admins', 'admins'),
} satisfies TableSpec;
