/**
 * Scroll (`GET /companies/scroll`, 2.14:L3954-4034): pass each response's `scroll_param` to the
 * next call; the end is an empty `data` (the docs say "companies", the key is `data`). One scroll
 * per app, expiring after a minute idle: a resume token is only good for that minute.
 */
import { type NextPage, envelope, recordsOf, unexpected } from './envelope.js';

export const nextScroll: NextPage = (req, body, recordsKey = 'data') => {
  if (recordsOf(req, body, recordsKey).length === 0) return undefined;
  const param = envelope(req, body).scroll_param;
  if (typeof param !== 'string' || param === '') throw unexpected(req, "no 'scroll_param' on a non-empty scroll page");
  return { ...req, query: { ...req.query, scroll_param: param } };
};
