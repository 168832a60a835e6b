/**
 * The four pagination styles (notes §1.5), each a pure `next(request, body)` in
 * `pagination/`, and one loop that drives them through the client.
 */
import type { Pagination } from './tables/spec.js';
import type { IntercomClient, IntercomRequest } from './types.js';
import { nextCursorBody } from './pagination/cursor-body.js';
import { nextCursorQuery } from './pagination/cursor-query.js';
import { checkPage, type NextPage, recordsOf, unexpected } from './pagination/envelope.js';
import { nextPageNumber } from './pagination/page-number.js';
import { nextScroll } from './pagination/scroll.js';

export type { NextPage } from './pagination/envelope.js';
export { nextCursorBody, nextCursorQuery, nextPageNumber, nextScroll };

/** The next-page function of each style; 'none' is a single response. */
export const NEXT_PAGE: Readonly<Record<Pagination, NextPage>> = Object.freeze({
  none: () => undefined,
  cursor_query: nextCursorQuery,
  cursor_body: nextCursorBody,
  page: nextPageNumber,
  scroll: nextScroll,
});

/** One page as read: its records, the raw body, and the request of the following page (the resume token). */
export interface PageResult {
  records: unknown[];
  body: unknown;
  /** JSON-serialisable; undefined on the last page. */
  next?: IntercomRequest;
}

export interface PaginateOptions {
  /** The envelope's list key ('data', 'conversations', …). */
  recordsKey: string;
  /** Start here instead of `first` (the `next` of the last committed page). */
  resume?: IntercomRequest;
  /** Fields every record must carry (default `id`: every paginated Intercom list's records have one). */
  key?: readonly string[];
}

/** Reads pages one at a time (memory stays bounded: the caller consumes each before the next is asked for). */
export async function* paginate(
  client: IntercomClient,
  first: IntercomRequest,
  style: Pagination,
  opts: PaginateOptions,
): AsyncIterable<PageResult> {
  const nextOf = NEXT_PAGE[style];
  let req: IntercomRequest | undefined = opts.resume ?? first;
  const key = opts.key ?? ['id'];
  // a resumed chain does not know how many records came before its first page
  let readBefore: number | undefined = opts.resume ? undefined : 0;
  while (req) {
    // the chain's next step: ahead of queued fan-out GETs, which can wait (the copy keeps the
    // resume token, `next`, free of it); a page that contradicts itself is asked again
    const at = { key, readBefore };
    const page: IntercomRequest = req;
    const res = await client.request({ ...req, priority: 'high', check: (body) => checkPage(page, body, opts.recordsKey, at) });
    const records = recordsOf(req, res.body, opts.recordsKey);
    if (readBefore !== undefined) readBefore += records.length;
    const next = nextOf(req, res.body, opts.recordsKey);
    // A cursor that does not move would loop forever; say so instead.
    if (next && JSON.stringify(next) === JSON.stringify(req)) throw unexpected(req, 'the next page is the same request');
    yield { records, body: res.body, next };
    req = next;
  }
}
