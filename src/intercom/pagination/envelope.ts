/** Strict envelope checks shared by the pagination styles (STYLE.md: envelopes strictly, records loosely). */
import { UnexpectedResponseError } from '../../core/errors.js';
import type { IntercomRequest } from '../types.js';

/** A pure next-page function: the request for the page after `body`, or undefined at the end. */
export type NextPage = (request: IntercomRequest, body: unknown, recordsKey?: string) => IntercomRequest | undefined;

/** What an error about a response names: the request's method and path. */
type Named = Pick<IntercomRequest, 'method' | 'path'>;

/** A response whose shape the request never has (a missing list, a cursor that does not move): not asked again. */
export function unexpected(req: Named, what: string): UnexpectedResponseError {
  return new UnexpectedResponseError(what, { req });
}

/** A 2xx answer that contradicts itself or its request: thrown from a request's `check`, it is asked again. */
export function malformed(req: Named, what: string): UnexpectedResponseError {
  return new UnexpectedResponseError(what, { req, retryable: true });
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The envelope as an object; anything else is an error naming the path. */
export function envelope(req: Named, body: unknown): Record<string, unknown> {
  if (!isObject(body)) throw unexpected(req, 'the body is not a JSON object');
  return body;
}

/** `body[key]` must be an array (the records themselves are not inspected). */
export function recordsOf(req: Named, body: unknown, key: string): unknown[] {
  const list = envelope(req, body)[key];
  if (!Array.isArray(list)) throw unexpected(req, `'${key}' is not a list`);
  return list;
}

/** `body.pages`: an object, or undefined when absent/null. */
export function pagesOf(req: Named, body: unknown): Record<string, unknown> | undefined {
  const pages = envelope(req, body).pages;
  if (pages === undefined || pages === null) return undefined;
  if (!isObject(pages)) throw unexpected(req, "'pages' is not an object");
  return pages;
}

/** A primary-key value that names a record: not missing, not null, not an empty string. */
const present = (v: unknown): boolean => v !== undefined && v !== null && v !== '';

/**
 * A record must carry its primary key (`key`): one without it (missing or null `id`, `{}` for a
 * record) is a malformed response, never a row (two such records would become one NULL-key row).
 */
export function checkRecord(req: Named, record: unknown, key: readonly string[], where = 'the record'): void {
  if (!isObject(record)) throw malformed(req, `${where} is not a JSON object`);
  for (const k of key) if (!present(record[k])) throw malformed(req, `${where} has no '${k}'`);
}

/** Where a page sits in its chain: records read before it, when known (a resumed chain does not know). */
export interface PageContext {
  key: readonly string[];
  /** Records of the earlier pages of this chain; undefined when the chain was resumed mid-way. */
  readBefore?: number;
}

/**
 * A page that contradicts itself cannot be right: an empty list while its own `total_count` says
 * more records exist than the chain has read (a proxy's or a bad deploy's page; believing it ends
 * the chain and moves the cursor past the rest), or a record without its key.
 */
export function checkPage(req: Named, body: unknown, recordsKey: string, at: PageContext): void {
  const records = recordsOf(req, body, recordsKey);
  records.forEach((r, i) => checkRecord(req, r, at.key, `record ${i + 1} of '${recordsKey}'`));
  const total = envelope(req, body).total_count;
  if (records.length === 0 && at.readBefore !== undefined && typeof total === 'number' && total > at.readBefore) {
    throw malformed(req, `an empty page while its total_count says ${total} and ${at.readBefore} were read`);
  }
}
