import type { ExtractContext, ListRequest, Page, TableSpec } from './spec.js';
import { columns, inWindow, MAX_PER_PAGE, paged, probeOf, PERMISSIONS } from './common.js';

const LOGS: ListRequest = {
  method: 'GET',
  path: '/admins/activity_logs',
  query: { per_page: MAX_PER_PAGE },
  pagination: 'page',
  recordsKey: 'activity_logs',
  when: 'every run, with `created_at_after` (and `created_at_before`) from the window',
};

/**
 * Admin activity logs, GET /admins/activity_logs (2.14:L185-274): `created_at_after` is required;
 * `pages.next` is followed as given (its shape is undocumented, notes §3.14). Logs are append-only,
 * so the table is incremental on `created_at` and merged on `id` (a re-read lookback never
 * duplicates). Whether the bounds are inclusive is undocumented: ask one second wider on each
 * side and filter exactly here.
 */
async function* extract(ctx: ExtractContext): AsyncIterable<Page> {
  const start = ctx.window?.start ?? 0;
  const query: Record<string, string | number> = { created_at_after: Math.max(0, start - 1) };
  if (ctx.window) query['created_at_before'] = ctx.window.end + 1;
  yield* paged(ctx, 'activity_logs', LOGS, { query, keep: inWindow(ctx.window, 'created_at') });
}

export const activityLogs = {
  name: 'activity_logs',
  description: "Admins' activity logs (append-only), incremental on created_at.",
  requests: [LOGS],
  probe: probeOf(LOGS, PERMISSIONS.admins, { created_at_after: 0, per_page: 1 }),
  primaryKey: ['id'],
  incrementalKey: 'created_at',
  defaultStrategy: 'merge',
  lookbackSeconds: 600,
  settleSeconds: 30,
  columns: columns({
    id: 'string',
    performed_by: 'json',
    metadata: 'json',
    created_at: 'timestamp',
    activity_type: 'string',
    activity_description: 'string',
  }),
  extract,
} satisfies TableSpec;
