/**
 * Response text → JSON. A 2xx body that does not parse is a truncated answer: retryable. Custom
 * attribute values keep every digit of a number a double cannot hold (src/core/exact-json.ts).
 */
import { NetworkError } from '../../core/errors.js';
import { parseJson } from '../../core/exact-json.js';
import type { Layer } from './types.js';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Where a number must stay exact: the user's own values, `custom_attributes`, of a record (GET by
 * id) or of each record of a page's lists. Intercom's own numbers are timestamps and counts.
 */
export function customAttributeValues(body: unknown): unknown[] {
  if (!isObject(body)) return [];
  const out: unknown[] = [];
  if (isObject(body.custom_attributes)) out.push(body.custom_attributes);
  for (const k in body) {
    const list = body[k];
    if (!Array.isArray(list)) continue;
    for (const r of list) if (isObject(r) && isObject(r.custom_attributes)) out.push(r.custom_attributes);
  }
  return out;
}

export function decodeLayer(): Layer {
  return (next) => async (req) => {
    const res = await next(req);
    const ok = res.status >= 200 && res.status < 300;
    try {
      return { ...res, body: res.text === '' && !ok ? undefined : parseJson(res.text, customAttributeValues) };
    } catch (cause) {
      // Error pages of proxies (HTML 502s) are not JSON either; the status tells that story.
      if (!ok) return { ...res, body: undefined };
      throw new NetworkError(`truncated or invalid JSON body (${res.text.length} chars)`, { method: req.method, path: req.path, cause });
    }
  };
}
