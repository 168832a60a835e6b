/** Response text → JSON. A 2xx body that does not parse is a truncated answer: retryable. */
import { NetworkError } from '../../errors.js';
import type { Layer } from './types.js';

export function decodeLayer(): Layer {
  return (next) => async (req) => {
    const res = await next(req);
    const ok = res.status >= 200 && res.status < 300;
    try {
      return { ...res, body: res.text === '' && !ok ? undefined : JSON.parse(res.text) };
    } catch (cause) {
      // Error pages of proxies (HTML 502s) are not JSON either; the status tells that story.
      if (!ok) return { ...res, body: undefined };
      throw new NetworkError(`truncated or invalid JSON body (${res.text.length} chars)`, { method: req.method, path: req.path, cause });
    }
  };
}
