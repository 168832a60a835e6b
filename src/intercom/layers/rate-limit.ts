/** Every attempt (first or retry) passes the one limiter shared by the Intercom app. */
import type { RateLimiter } from '../limiter.js';
import type { Counters, Layer } from './types.js';

export function rateLimitLayer(limiter: RateLimiter, counters: Counters, signal?: AbortSignal): Layer {
  return (next) => async (req) => {
    const ticket = await limiter.acquire(req.priority, signal);
    let res;
    try {
      res = await next(req);
    } catch (err) {
      limiter.release(ticket); // no answer, nothing learned; frees the in-flight slot
      throw err;
    }
    if (res.status === 429) counters.rateLimited++;
    limiter.release(ticket, res);
    return res;
  };
}
