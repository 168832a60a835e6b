/**
 * Pagination helpers for the four Intercom styles (notes §1.5): cursor in the query string,
 * cursor in a search body, page numbers, and the companies scroll (see routes/companies.ts).
 */
import { HttpError } from './types.js';

/** Hard cap for every list: "the max amount for any API is 150" (notes §1.5; 2.14:L6529-6536). */
export const MAX_PER_PAGE = 150;

/**
 * Opaque cursor: base64 of a JSON array, the shape Intercom's own cursors have
 * (`WzE3MjY3NTIxNDUwMDAsNSwyXQ==` = `[1726752145000,5,2]`, notes §1.5).
 */
export function encodeCursor(parts: (number | string | null)[]): string {
  return Buffer.from(JSON.stringify(parts)).toString('base64');
}

export function decodeCursor(cursor: string, arity: number): (number | string | null)[] {
  try {
    const v: unknown = JSON.parse(Buffer.from(cursor, 'base64').toString('utf8'));
    if (Array.isArray(v) && v.length === arity && v.every((x) => x === null || typeof x === 'number' || typeof x === 'string')) {
      return v as (number | string | null)[];
    }
  } catch {
    /* fall through */
  }
  throw new HttpError(400, 'parameter_invalid', 'starting_after is invalid');
}

/** `per_page`: default per endpoint, capped at `max` (150 unless documented lower). */
export function perPage(raw: unknown, def: number, max = MAX_PER_PAGE): number {
  if (raw === undefined || raw === null || raw === '') return def;
  const n = typeof raw === 'number' ? raw : Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new HttpError(400, 'parameter_invalid', 'per_page must be a positive integer');
  return Math.min(n, max);
}

export function pageNumber(raw: unknown): number {
  if (raw === undefined || raw === null || raw === '') return 1;
  const n = typeof raw === 'number' ? raw : Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new HttpError(400, 'parameter_invalid', 'page must be a positive integer');
  return n;
}

export function totalPages(total: number, pp: number): number {
  return Math.ceil(total / pp);
}

/**
 * `cursor_pages` (2.14:L18939): `next: {per_page, starting_after}` only when another page
 * exists — omitted on the last page, as in the examples (2.14:L6561-6566).
 */
export function cursorPages(page: number, pp: number, total: number, next: string | null): Record<string, unknown> {
  const pages: Record<string, unknown> = { type: 'pages', page, per_page: pp, total_pages: totalPages(total, pp) };
  if (next !== null) pages.next = { per_page: pp, starting_after: next };
  return pages;
}

/**
 * Page-number lists (companies, articles, collections, news, deleted conversations):
 * `next` is a URL of the next page, null on the last page (examples show `next: null`;
 * the URL form follows `pages_link`, 2.14:L21305 and 2.16:L13572).
 */
export function numberPages(page: number, pp: number, total: number, nextUrl: string | null): Record<string, unknown> {
  return { type: 'pages', page, per_page: pp, total_pages: totalPages(total, pp), next: nextUrl };
}

/** URL of the next page: the same request URL with `page` replaced. */
export function nextPageUrl(base: string, path: string, query: URLSearchParams, page: number): string {
  const q = new URLSearchParams(query);
  q.set('page', String(page));
  return `${base}${path}?${q.toString()}`;
}
