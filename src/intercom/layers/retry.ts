/** Retries failed attempts by re-entering the layers below, so every retry goes back through the limiter. */
import { NetworkError } from '../../errors.js';
import { decide, type RetryPolicy } from '../retry.js';
import type { Counters, Layer } from './types.js';

export function retryLayer(policy: RetryPolicy, counters: Counters, random: () => number = Math.random): Layer {
  return (next) => async (req) => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await next(req);
      } catch (err) {
        if (req.retryAmbiguous === false && err instanceof NetworkError) throw err;
        const verdict = decide(err, attempt, Date.now(), policy, random);
        if (!verdict.retry) throw err;
        counters.retries++;
        await new Promise((r) => setTimeout(r, verdict.delayMs));
      }
    }
  };
}
