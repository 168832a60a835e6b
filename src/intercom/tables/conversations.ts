import type { ExtractContext, Page, TableSpec } from './spec.js';
import { columns, inWindow, paged, searchRequest, SEARCH_LOOKBACK_SECONDS, SEARCH_SETTLE_SECONDS } from './common.js';

/**
 * Conversations through POST /conversations/search (2.14:L7359), 150 per page (maximum,
 * 2.14:L7379), over the run's window. Search items carry no parts (2.14:L17169).
 */
async function* extract(ctx: ExtractContext): AsyncIterable<Page> {
  yield* paged(ctx, 'conversations', searchRequest('/conversations/search', 'updated_at', ctx, 'second'), 'cursor_body', 'conversations', inWindow(ctx.window, 'updated_at'));
}

export const conversations = {
  name: 'conversations',
  description: 'Conversations, incremental on updated_at through the Search API.',
  endpoint: 'POST /conversations/search',
  pagination: 'cursor_body',
  primaryKey: ['id'],
  incrementalKey: 'updated_at',
  defaultStrategy: 'merge',
  lookbackSeconds: SEARCH_LOOKBACK_SECONDS,
  settleSeconds: SEARCH_SETTLE_SECONDS,
  columns: columns({
    id: 'string',
    type: 'string',
    title: 'string',
    created_at: 'timestamp',
    updated_at: 'timestamp',
    waiting_since: 'timestamp',
    snoozed_until: 'timestamp',
    open: 'bool',
    state: 'string',
    read: 'bool',
    // `priority|not_priority` up to 2.15, `none|low|medium|high|urgent` in 2.16 (notes §5)
    priority: 'string',
    admin_assignee_id: 'int64',
    team_assignee_id: 'int64',
    tags: 'json',
    conversation_rating: 'json',
    source: 'json',
    contacts: 'json',
    teammates: 'json',
    custom_attributes: 'json',
    first_contact_reply: 'json',
    sla_applied: 'json',
    statistics: 'json',
    linked_objects: 'json',
    ai_agent_participated: 'bool',
    ai_agent: 'json',
  }),
  extract,
} satisfies TableSpec;
