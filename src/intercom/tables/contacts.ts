import type { ExtractContext, Page, TableSpec } from './spec.js';
import { columns, inWindow, paged, searchRequest, SEARCH_LOOKBACK_SECONDS, SEARCH_SETTLE_SECONDS } from './common.js';

/**
 * Contacts through POST /contacts/search (2.14:L5734), 150 per page, over the run's window.
 *
 * Contacts search (API ≤ 2.16) matches `updated_at` by calendar day in the workspace time zone
 * (2.14:L5773-5791), so the query asks for whole days and rows are filtered to the exact window
 * here. Merged contacts are absent from search (2.14:L5758); new contacts may be missing from
 * search for a few minutes (2.14:L5762), which the lookback covers.
 */
async function* extract(ctx: ExtractContext): AsyncIterable<Page> {
  yield* paged(ctx, 'contacts', searchRequest('/contacts/search', 'updated_at', ctx, 'day'), 'cursor_body', 'data', inWindow(ctx.window, 'updated_at'));
}

export const contacts = {
  name: 'contacts',
  description: 'Users and leads, incremental on updated_at through the Search API.',
  endpoint: 'POST /contacts/search',
  pagination: 'cursor_body',
  primaryKey: ['id'],
  incrementalKey: 'updated_at',
  defaultStrategy: 'merge',
  lookbackSeconds: SEARCH_LOOKBACK_SECONDS,
  settleSeconds: SEARCH_SETTLE_SECONDS,
  columns: columns({
    id: 'string',
    type: 'string',
    workspace_id: 'string',
    external_id: 'string',
    role: 'string',
    email: 'string',
    email_domain: 'string',
    phone: 'string',
    formatted_phone: 'string',
    name: 'string',
    // integer up to 2.15, string from 2.16 (notes §5): a string column holds both
    owner_id: 'string',
    has_hard_bounced: 'bool',
    marked_email_as_spam: 'bool',
    unsubscribed_from_emails: 'bool',
    created_at: 'timestamp',
    updated_at: 'timestamp',
    signed_up_at: 'timestamp',
    last_seen_at: 'timestamp',
    last_replied_at: 'timestamp',
    last_contacted_at: 'timestamp',
    last_email_opened_at: 'timestamp',
    last_email_clicked_at: 'timestamp',
    language_override: 'string',
    browser: 'string',
    browser_version: 'string',
    browser_language: 'string',
    os: 'string',
    location: 'json',
    avatar: 'json',
    social_profiles: 'json',
    custom_attributes: 'json',
    // truncated to 10 items with has_more (2.14:L16607-16632); full lists come in relation tables
    tags: 'json',
    notes: 'json',
    companies: 'json',
  }),
  extract,
} satisfies TableSpec;
