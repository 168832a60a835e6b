import { describe, expect, it } from 'vitest';
import { EltError, IntercomHttpError, NetworkError, RateLimitedError } from '../../src/core/errors.js';
import { RETRY_AFTER_META, RETRY_DEFAULTS, decide } from '../../src/intercom/retry.js';

const http = (status: number) => new IntercomHttpError({ status, method: 'GET', path: '/contacts' });
const net = () => new NetworkError('UND_ERR_SOCKET: other side closed', { method: 'GET', path: '/contacts' });
const NOW = 1_700_000_000_000;
const half = () => 0.5;

describe('decide', () => {
  it.each([500, 502, 503, 504])('retries %i with capped exponential backoff', (status) => {
    const d1 = decide(http(status), 1, NOW, RETRY_DEFAULTS, half);
    const d3 = decide(http(status), 3, NOW, RETRY_DEFAULTS, half);
    expect(d1).toEqual({ retry: true, delayMs: 375 }); // ceiling 500: 250 fixed + 0.5 × 250
    expect(d3).toEqual({ retry: true, delayMs: 1500 }); // ceiling 2000
    const big = decide(http(status), 5, NOW, { ...RETRY_DEFAULTS, maxAttempts: 99, maxDelayMs: 3000 }, () => 0.999);
    expect(big.delayMs).toBeLessThanOrEqual(3000);
    expect(big.delayMs).toBeGreaterThanOrEqual(1500);
  });

  it.each([400, 401, 403, 404, 422])('never retries %i', (status) => {
    expect(decide(http(status), 1, NOW)).toEqual({ retry: false, delayMs: 0 });
  });

  it('retries network errors (resets, timeouts, truncated JSON)', () => {
    expect(decide(net(), 1, NOW, RETRY_DEFAULTS, () => 0)).toEqual({ retry: true, delayMs: 250 });
  });

  it('does not retry programming errors or other EltErrors', () => {
    expect(decide(new TypeError('x'), 1, NOW).retry).toBe(false);
    expect(decide(new EltError('unexpected_response', 'x', { retryable: true }), 1, NOW).retry).toBe(false);
  });

  it('stops at maxAttempts', () => {
    expect(decide(http(503), RETRY_DEFAULTS.maxAttempts, NOW).retry).toBe(false);
    expect(decide(http(503), RETRY_DEFAULTS.maxAttempts - 1, NOW).retry).toBe(true);
  });

  it('waits for a 429 until its reset, plus jitter', () => {
    const err = new RateLimitedError({ status: 429, method: 'POST', path: '/contacts/search', resetAt: NOW + 7_000 });
    expect(decide(err, 1, NOW, RETRY_DEFAULTS, () => 0)).toEqual({ retry: true, delayMs: 7_000 });
    const d = decide(err, 1, NOW, RETRY_DEFAULTS, () => 0.999);
    expect(d.delayMs).toBeGreaterThanOrEqual(7_000);
    expect(d.delayMs).toBeLessThan(7_000 + RETRY_DEFAULTS.resetJitterMs);
    // A reset already past: go now (the limiter still holds the request if the budget says so).
    expect(decide(err, 1, NOW + 10_000, RETRY_DEFAULTS, () => 0).delayMs).toBe(0);
  });

  it('caps a wait the server asks for at maxWaitMs (a reset or Retry-After a day ahead)', () => {
    const day = 86_400_000;
    const e429 = new RateLimitedError({ status: 429, method: 'POST', path: '/contacts/search', resetAt: NOW + day });
    e429.meta[RETRY_AFTER_META] = day;
    expect(decide(e429, 1, NOW, RETRY_DEFAULTS, () => 0).delayMs).toBe(RETRY_DEFAULTS.maxWaitMs);
    const e503 = http(503);
    e503.meta[RETRY_AFTER_META] = day;
    expect(decide(e503, 1, NOW, RETRY_DEFAULTS, () => 0).delayMs).toBe(RETRY_DEFAULTS.maxWaitMs);
    expect(RETRY_DEFAULTS.maxWaitMs).toBe(120_000);
  });

  it('honours Retry-After when present', () => {
    const e503 = http(503);
    e503.meta[RETRY_AFTER_META] = 4_000;
    expect(decide(e503, 1, NOW, RETRY_DEFAULTS, () => 0)).toEqual({ retry: true, delayMs: 4_000 });
    const e429 = new RateLimitedError({ status: 429, method: 'GET', path: '/x', resetAt: NOW + 1_000 });
    e429.meta[RETRY_AFTER_META] = 3_000;
    expect(decide(e429, 1, NOW, RETRY_DEFAULTS, () => 0).delayMs).toBe(3_000);
  });
});
