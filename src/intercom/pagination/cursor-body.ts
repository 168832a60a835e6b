/**
 * Cursor in the JSON body (every `POST …/search`): `{query, pagination: {per_page, starting_after}}`
 * (`search_request` 2.14:L21489-21503); the response's `pages` is the same as the query style's.
 */
import { nextCursor } from './cursor-query.js';
import { type NextPage, isObject, unexpected } from './envelope.js';

export const nextCursorBody: NextPage = (req, body) => {
  const cursor = nextCursor(req, body);
  if (cursor === undefined) return undefined;
  if (req.body !== undefined && !isObject(req.body)) throw unexpected(req, 'a search request body must be an object');
  const sent = (req.body ?? {}) as Record<string, unknown>;
  const pagination = isObject(sent.pagination) ? sent.pagination : {};
  return { ...req, body: { ...sent, pagination: { ...pagination, starting_after: cursor } } };
};
