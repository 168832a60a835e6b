/**
 * One rate limiter per Intercom app (DESIGN.md invariant 5), shared by every request of a
 * connection. Intercom spreads the per-minute limit over 10-second windows and reports them on
 * every authenticated response: `X-RateLimit-Limit`, `X-RateLimit-Remaining`, and
 * `X-RateLimit-Reset` = epoch SECONDS at which the window ends (notes §1.8).
 *
 * The plan:
 * - Every request takes a ticket numbered in dispatch order. A response to ticket `s` saying
 *   `Remaining = R` means the server had room for R more after it, so at most
 *   `R - (requests dispatched after s)` remain: in-flight requests count against the budget
 *   before their responses arrive. Of several observations in one window the lowest estimate
 *   wins (other clients of the same app eat the budget too).
 * - When the estimate reaches zero we wait for the window's Reset (+ jitter), then probe: a
 *   few requests go out, and the first response of the new window tells us its real budget.
 *   Probing costs one round trip per window (~1% at 100 ms / 10 s) and makes a local clock
 *   ahead of Intercom's harmless: a probe answered with the old window's Reset teaches us the
 *   skew instead of starting a burst of 429s.
 * - A 429 blocks every request until its Reset (+ jitter), never a blind sleep.
 * - In-flight requests are sized by Little's law: to spend a budget of λ requests/s at a mean
 *   latency W, λ·W requests must be in flight (166.7/s at 300 ms = 50, at 1,000 ms = 167). The
 *   bound is 1.25·λ·W + 4 from the budget of the current window and the observed mean latency
 *   (an EWMA of every answer), never below `minInFlight` and never above `maxInFlight` (the
 *   user's cap). Before anything is known, and for a server without rate-limit headers, it is
 *   `initialInFlight`.
 * - Two lanes: a 'high' request (the next page of a cursor chain, which everything after it
 *   waits on) goes ahead of every queued 'normal' one (fan-out GETs, which are elastic). The
 *   budget and the bound are the same for both; only the order of the queue changes.
 * - A server that sends no rate-limit headers at all (first response without them, none seen
 *   before) leaves only the concurrency bound.
 */
import { EltError, InterruptedError } from '../core/errors.js';
import { RETRY_DEFAULTS } from './retry.js';
import type { RequestPriority } from './types.js';

/** Options of {@link RateLimiter}. */
export interface RateLimiterOptions {
  /** Max requests in flight at once across every user of this limiter: the cap of the Little's-law bound (default 64). */
  maxInFlight?: number;
  /** The in-flight bound never goes below this (default 8, at most `maxInFlight`). */
  minInFlight?: number;
  /** The in-flight bound until the limit and a latency are known, or without rate-limit headers (default 32, at most `maxInFlight`). */
  initialInFlight?: number;
  /** Fraction of each window's budget left unused for other apps of the workspace (default 0). */
  headroom?: number;
  /** Requests allowed out before the first rate-limit headers, and after a window rolls (default 1). */
  probe?: number;
  /** Upper bound of the random delay after a window's reset, so many clients do not stampede (default 50 ms). */
  jitterMs?: number;
  /** Wait after a 429 without a usable Reset (default 1000 ms). */
  blockWithoutResetMs?: number;
  /** Longest wait a Reset may impose (default RETRY_DEFAULTS.maxWaitMs, 120 s). */
  maxWaitMs?: number;
  now?: () => number;
  random?: () => number;
}

/** What the limiter has seen and done, for run summaries and tests. */
export interface RateLimiterStats {
  limit?: number;
  /** Last `X-RateLimit-Remaining` seen. */
  remaining?: number;
  /** Budget left by our own estimate (remaining minus requests sent since). */
  estimate?: number;
  inFlight: number;
  /** The current in-flight bound (Little's law within [minInFlight, maxInFlight]). */
  inFlightBound: number;
  /** Mean latency of recent answers (EWMA), ms. */
  latencyMs?: number;
  queued: number;
  /** Times the queue stopped to wait for a window reset or a 429's reset. */
  waits: number;
  waitedMs: number;
  rateLimited: number;
  /** Learned offset of our clock ahead of Intercom's, ms. */
  skewMs: number;
}

/** A permission to send one request; hand it back to `release`. */
export interface Ticket {
  readonly seq: number;
  readonly sentAt: number;
  readonly probe: boolean;
}

