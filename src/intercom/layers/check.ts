/**
 * A 2xx answer that cannot be right is not an answer: the request's own `check` (an empty page
 * short of its `total_count`, a record without its key, `{}` for a record) throws
 * a malformed UnexpectedResponseError here, below the retry layer, so the request is asked again like a truncated
 * body, and a fault that persists fails the asset with the cursor where it was.
 */
import type { Layer } from './types.js';

export function checkLayer(): Layer {
  return (next) => async (req) => {
    const res = await next(req);
    if (req.check && res.status >= 200 && res.status < 300) req.check(res.body);
    return res;
  };
}
