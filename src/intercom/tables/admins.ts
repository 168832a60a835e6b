import type { ListRequest, TableSpec } from './spec.js';
import { columns, singleList, probeOf, PERMISSIONS } from './common.js';

const LIST: ListRequest = { method: 'GET', path: '/admins', pagination: 'none', recordsKey: 'admins' };

/** Teammates. GET /admins returns every admin in one `admin.list` (2.14:L275, schema L14925); no timestamps, so replace. */
export const admins = {
  name: 'admins',
  description: 'Teammates (admins) of the workspace.',
  requests: [LIST],
  probe: probeOf(LIST, PERMISSIONS.admins),
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
  extract: (ctx) => singleList(ctx, 'admins', LIST),
} satisfies TableSpec;
