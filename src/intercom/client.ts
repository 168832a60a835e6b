/**
 * The Intercom HTTP client: layers composed in one list that reads outside-in (STYLE.md), over
 * an undici Pool for the region host, sharing one RateLimiter per Intercom app.
 */
import { RateLimiter } from './limiter.js';
import { RETRY_DEFAULTS, type RetryPolicy } from './retry.js';
import { checkLayer } from './layers/check.js';
import { decodeLayer } from './layers/decode.js';
import { errorLayer } from './layers/errors.js';
import { headersLayer } from './layers/headers.js';
import { rateLimitLayer } from './layers/rate-limit.js';
import { abortedAfter, retryLayer } from './layers/retry.js';
import { baseUrlFor, createTransport } from './layers/transport.js';
import { compose, type Counters } from './layers/types.js';
import type { ClientStats, IntercomClient, IntercomClientOptions, IntercomResponse } from './types.js';

export { REGION_HOSTS, baseUrlFor } from './layers/transport.js';

/** Timeout defaults (ms): connect fast, allow slow search pages. */
export const CLIENT_DEFAULTS = Object.freeze({
  connectTimeoutMs: 10_000,
  headersTimeoutMs: 60_000,
  bodyTimeoutMs: 60_000,
  requestTimeoutMs: 300_000,
  /** After a stop signal, requests in flight (and the limiter's queue) get this long before they are cut. */
  stopGraceMs: 2_000,
  connections: 32,
});

/** Extra options beyond the shared contract: a limiter shared with other clients of the same app, retry tuning. */
export interface CreateClientOptions extends IntercomClientOptions {
  /** Share one limiter between clients of the same Intercom app; otherwise the client makes its own. */
  limiter?: RateLimiter;
  retry?: Partial<RetryPolicy>;
}

export function createIntercomClient(opts: CreateClientOptions): IntercomClient & { readonly limiter: RateLimiter } {
  const counters: Counters = { requests: 0, retries: 0, rateLimited: 0 };
  const connections = opts.connections ?? CLIENT_DEFAULTS.connections;
  const ownLimiter = opts.limiter === undefined;
  const limiter = opts.limiter ?? new RateLimiter({ maxInFlight: connections, headroom: opts.headroom });
  const policy: RetryPolicy = { ...RETRY_DEFAULTS, ...opts.retry, ...(opts.maxAttempts ? { maxAttempts: opts.maxAttempts } : {}) };
  // a stop (SIGINT/SIGTERM) ends a wait before a retry at once, and requests after a grace
  const requests = opts.signal && abortedAfter(opts.signal, CLIENT_DEFAULTS.stopGraceMs);
  const transport = createTransport(
    {
      baseUrl: baseUrlFor(opts),
      connections,
      connectTimeoutMs: opts.connectTimeoutMs ?? CLIENT_DEFAULTS.connectTimeoutMs,
      headersTimeoutMs: opts.headersTimeoutMs ?? CLIENT_DEFAULTS.headersTimeoutMs,
      bodyTimeoutMs: opts.bodyTimeoutMs ?? CLIENT_DEFAULTS.bodyTimeoutMs,
      requestTimeoutMs: opts.requestTimeoutMs ?? CLIENT_DEFAULTS.requestTimeoutMs,
      signal: requests,
    },
    counters,
  );

  const send = compose(
    retryLayer(policy, counters, { signal: opts.signal && abortedAfter(opts.signal, 0), attempts: requests, onWait: opts.onWait }), // each attempt re-enters everything below, limiter included
    checkLayer(), // a 2xx that cannot be right (req.check) → UnexpectedResponseError (malformed: retryable)
    errorLayer(policy.retryStatuses), // non-2xx → IntercomHttpError / RateLimitedError
    decodeLayer(), // text → JSON; a 2xx that does not parse → NetworkError (retryable)
    rateLimitLayer(limiter, counters, requests), // wait for budget; learn from every response's headers
    headersLayer({ accessToken: opts.accessToken, apiVersion: opts.apiVersion }),
  )(transport.send);

  return {
    limiter,
    async request<T = unknown>(req: Parameters<IntercomClient['request']>[0]): Promise<IntercomResponse<T>> {
      const res = await send({ ...req, headers: {} });
      return { status: res.status, body: res.body as T, headers: res.headers };
    },
    stats(): ClientStats {
      const l = limiter.stats();
      return { ...counters, budgetRemaining: l.remaining, budgetLimit: l.limit };
    },
    async close() {
      if (ownLimiter) limiter.close();
      await transport.close();
    },
  };
}
