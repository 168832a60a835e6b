/**
 * Per-app rate limit in 10-second windows, aligned to wall-clock 10 s boundaries and measured
 * in REAL time (the fake clock never affects it). Intercom distributes the per-minute limit
 * evenly: "1000 per minute, which is 167 per 10-second window" (notes §1.8), so the window
 * budget is ceil(perMinute / 6). Headers X-RateLimit-Limit/Remaining/Reset (Reset = epoch
 * SECONDS of the window end) go on every authenticated response; none on 401.
 */
import { HttpError } from './types.js';

const WINDOW_MS = 10_000;
/** The window budget an unlimited fake advertises. */
const UNLIMITED_WINDOW = 1_000_000;

export class RateLimiter {
  private windowStart = 0;
  private used = 0;
  rateLimited = 0;

  constructor(private perMinute: number | null) {}

  setLimit(perMinute: number | null): void {
    this.perMinute = perMinute;
  }

  /**
   * Budget of one 10-second window. Intercom sends the headers on every answer, so an unlimited
   * fake sends them too, as an app whose budget no client can spend (a client that trusts the
   * headers must run unthrottled against it, as a benchmark with the limit off expects).
   */
  get limit(): number {
    return this.perMinute ? Math.ceil(this.perMinute / 6) : UNLIMITED_WINDOW;
  }

  private roll(nowMs: number): void {
    const start = Math.floor(nowMs / WINDOW_MS) * WINDOW_MS;
    if (start !== this.windowStart) {
      this.windowStart = start;
      this.used = 0;
    }
  }

  private headers(): Record<string, string> {
    return {
      'x-ratelimit-limit': String(this.limit),
      'x-ratelimit-remaining': String(Math.max(0, this.limit - this.used)),
      'x-ratelimit-reset': String((this.windowStart + WINDOW_MS) / 1000),
    };
  }

  /** Counts one request; returns the headers to send, or throws the 429. */
  take(nowMs = Date.now()): Record<string, string> {
    this.roll(nowMs);
    if (this.perMinute && this.used >= this.limit) {
      this.rateLimited++;
      throw this.error();
    }
    this.used++;
    return this.headers();
  }

  /** Fault injection: spend the rest of the window, so the following requests are 429 too. */
  burst(nowMs = Date.now()): HttpError {
    this.roll(nowMs);
    this.used = Math.max(this.used, this.limit);
    this.rateLimited++;
    return this.error();
  }

  private error(): HttpError {
    // Body per notes §1.8 / checklist §6.10.
    return new HttpError(429, 'rate_limit_exceeded', `Exceeded rate limit of ${this.limit} in 10_seconds`, {
      ...this.headers(),
      'x-ratelimit-remaining': '0',
    });
  }
}
