/**
 * Retry policy = visible defaults + one pure function (STYLE.md, "from undici").
 *
 * Intercom: "500, 502, 503, 504 Server errors … most likely momentary operational errors …
 * requests should be retried" (notes §1.7); 429 means wait until `X-RateLimit-Reset`
 * (notes §1.8; no `Retry-After` is documented, but we honour one if it ever appears).
 * Client errors (400/401/403/404/422) are answers, not accidents: never retried.
 */
import { EltError, IntercomHttpError, NetworkError, RateLimitedError, UnexpectedResponseError } from '../core/errors.js';

/** The knobs of {@link decide}. */
export interface RetryPolicy {
  /** Attempts per request including the first. */
  maxAttempts: number;
  /** First backoff for 5xx / network errors; doubles each attempt. */
  baseDelayMs: number;
  /** Cap of one backoff. */
  maxDelayMs: number;
  /** Extra random wait after a 429's reset, so waiting requests do not all fire at once. */
  resetJitterMs: number;
  /** HTTP statuses that are worth another attempt. */
  retryStatuses: readonly number[];
  /**
   * Cap of one wait that the server asks for (Retry-After, a 429's X-RateLimit-Reset): Intercom's
   * windows are 10 s, so a reset a day ahead is a broken answer, never a reason to sleep a day.
   */
  maxWaitMs: number;
}

export const RETRY_DEFAULTS: Readonly<RetryPolicy> = Object.freeze({
  maxAttempts: 6,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
  resetJitterMs: 250,
  // 408: request timeout is as transient as a 504.
  retryStatuses: Object.freeze([408, 500, 502, 503, 504]),
  maxWaitMs: 120_000,
});

/** The verdict on one failed attempt. */
export interface RetryDecision {
  retry: boolean;
  delayMs: number;
}

/** Meta key the error layer sets when a response carries `Retry-After` (ms to wait). */
export const RETRY_AFTER_META = 'retry_after_ms';

/**
 * Should attempt number `attempt` (1-based) that failed with `error` be retried, and after how
 * long? Pure: the clock and the randomness come in as arguments.
 */
export function decide(error: unknown, attempt: number, now: number, policy: RetryPolicy = RETRY_DEFAULTS, random: () => number = Math.random): RetryDecision {
  const stop = { retry: false, delayMs: 0 };
  if (attempt >= policy.maxAttempts) return stop;

  const retryAfter = error instanceof EltError ? error.meta[RETRY_AFTER_META] : undefined;
  const retryAfterMs = typeof retryAfter === 'number' && retryAfter >= 0 ? retryAfter : undefined;

  if (error instanceof RateLimitedError) {
    // Wait for the window to reset; the shared limiter holds every other request until then too.
    const untilReset = Math.min(policy.maxWaitMs, Math.max(0, error.resetAt - now, retryAfterMs ?? 0));
    return { retry: true, delayMs: untilReset + Math.floor(random() * policy.resetJitterMs) };
  }

  let retryable = false;
  if (error instanceof NetworkError)
    retryable = true; // resets, timeouts, truncated/invalid JSON, a proxy's 404
  else if (error instanceof UnexpectedResponseError)
    retryable = error.retryable; // a malformed 2xx (an empty page short of its total, a record without its key), not a shape the request never has
  else if (error instanceof IntercomHttpError) retryable = policy.retryStatuses.includes(error.status);
  if (!retryable) return stop;

  if (retryAfterMs !== undefined) return { retry: true, delayMs: Math.min(retryAfterMs, policy.maxWaitMs) };
  // Capped exponential backoff with "equal jitter": half fixed, half random.
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return { retry: true, delayMs: Math.floor(ceiling / 2 + random() * (ceiling / 2)) };
}
