/** Help Center and activity data: articles, collections, news items, activity logs. */
import { STREAM, int, pick, rng, uuidFrom } from '../prng.js';
import type { Obj } from '../types.js';
import type { Gen } from './context.js';
import { ARTICLE_ID_BASE, COLLECTION_ID_BASE, NEWS_ID_BASE } from './ids.js';
import { WORDS } from './names.js';
import { adminId } from './workspace.js';

/** `collection` (2.14:L16041): multi-level since 2.10 via parent_id (string|null). */
export function collections(g: Gen): Obj[] {
  return Array.from({ length: g.counts.collections }, (_, k) => {
    const r = rng(g.seed, STREAM.collection, k);
    const created = g.now0 - int(r, 100, 700) * 86400;
    const name = `${pick(r, WORDS)} guides ${k}`;
    return {
      id: String(COLLECTION_ID_BASE + k),
      workspace_id: g.appId,
      name,
      description: k % 4 === 0 ? null : `All about ${name}`,
      created_at: created,
      updated_at: created + int(r, 0, 90) * 86400,
      url: `https://help.fake-intercom.test/en/collections/${COLLECTION_ID_BASE + k}`,
      icon: 'book-bookmark',
      order: k,
      default_locale: 'en',
      translated_content: null,
      parent_id: k >= 3 && k % 3 === 0 ? String(COLLECTION_ID_BASE + (k % 3)) : null,
      help_center_id: 1,
    };
  });
}

/** `article_list_item` (2.14:L15450). */
export function articles(g: Gen): Obj[] {
  return Array.from({ length: g.counts.articles }, (_, k) => {
    const r = rng(g.seed, STREAM.article, k);
    const created = g.now0 - int(r, 50, 700) * 86400;
    const parent = g.counts.collections > 0 ? COLLECTION_ID_BASE + int(r, 0, g.counts.collections - 1) : null;
    return {
      type: 'article',
      id: String(ARTICLE_ID_BASE + k),
      workspace_id: g.appId,
      title: `How to ${pick(r, WORDS)} (${k})`,
      description: `Learn ${pick(r, WORDS)}`,
      body: `<p>Body of article ${k} — ünïcode ✓</p>`,
      author_id: adminId(g.counts.admins > 0 ? k % g.counts.admins : 0),
      state: r() < 0.8 ? 'published' : 'draft',
      created_at: created,
      updated_at: created + int(r, 0, 40) * 86400,
      url: `https://help.fake-intercom.test/en/articles/${ARTICLE_ID_BASE + k}`,
      parent_id: parent,
      parent_ids: parent === null ? [] : [parent],
      parent_type: parent === null ? null : 'collection',
      default_locale: 'en',
      translated_content: null,
      // In every example (2.11:L470-477); required by the 2.11 schema.
      statistics: {
        type: 'article_statistics',
        views: int(r, 0, 5000),
        conversations: int(r, 0, 50),
        reactions: int(r, 0, 100),
        happy_reaction_percentage: 0.5,
        neutral_reaction_percentage: 0.3,
        sad_reaction_percentage: 0.2,
      },
    };
  });
}

/** `news_item` (2.14:L21023): note the hyphen in `news-item`. */
export function newsItems(g: Gen): Obj[] {
  return Array.from({ length: g.counts.newsItems }, (_, k) => {
    const r = rng(g.seed, STREAM.news, k);
    const created = g.now0 - int(r, 1, 400) * 86400;
    return {
      type: 'news-item',
      id: String(NEWS_ID_BASE + k),
      workspace_id: g.appId,
      title: `Release notes #${k}`,
      body: `<p>We shipped ${pick(r, WORDS)}.</p>`,
      sender_id: adminId(0),
      state: r() < 0.8 ? 'live' : 'draft',
      newsfeed_assignments: [{ newsfeed_id: 53, published_at: created }],
      labels: [],
      cover_image_url: null,
      reactions: [null, '👍', '🎉'],
      deliver_silently: false,
      created_at: created,
      updated_at: created + int(r, 0, 10) * 86400,
    };
  });
}

const ACTIVITY = [
  ['admin_login_success', 'logged in'],
  ['admin_logout', 'logged out'],
  ['admin_away_mode_change', 'changed away mode'],
  ['conversation_part_deletion', 'deleted a conversation part'],
  ['message_deletion', 'deleted a message'],
  ['app_name_change', 'changed the workspace name'],
  ['app_team_membership_modification', 'changed a team membership'],
] as const;

/** Activity logs (2.14:L14580-14730): no `type`, UUID ids, ordered by created_at (oldest first). */
export function activityLogs(g: Gen): Obj[] {
  const n = g.counts.activityLogs;
  const span = 700 * 86400;
  return Array.from({ length: n }, (_, k) => {
    const r = rng(g.seed, STREAM.activity, k);
    const [activity, desc] = pick(r, ACTIVITY);
    const admin = g.counts.admins > 0 ? int(r, 0, g.counts.admins - 1) : 0;
    return {
      id: uuidFrom(r),
      performed_by: { type: 'admin', id: String(adminId(admin)), email: `admin${admin}@${g.appId}.example.com`, ip: `10.0.${admin % 256}.${k % 256}` },
      metadata: activity === 'admin_login_success' ? { sign_in_method: 'email_password' } : {},
      created_at: g.now0 - span + Math.floor((span * k) / Math.max(1, n)),
      activity_type: activity,
      activity_description: `Admin ${admin} ${desc}.`,
    };
  });
}
