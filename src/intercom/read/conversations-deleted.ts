import type { Row } from '../../core/schema.js';
import type { ExtractContext, ListRequest, Page } from '../tables/spec.js';
import { paginate } from '../pagination/paginate.js';
import { requestOf } from '../tables/common.js';

/**
 * The 2.16 deletion feed (2.16:L13521-13614), as the conversations table declares it
 * (`GET /conversations/deleted`): `{type: "conversations.list", conversations:
 * [{id, deleted_at, metrics_retained}]}`, page numbers with `pages.next` a URL, `order=desc`
 * for newest first. Read until deletions are older than the window (the feed has no filter),
 * and mark those conversations and their parts deleted.
 */
export async function* deletedConversations(ctx: ExtractContext, feed: ListRequest): AsyncIterable<Page> {
  const since = ctx.window?.start ?? 0;
  for await (const page of paginate(ctx.client, requestOf(feed), feed.pagination, { recordsKey: feed.recordsKey })) {
    const recent = (page.records as Row[]).filter((r) => Number(r['deleted_at']) >= since);
    if (recent.length) {
      const keys = recent.map((r) => [String(r['id'])]);
      const at = recent.map((r) => Number(r['deleted_at']));
      ctx.count('conversations_deleted', recent.length);
      yield {
        rows: {},
        deletes: {
          conversations: { keyColumns: ['id'], keys, deletedAt: at },
          conversation_parts: { keyColumns: ['conversation_id'], keys, deletedAt: at },
        },
      };
    }
    if (recent.length < page.records.length) return; // newest first: the rest is older than the window
  }
}
