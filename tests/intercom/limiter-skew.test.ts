import { afterEach, describe, expect, it } from 'vitest';
import { createIntercomClient } from '../../src/intercom/client.js';
import { drive, startLimitedServer, type LimitedServer } from './helpers/limited-server.js';

let server: LimitedServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('rate limiter with a clock skewed against Intercom', () => {
  it('our clock 300 ms ahead: the early probes teach the skew, 429s stay rare', async () => {
    server = await startLimitedServer({ limit: 60, latencyMs: 20, clockOffsetMs: -300 });
    const c = createIntercomClient({ accessToken: 't', apiVersion: '2.14', baseUrl: server.url, connections: 32, retry: { baseDelayMs: 5, maxDelayMs: 20 } });
    const t0 = Date.now();
    const elapsed = await drive(240, 32, (i) => c.request({ method: 'GET', path: `/x/${i}` }));
    const lim = c.limiter.stats();
    await c.close();
    console.info(`skewed: 240 req in ${elapsed} ms, 429s ${server.limited}, learned skew ${lim.skewMs} ms`);
    expect(server.served).toBe(240);
    // Learning costs a few probes answered 429 at the first rolls, then (almost) none. Without
    // learning, every window roll sends up to 32 requests early: a burst of 429s per window.
    // Bounds leave room for event-loop stalls on a loaded 2-core CI machine (seen: 14 under load).
    expect(server.limited).toBeLessThanOrEqual(24);
    expect(server.limitedAt.filter((t) => t - t0 > 2_200).length).toBeLessThanOrEqual(2);
    expect(lim.skewMs).toBeGreaterThan(0);
    expect(elapsed).toBeLessThanOrEqual(8_000);
  });
});
