import type { Row } from '../../core/schema.js';
import type { ChildTableSpec, ExtractContext, ListRequest, Page, TableRequest, TableSpec } from './spec.js';
import { DELETED_AT_COLUMN } from '../../core/schema.js';
import { answeredAt, columns, getById, inWindow, SEARCH_LOOKBACK_SECONDS, SEARCH_SETTLE_SECONDS, searchProbe, searchRequest, PERMISSIONS } from './common.js';
import { searchPages } from '../read/slices.js';
import { fanOut } from '../read/fanout.js';
import { atLeast } from '../versions.js';
import { deletedConversations } from '../read/conversations-deleted.js';

const SEARCH = searchRequest('/conversations/search', 'conversations');
const BY_ID: TableRequest = {
  method: 'GET',
  path: '/conversations/{id}',
  pagination: 'none',
  when: 'once per conversation in the window: its parts, tags and contacts',
};
const DELETED: ListRequest = {
  method: 'GET',
  path: '/conversations/deleted',
  // GET /conversations/deleted allows at most 60 per page (2.16:L13537-13543)
  query: { per_page: 60, page: 1, order: 'desc' },
  pagination: 'page',
  recordsKey: 'conversations',
  when: 'api_version 2.16 and later: newest first, until the deletions are older than the window',
};

/**
 * Conversations through POST /conversations/search (2.14:L7359), 150 per page (the maximum,
 * 2.14:L7379), over the run's window; then `GET /conversations/{id}` for every conversation in
 * the window, concurrently through the shared limiter, for its parts, tags and contacts.
 *
 * - Search items carry no parts (2.14:L17169); only GET by id has them, and at most the 500 most
 *   recent (2.14:L6791-6793) with `total_count` the true count: `parts_truncated` says so.
 * - All parts of a changed conversation are re-read and replace the stored ones: filtering parts
 *   by the previous cursor loses parts when a conversation is bumped again before they are read
 *   (estuary/connectors PR #2600, airbyte #39463).
 * - A GET answered `{}`, or with another record, is a malformed response (retried, never a row).
 * - Intercom's own 404 (error.list `not_found`) on GET means the conversation was deleted after the search: it is kept and marked
 *   `_elt_deleted_at` (Intercom's clock: the 404's `Date` header), with its parts — not ignored
 *   (airbyte ignores them silently).
 * - With api_version ≥ 2.16, `GET /conversations/deleted` lists deletions (2.16:L13521-13614):
 *   those conversations and their parts are marked deleted too.
 */
async function* extract(ctx: ExtractContext): AsyncIterable<Page> {
  const keep = inWindow(ctx.window, 'updated_at');
  const search = async function* () {
    // second-exact slices of the window, read at once when it is big (slices.ts)
    for await (const page of searchPages(ctx, { ...SEARCH, field: 'updated_at', granularity: 'second' })) {
      yield { items: page.records.filter(keep), next: page.resume };
    }
  };
  const fetchOne = async (item: Row) => {
    const res = await ctx.client.request<Row>(getById(BY_ID, String(item['id'])));
    return res.status === 404 ? { item, deletedAt: answeredAt(res) } : { item, full: res.body };
  };
  for await (const { page, results } of fanOut(search(), fetchOne, { concurrency: ctx.concurrency })) {
    const out: Page = {
      rows: { conversations: [], conversation_parts: [], conversation_tags: [], conversation_contacts: [] },
      replaceChildren: {},
      resume: page.next,
    };
    const parents: unknown[][] = [];
    const gone: unknown[][] = [];
    const goneAt: number[] = [];
    for (const r of results) {
      if (r.deletedAt !== undefined) {
        out.rows['conversations']!.push({ ...r.item, [DELETED_AT_COLUMN]: r.deletedAt });
        gone.push([String(r.item['id'])]);
        goneAt.push(r.deletedAt);
        continue;
      }
      const conv = r.full;
      const id = String(conv['id']);
      const partsList = (conv['conversation_parts'] ?? {}) as { conversation_parts?: Row[]; total_count?: number };
      const parts = partsList.conversation_parts ?? [];
      const total = typeof partsList.total_count === 'number' ? partsList.total_count : parts.length;
      const { conversation_parts: _parts, ...rest } = conv;
      out.rows['conversations']!.push({ ...rest, parts_total_count: total, parts_truncated: total > parts.length });
      if (total > parts.length) ctx.count('conversations_parts_truncated');
      for (const part of parts) out.rows['conversation_parts']!.push({ ...part, conversation_id: id });
      for (const tag of (conv['tags'] as { tags?: Row[] } | null)?.tags ?? []) out.rows['conversation_tags']!.push({ conversation_id: id, ...tag });
      for (const c of (conv['contacts'] as { contacts?: Row[] } | null)?.contacts ?? []) out.rows['conversation_contacts']!.push({ conversation_id: id, ...c });
      parents.push([id]);
    }
    for (const child of ['conversation_parts', 'conversation_tags', 'conversation_contacts']) {
      out.replaceChildren![child] = { parentKey: ['conversation_id'], parents };
    }
    if (gone.length) {
      ctx.count('conversations_deleted', gone.length);
      out.deletes = { conversation_parts: { keyColumns: ['conversation_id'], keys: gone, deletedAt: goneAt } };
    }
    yield out;
  }
  if (atLeast(ctx.apiVersion, '2.16')) yield* deletedConversations(ctx, DELETED);
}

const children: ChildTableSpec[] = [
  {
    name: 'conversation_parts',
    // part ids are not unique across workspaces (notes §1.6): key them with their conversation
    primaryKey: ['conversation_id', 'id'],
    parentKey: ['conversation_id'],
    columns: columns({
      conversation_id: 'string',
      id: 'string',
      type: 'string',
      part_type: 'string',
      body: 'string',
      created_at: 'timestamp',
      updated_at: 'timestamp',
      notified_at: 'timestamp',
      assigned_to: 'json',
      author: 'json',
      attachments: 'json',
      external_id: 'string',
      redacted: 'bool',
      email_message_metadata: 'json',
      metadata: 'json',
      state: 'string',
      tags: 'json',
      event_details: 'json',
      app_package_code: 'string',
      [DELETED_AT_COLUMN]: 'timestamp',
    }),
  },
  {
    name: 'conversation_tags',
    primaryKey: ['conversation_id', 'id'],
    parentKey: ['conversation_id'],
    columns: columns({ conversation_id: 'string', id: 'string', type: 'string', name: 'string', applied_at: 'timestamp', applied_by: 'json' }),
  },
  {
    name: 'conversation_contacts',
    primaryKey: ['conversation_id', 'id'],
    parentKey: ['conversation_id'],
    columns: columns({ conversation_id: 'string', id: 'string', type: 'string', external_id: 'string' }),
  },
];

export const conversations = {
  name: 'conversations',
  description: 'Conversations, incremental on updated_at through the Search API, with their parts, tags and contacts (one GET per changed conversation).',
  requests: [SEARCH, BY_ID, DELETED],
  probe: searchProbe(SEARCH, PERMISSIONS.conversations),
  primaryKey: ['id'],
  incrementalKey: 'updated_at',
  defaultStrategy: 'merge',
  customAttributes: 'conversation',
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
    // the true part count and whether Intercom's 500-most-recent cap cut parts off
    parts_total_count: 'int64',
    parts_truncated: 'bool',
    [DELETED_AT_COLUMN]: 'timestamp',
  }),
  children,
  extract,
} satisfies TableSpec;
