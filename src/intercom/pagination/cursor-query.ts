/**
 * Cursor in the query string (`GET /contacts`, `GET /conversations`): `?per_page&starting_after=`;
 * stop when `pages.next` is absent or null (examples omit it on the last page, 2.14:L6561-6566).
 * Read only `next.starting_after`: older docs also show `next.page`, which is not a way to
 * jump (notes §1.5).
 */
import type { IntercomRequest } from '../types.js';
import { type NextPage, isObject, pagesOf, unexpected } from './envelope.js';

/** The cursor of the following page, or undefined on the last page. */
export function nextCursor(req: IntercomRequest, body: unknown): string | undefined {
  const next = pagesOf(req, body)?.next;
  if (next === undefined || next === null) return undefined;
  if (!isObject(next) || typeof next.starting_after !== 'string' || next.starting_after === '') {
    throw unexpected(req, "'pages.next' has no 'starting_after' cursor");
  }
  return next.starting_after;
}

export const nextCursorQuery: NextPage = (req, body) => {
  const cursor = nextCursor(req, body);
  return cursor === undefined ? undefined : { ...req, query: { ...req.query, starting_after: cursor } };
};