/** The parts of a response the limiter reads. Header names lower-case. */
export interface LimiterObservation {
  status: number;
  headers: Record<string, string | undefined>;
}

interface Waiter {
  resolve(t: Ticket): void;
  reject(e: unknown): void;
}

/** Give up learning beyond this: a clock that far off needs fixing, not planning around. */
const MAX_SKEW_MS = 5000;

const between = (lo: number, hi: number): number => lo + 0.75 * (hi - lo);

/** Intercom's rate-limit window (notes §1.8) until two Resets tell us otherwise. */
const DEFAULT_WINDOW_MS = 10_000;
/** Weight of the newest answer in the mean latency. */
const LATENCY_EWMA = 0.1;

type Mode =
  | { kind: 'probing'; after?: number; rollSeq: number }
  | { kind: 'known'; reset: number; remaining: number; seq: number; jitter: number }
  | { kind: 'unlimited' };

const capped = (v: number | undefined, max: number): number | undefined => (v === undefined ? undefined : Math.min(v, max));

const intHeader = (v: string | undefined): number | undefined => {
  if (v === undefined || v.trim() === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
};

/** The shared limiter: `acquire()` before a request, `release(ticket, response?)` after it. */
export class RateLimiter {
  private readonly maxInFlight: number;
  private readonly minInFlight: number;
  private readonly initialInFlight: number;
  private latencyMs?: number;
  private windowMs = DEFAULT_WINDOW_MS;
  private windowLearned = false;
  private readonly headroom: number;
  private readonly probe: number;
  private readonly jitterMs: number;
  private readonly blockWithoutResetMs: number;
  private readonly maxWaitMs: number;
  private readonly now: () => number;
  private readonly random: () => number;

  private mode: Mode = { kind: 'probing', rollSeq: 0 };
  private limit?: number;
  private lastRemaining?: number;
  private dispatched = 0;
  private inFlight = 0;
  private probesInFlight = 0;
  private blockedUntil = 0;
  private skewMs = 0;
  private skewLo = 0;
  private skewHi = Infinity;
  /** Waiting requests of the 'high' lane, served before `queue`. */
  private urgent: Waiter[] = [];
  private queue: Waiter[] = [];
  private timer?: NodeJS.Timeout;
  private timerAt = Infinity;
  private waitingSince?: number;
  private closed = false;
  private counts = { waits: 0, waitedMs: 0, rateLimited: 0 };

  constructor(opts: RateLimiterOptions = {}) {
    this.maxInFlight = Math.max(1, opts.maxInFlight ?? 64);
    this.minInFlight = Math.min(this.maxInFlight, Math.max(1, opts.minInFlight ?? 8));
    this.initialInFlight = Math.min(this.maxInFlight, Math.max(1, opts.initialInFlight ?? 32));
    this.headroom = Math.min(0.9, Math.max(0, opts.headroom ?? 0));
    this.probe = Math.max(1, opts.probe ?? 1);
    this.jitterMs = Math.max(0, opts.jitterMs ?? 50);
    this.blockWithoutResetMs = opts.blockWithoutResetMs ?? 1000;
    this.maxWaitMs = opts.maxWaitMs ?? RETRY_DEFAULTS.maxWaitMs;
    this.now = opts.now ?? Date.now;
    this.random = opts.random ?? Math.random;
  }

  /**
   * Resolves when a request may be sent, within the budget and the in-flight bound. 'high' jumps
   * the queue of 'normal' requests (FIFO within each lane).
   */
  acquire(priority: RequestPriority = 'normal', signal?: AbortSignal): Promise<Ticket> {
    if (this.closed) return Promise.reject(new EltError('limiter_closed', 'the Intercom client was closed'));
    if (signal?.aborted) return Promise.reject(new InterruptedError(String(signal.reason ?? 'signal')));
    return new Promise<Ticket>((resolve, reject) => {
      const lane = priority === 'high' ? this.urgent : this.queue;
      // a stop signal takes a waiting request out of the queue (a wait for a reset is abortable)
      const onAbort = () => {
        const i = lane.indexOf(waiter);
        if (i >= 0) lane.splice(i, 1);
        reject(new InterruptedError(String(signal!.reason ?? 'signal')));
      };
      const waiter: Waiter = {
        resolve: (t) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(t);
        },
        reject,
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      lane.push(waiter);
      this.pump();
    });
  }

  /** Hands a ticket back, with the response (status + headers) if one arrived. */
  release(ticket: Ticket, res?: LimiterObservation): void {
    this.inFlight--;
    if (ticket.probe) this.probesInFlight--;
    if (res) this.observe(ticket, res);
    this.pump();
  }

  stats(): RateLimiterStats {
    const m = this.mode;
    return {
      limit: this.limit,
      remaining: this.lastRemaining,
      estimate: m.kind === 'known' ? Math.max(0, this.available(m)) : undefined,
      inFlight: this.inFlight,
      inFlightBound: this.inFlightBound(),
      latencyMs: this.latencyMs,
      queued: this.urgent.length + this.queue.length,
      ...this.counts,
      skewMs: this.skewMs,
    };
  }

  /** Rejects queued requests and stops timers. */
  close(): void {
    this.closed = true;
    this.clearTimer();
    const err = new EltError('limiter_closed', 'the Intercom client was closed');
    for (const w of [...this.urgent.splice(0), ...this.queue.splice(0)]) w.reject(err);
  }

  /**
   * Little's law: requests in flight = rate × mean latency. The rate is the window's budget (less
   * headroom) over the window's length; 25% + 4 on top absorb latency spread and bursts.
   */
  private inFlightBound(): number {
    if (this.limit === undefined || this.latencyMs === undefined || this.mode.kind === 'unlimited') return this.initialInFlight;
    const perMs = (this.limit * (1 - this.headroom)) / this.windowMs;
    const need = Math.ceil(1.25 * perMs * this.latencyMs) + 4;
    return Math.min(this.maxInFlight, Math.max(this.minInFlight, need));
  }

  private available(m: Extract<Mode, { kind: 'known' }>): number {
    const reserve = this.limit === undefined ? 0 : Math.floor(this.limit * this.headroom);
    return m.remaining - reserve - (this.dispatched - m.seq);
  }

  private observe(ticket: Ticket, res: LimiterObservation): void {
    const limit = intHeader(res.headers['x-ratelimit-limit']);
    const remaining = intHeader(res.headers['x-ratelimit-remaining']);
    const now = this.now();
    // a reset further ahead than maxWaitMs (a day, from a broken proxy) is read as that far
    const reset = capped(intHeader(res.headers['x-ratelimit-reset']), Math.ceil((now + this.maxWaitMs) / 1000));
    const took = Math.max(0, now - ticket.sentAt);
    this.latencyMs = this.latencyMs === undefined ? took : this.latencyMs + LATENCY_EWMA * (took - this.latencyMs);
    if (limit !== undefined) this.limit = limit;
    if (remaining !== undefined) this.lastRemaining = remaining;
    if (res.status === 429) this.counts.rateLimited++;

    if (reset !== undefined && remaining !== undefined) {
      this.learnSkew(ticket, reset, now);
      this.adopt(ticket, reset, res.status === 429 ? 0 : remaining);
    } else if (this.mode.kind === 'probing' && this.limit === undefined && res.status < 500) {
      // No rate-limit headers on a real answer and none ever seen: nothing to plan with.
      // (401s carry none either: "not sent when the request has no valid credentials", notes §1.8.)
      if (res.status !== 401 && res.status !== 403) this.mode = { kind: 'unlimited' };
    }

    if (res.status === 429) {
      const until = reset !== undefined ? reset * 1000 + this.skewMs + this.jitter() : now + this.blockWithoutResetMs;
      // A Reset already past (our clock ahead) still gets a short pause, never a tight loop.
      this.blockedUntil = Math.max(this.blockedUntil, until, now + 50);
    }
  }

  /**
   * Our clock against Intercom's windows, from the probes of each roll. A miss (an answer counted
   * in the window ending at `reset` although we sent it after that instant, by our clock plus
   * skew) proves the skew is at least `sentAt - reset`; a probe that lands in the next window
   * bounds it from above (about half its round trip after sending). Grow geometrically while no
   * upper bound is known, then search between the bounds, leaning late (a miss can cost a 429,
   * leaning late only a few idle ms per window).
   */
  private learnSkew(ticket: Ticket, reset: number, now: number): void {
    const m = this.mode;
    const offset = ticket.sentAt - reset * 1000;
    if (offset > this.skewMs) {
      this.skewLo = Math.max(this.skewLo, offset);
      if (this.skewLo >= this.skewHi) this.skewHi = Infinity; // the clocks moved: search again
      const next = this.skewHi === Infinity ? Math.max(this.skewMs * 2, this.skewLo + 50) : between(this.skewLo, this.skewHi);
      this.skewMs = Math.min(MAX_SKEW_MS, Math.round(next));
    } else if (m.kind === 'probing' && m.after !== undefined && ticket.probe && ticket.seq > m.rollSeq && reset > m.after && this.skewMs > this.skewLo) {
      const hi = ticket.sentAt - m.after * 1000 + (now - ticket.sentAt) / 2;
      this.skewHi = Math.min(this.skewHi, hi);
      if (this.skewHi <= this.skewLo) this.skewLo = 0;
      this.skewMs = Math.max(0, Math.round(between(this.skewLo, this.skewHi)));
    }
  }

  private adopt(ticket: Ticket, reset: number, remaining: number): void {
    const m = this.mode;
    // the window's length: the smallest step between consecutive Resets (Intercom: 10 s; an idle
    // gap skips windows, so steps are multiples of it)
    const last = m.kind === 'known' ? m.reset : m.kind === 'probing' ? m.after : undefined;
    if (last !== undefined && reset > last && reset - last <= 60) {
      const step = (reset - last) * 1000;
      this.windowMs = this.windowLearned ? Math.min(this.windowMs, step) : step;
      this.windowLearned = true;
    }
    const fresh = { kind: 'known' as const, reset, remaining, seq: ticket.seq, jitter: this.jitter() };
    if (m.kind === 'known') {
      if (reset > m.reset) this.mode = fresh;
      else if (reset === m.reset && remaining + ticket.seq < m.remaining + m.seq) {
        this.mode = { ...m, remaining, seq: ticket.seq };
      }
      // reset < m.reset: an answer from a window already over; nothing to learn.
      return;
    }
    if (m.kind === 'probing') {
      if (m.after === undefined || reset > m.after) this.mode = fresh;
      // Sent after we rolled but still counted in the old window: we rolled too early. Go back
      // to that window (the skew learned above moves the next roll later).
      else if (reset === m.after && ticket.seq > m.rollSeq) this.mode = fresh;
      return;
    }
    this.mode = fresh; // 'unlimited' that starts seeing headers
  }

  private jitter(): number {
    return Math.floor(this.random() * this.jitterMs);
  }

  /** Dispatch queued requests while allowed; otherwise arm a timer or wait for a release. */
  private pump(): void {
    while (this.urgent.length + this.queue.length > 0 && !this.closed) {
      const now = this.now();
      const verdict = this.check(now);
      if (verdict === 'go' || verdict === 'probe') {
        if (this.waitingSince !== undefined) {
          this.counts.waitedMs += now - this.waitingSince;
          this.waitingSince = undefined;
        }
        const probe = verdict === 'probe';
        this.inFlight++;
        if (probe) this.probesInFlight++;
        (this.urgent.shift() ?? this.queue.shift())!.resolve({ seq: ++this.dispatched, sentAt: now, probe });
        continue;
      }
      if (verdict !== 'release') {
        if (this.waitingSince === undefined) {
          this.waitingSince = now;
          this.counts.waits++;
        }
        this.armTimer(verdict, now);
      }
      return;
    }
  }

  /** 'go' | 'probe' | 'release' (wait for an in-flight answer) | epoch ms to wait until. */
  private check(now: number): 'go' | 'probe' | 'release' | number {
    if (this.inFlight >= this.inFlightBound()) return 'release';
    if (now < this.blockedUntil) return this.blockedUntil;
    let m = this.mode;
    if (m.kind === 'known') {
      const rollAt = m.reset * 1000 + this.skewMs + m.jitter;
      if (this.available(m) > 0) return 'go';
      if (now < rollAt) return rollAt;
      // The window is over by our clock: probe the next one.
      m = this.mode = { kind: 'probing', after: m.reset, rollSeq: this.dispatched };
    }
    if (m.kind === 'unlimited') return 'go';
    return this.probesInFlight < this.probe ? 'probe' : 'release';
  }

  private armTimer(at: number, now: number): void {
    if (this.timer && this.timerAt <= at) return;
    this.clearTimer();
    this.timerAt = at;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.timerAt = Infinity;
        this.pump();
      },
      Math.max(0, at - now),
    );
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Infinity;
  }
}
