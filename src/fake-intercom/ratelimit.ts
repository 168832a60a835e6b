/**
 * Per-app rate limit in 10-second windows, aligned to wall-clock 10 s boundaries and measured
 * in REAL time (the fake clock never affects it). Intercom distributes the per-minute limit
 * evenly: "1000 per minute, which is 167 per 10-second window" (notes §1.8), so the window
 * budget is ceil(perMinute / 6). Headers X-RateLimit-Limit/Remaining/Reset (Reset = epoch
 * SECONDS of the window end) go on every authenticated response; none on 401.
 */
import { HttpError } from './types.js';

const WINDOW_MS = 10_000;

export class RateLimiter {
  private windowStart = 0;
  private used = 0;
  rateLimited = 0;

  constructor(private perMinute: number | null) {}

  setLimit(perMinute: number | null): void {
    this.perMinute = perMinute;
  }

  /** Budget of one 10-second window; an unlimited fake still advertises the default. */
  get limit(): number {
    return Math.ceil((this.perMinute || 10_000) / 6);
  }

  private roll(nowMs: number): void {
    const start = Math.floor(nowMs / WINDOW_MS) * WINDOW_MS;
    if (start !== this.windowStart) {
      this.windowStart = start;
      this.used = 0;
    }
  }

  private headers(): Record<string, string> {
    const unlimited = !this.perMinute;
    return {
      'x-ratelimit-limit': String(this.limit),
      'x-ratelimit-remaining': String(unlimited ? this.limit : Math.max(0, this.limit - this.used)),
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
