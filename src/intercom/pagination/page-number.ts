/**
 * Page numbers (`GET /companies`, `POST /companies/list`, articles, collections, deleted
 * conversations, activity logs): `?page=N&per_page=M`.
 *
 * - `pages.next` as a URL string (deleted conversations, `pages_link` 2.14:L21305, example
 *   2.16:L13572; activity logs per third-party connectors): follow its query string on the same path.
 * - otherwise count: stop when `page >= total_pages` or the page is empty. For companies/articles
 *   the shape of a non-null `next` is NOT CONFIRMED (every example has `next: null`), so it is
 *   not read (notes §1.5).
 */
import type { IntercomRequest } from '../types.js';
import { type NextPage, pagesOf, recordsOf, unexpected } from './envelope.js';

const num = (v: unknown): number | undefined => {
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
};

export const nextPageNumber: NextPage = (req, body, recordsKey = 'data') => {
  if (recordsOf(req, body, recordsKey).length === 0) return undefined;
  const pages = pagesOf(req, body);
  if (!pages) return undefined;

  if (typeof pages.next === 'string' && pages.next !== '') return followLink(req, pages.next);

  const page = num(pages.page) ?? num(req.query?.page) ?? 1;
  const total = num(pages.total_pages);
  if (total === undefined || page >= total) return undefined;
  return { ...req, query: { ...req.query, page: page + 1 } };
};

/**
 * The page count of a page-number list when the pages can be asked for by number: `total_pages`
 * of a page whose `next` is not a link (a link is followed, never jumped ahead of).
 */
export function knownPageCount(req: IntercomRequest, body: unknown): number | undefined {
  const pages = pagesOf(req, body);
  if (!pages || (typeof pages.next === 'string' && pages.next !== '')) return undefined;
  return num(pages.total_pages);
}

/** The request named by a `next` link: its query on our path (the link's host may be another region's or the fake's). */
function followLink(req: IntercomRequest, link: string): IntercomRequest {
  let url: URL;
  try {
    url = new URL(link, 'https://api.intercom.io');
  } catch {
    throw unexpected(req, "'pages.next' is not a URL");
  }
  const query: Record<string, string> = {};
  for (const [k, v] of url.searchParams) query[k] = v;
  if (Object.keys(query).length === 0) throw unexpected(req, "'pages.next' has no query string");
  return { ...req, query };
}
