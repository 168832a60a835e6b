/** Strict envelope checks shared by the pagination styles (STYLE.md: envelopes strictly, records loosely). */
import { EltError } from '../../errors.js';
import type { IntercomRequest } from '../types.js';

/** A pure next-page function: the request for the page after `body`, or undefined at the end. */
export type NextPage = (request: IntercomRequest, body: unknown, recordsKey?: string) => IntercomRequest | undefined;

export function unexpected(req: IntercomRequest, what: string): EltError {
  return new EltError('unexpected_response', `unexpected response from ${req.method} ${req.path}: ${what}`, {
    meta: { method: req.method, path: req.path },
  });
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The envelope as an object; anything else is an error naming the path. */
export function envelope(req: IntercomRequest, body: unknown): Record<string, unknown> {
  if (!isObject(body)) throw unexpected(req, 'the body is not a JSON object');
  return body;
}

/** `body[key]` must be an array (the records themselves are not inspected). */
export function recordsOf(req: IntercomRequest, body: unknown, key: string): unknown[] {
  const list = envelope(req, body)[key];
  if (!Array.isArray(list)) throw unexpected(req, `'${key}' is not a list`);
  return list;
}

/** `body.pages`: an object, or undefined when absent/null. */
export function pagesOf(req: IntercomRequest, body: unknown): Record<string, unknown> | undefined {
  const pages = envelope(req, body).pages;
  if (pages === undefined || pages === null) return undefined;
  if (!isObject(pages)) throw unexpected(req, "'pages' is not an object");
  return pages;
}
