/**
 * The four pagination styles (notes §1.5), each a pure `next(request, body)` in
 * `pagination/`, and one loop that drives them through the client.
 */
import type { IntercomClient, IntercomRequest } from '../types.js';
import { nextCursorBody } from './cursor-body.js';
import { nextCursorQuery } from './cursor-query.js';
import { checkPage, type NextPage, recordsOf, unexpected } from './envelope.js';
import { knownPageCount, nextPageNumber } from './page-number.js';
import { nextScroll } from './scroll.js';

export type { NextPage } from './envelope.js';
export { nextCursorBody, nextCursorQuery, nextPageNumber, nextScroll };

/** How a request's pages are followed ('none': one answer). */
export type Pagination = 'none' | 'cursor_query' | 'cursor_body' | 'page' | 'scroll';

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
  /**
   * Records of this chain before `first`, when `first` is not the chain's first page but where it
   * starts is known (a page-number list's later pages read at once); default 0. Ignored on resume.
   */
  readBefore?: number;
}

/** Reads pages one at a time (memory stays bounded: the caller consumes each before the next is asked for). */
export async function* paginate(client: IntercomClient, first: IntercomRequest, style: Pagination, opts: PaginateOptions): AsyncIterable<PageResult> {
  const nextOf = NEXT_PAGE[style];
  let req: IntercomRequest | undefined = opts.resume ?? first;
  const key = opts.key ?? ['id'];
  // a resumed chain does not know how many records came before its first page
  let readBefore: number | undefined = opts.resume ? undefined : (opts.readBefore ?? 0);
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

/**
 * A page-number list read `width` pages at once once its first page tells the page count
 * (issue 18): companies list, articles, collections, news items. Pages are yielded in order, each
 * with the `next` of the serial read (its resume token), and each is read through `paginate` so
 * a page is checked exactly as in the serial read; an empty or last page ends the read as there.
 * Lists that give the next page as a link (activity logs, deleted conversations) stay serial.
 */
export async function* paginatePages(client: IntercomClient, first: IntercomRequest, opts: PaginateOptions & { width: number }): AsyncIterable<PageResult> {
  const serial = paginate(client, first, 'page', opts)[Symbol.asyncIterator]();
  const head = await serial.next();
  if (head.done) return;
  yield head.value;
  const next = head.value.next;
  const total = next && knownPageCount(opts.resume ?? first, head.value.body);
  const from = Number(next?.query?.page);
  if (!next || total === undefined || opts.width <= 1 || !Number.isInteger(from)) {
    for (let r = await serial.next(); !r.done; r = await serial.next()) yield r.value;
    return;
  }
  await serial.return?.();
  // every page before `page` is full (page numbers): a page's records before it are known unless
  // the read was resumed, so an empty page short of its total_count is refused as in the serial read
  const perPage = head.value.records.length;
  const one = async (page: number): Promise<PageResult | undefined> => {
    const readBefore = opts.resume ? undefined : (opts.readBefore ?? 0) + perPage * (page - from + 1);
    const req = { ...next, query: { ...next.query, page } };
    const it = paginate(client, req, 'page', { recordsKey: opts.recordsKey, key: opts.key, ...(readBefore === undefined ? { resume: req } : { readBefore }) })[
      Symbol.asyncIterator
    ]();
    try {
      const r = await it.next();
      return r.done ? undefined : r.value;
    } finally {
      await it.return?.();
    }
  };
  const inFlight: Array<Promise<PageResult | undefined>> = [];
  let page = from;
  const more = () => {
    while (page <= total && inFlight.length < opts.width) {
      const p = one(page++);
      p.catch(() => undefined); // surfaces in order, when awaited
      inFlight.push(p);
    }
  };
  try {
    more();
    while (inFlight.length > 0) {
      const r = await inFlight.shift()!;
      if (!r) return;
      more();
      yield r;
      if (!r.next) return;
    }
  } finally {
    await Promise.allSettled(inFlight);
  }
}
