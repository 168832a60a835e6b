/**
 * Issue 18: in-flight requests sized by Little's law (budget per second × mean latency), within
 * [minInFlight, maxInFlight]. The limiter's clock is an argument, so latency is simulated exactly.
 */
import { describe, expect, it } from 'vitest';
import { RateLimiter, type Ticket } from '../../src/intercom/limiter.js';

const flush = () => new Promise((r) => setImmediate(r));

/** A limiter that has seen one answer after `latencyMs`, with Intercom's headers (limit per window of `windowS`). */
async function warmed(o: { latencyMs: number; limit?: number; windowS?: number; cap?: number; headers?: boolean }) {
  const clock = { t: 1_000_000_000 };
  const l = new RateLimiter({ maxInFlight: o.cap ?? 256, now: () => clock.t, random: () => 0 });
  const limit = o.limit ?? 1667;
  const windowS = o.windowS ?? 10;
  const headers = (remaining: number, reset: number) =>
    o.headers === false ? {} : { 'x-ratelimit-limit': String(limit), 'x-ratelimit-remaining': String(remaining), 'x-ratelimit-reset': String(reset) };
  // two answers in consecutive windows: the limiter learns the limit, the window's length and the latency
  let reset = Math.floor(clock.t / 1000) + windowS;
  for (let i = 0; i < 2; i++) {
    const t = await l.acquire();
    clock.t += o.latencyMs;
    l.release(t, { status: 200, headers: headers(limit - 1, reset) });
    clock.t = reset * 1000 + 1;
    reset += windowS;
  }
  return { l, clock };
}

/** How many of `n` queued requests the limiter lets out before any answer comes back. */
async function outAtOnce(l: RateLimiter, n: number): Promise<Ticket[]> {
  const got: Ticket[] = [];
  for (let i = 0; i < n; i++)
    void l.acquire().then(
      (t) => got.push(t),
      () => undefined,
    );
  await flush();
  return got;
}

describe("in-flight bound (Little's law)", () => {
  it('300 ms at 10,000/min: at least 50 in flight (166.7/s × 0.3 s), with 25% + 4 to spare', async () => {
    const { l } = await warmed({ latencyMs: 300 });
    expect(l.stats().inFlightBound).toBe(Math.ceil(1.25 * 166.7 * 0.3) + 4);
    const out = await outAtOnce(l, 300);
    expect(out.length).toBe(67);
    expect(out.length).toBeGreaterThanOrEqual(50);
    l.close();
  });

  it('1,000 ms: at least 167 in flight; the user cap still wins', async () => {
    const a = await warmed({ latencyMs: 1000 });
    expect((await outAtOnce(a.l, 400)).length).toBe(213);
    a.l.close();
    const b = await warmed({ latencyMs: 1000, cap: 32 });
    expect((await outAtOnce(b.l, 400)).length).toBe(32);
    b.l.close();
  });

  it('a fast server needs few: the floor is minInFlight (8)', async () => {
    const { l } = await warmed({ latencyMs: 5 });
    expect((await outAtOnce(l, 100)).length).toBe(8);
    l.close();
  });

  it('the window length comes from the Resets (a 1-second window of 60 is 60/s)', async () => {
    const { l } = await warmed({ latencyMs: 500, limit: 60, windowS: 1 });
    expect(l.stats().inFlightBound).toBe(Math.ceil(1.25 * 60 * 0.5) + 4);
    l.close();
  });

  it('without rate-limit headers nothing can be planned: the initial bound (32)', async () => {
    const { l } = await warmed({ latencyMs: 1000, headers: false });
    expect((await outAtOnce(l, 100)).length).toBe(32);
    l.close();
  });

  it('the mean latency follows the answers (an EWMA): slower answers raise the bound', async () => {
    const { l, clock } = await warmed({ latencyMs: 100 });
    const before = l.stats().inFlightBound;
    const reset = Math.floor(clock.t / 1000) + 10;
    for (let i = 0; i < 30; i++) {
      const t = await l.acquire();
      clock.t += 1000;
      l.release(t, { status: 200, headers: { 'x-ratelimit-limit': '1667', 'x-ratelimit-remaining': '1600', 'x-ratelimit-reset': String(reset + 10 * i) } });
    }
    expect(l.stats().latencyMs!).toBeGreaterThan(900);
    expect(l.stats().inFlightBound).toBeGreaterThan(before * 4);
    l.close();
  });
});
