/** Auth, rate limiting, versions, faults, latency and the server's lifecycle. */
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { runFakeIntercomCommand, startFakeIntercom } from '../../src/fake-intercom/index.js';
import { client, withFake } from './helpers.js';

/** Wait so the next ~1.5 s stay inside one 10-second rate-limit window. */
async function awayFromWindowEdge(): Promise<void> {
  const into = Date.now() % 10_000;
  if (into > 8_000) await new Promise((r) => setTimeout(r, 10_000 - into + 50));
}

describe('auth', () => {
  it('401 error.list "Access Token Invalid" without rate-limit headers', async () => {
    await withFake({ rateLimitPerMinute: 600 }, async (f) => {
      for (const headers of [{}, { authorization: 'Bearer nope' }, { authorization: 'fake-token' }]) {
        const r = await request(`${f.url}/contacts`, { headers });
        const body = (await r.body.json()) as any;
        expect(r.statusCode).toBe(401);
        expect(body.type).toBe('error.list');
        expect(body.request_id).toMatch(/^[0-9a-f-]{36}$/);
        expect(body.errors).toEqual([{ code: 'unauthorized', message: 'Access Token Invalid' }]);
        expect(r.headers['x-ratelimit-limit']).toBeUndefined();
      }
    });
  });
});

describe('rate limit (10-second windows, notes §1.8)', () => {
  it('sends X-RateLimit-* on every authenticated response and 429s past ceil(limit/6)', async () => {
    await withFake({ rateLimitPerMinute: 60 }, async (f, c) => {
      await awayFromWindowEdge();
      const remaining: number[] = [];
      let r = await c.get('/me');
      for (let k = 0; k < 10; k++) {
        expect(r.status).toBe(200);
        expect(r.headers['x-ratelimit-limit']).toBe('10');
        remaining.push(Number(r.headers['x-ratelimit-remaining']));
        const reset = Number(r.headers['x-ratelimit-reset']);
        expect(reset % 10).toBe(0); // aligned to 10-second boundaries, epoch seconds
        expect(reset * 1000).toBeGreaterThan(Date.now());
        expect(reset * 1000 - Date.now()).toBeLessThanOrEqual(10_000);
        if (k < 9) r = await c.get('/me');
      }
      expect(remaining).toEqual([9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
      const limited = await c.get('/admins');
      expect(limited.status).toBe(429);
      expect(limited.body.errors[0]).toEqual({ code: 'rate_limit_exceeded', message: 'Exceeded rate limit of 10 in 10_seconds' });
      expect(limited.headers['x-ratelimit-remaining']).toBe('0');
      expect(f.stats().rateLimited).toBe(1);
      // /_fake routes are not limited.
      expect((await fetch(`${f.url}/_fake/stats`)).status).toBe(200);
    });
  });

  it('null limit: headers still sent, a budget no client spends, never 429', async () => {
    await withFake({ rateLimitPerMinute: null }, async (_f, c) => {
      // the 31 requests must fall in one 10-second window for the count below
      await awayFromWindowEdge();
      for (let k = 0; k < 30; k++) expect((await c.get('/tags')).status).toBe(200);
      const r = await c.get('/tags');
      expect(r.headers['x-ratelimit-limit']).toBe('1000000');
      // counted like a limited window, so a client reading the headers sees its spending
      expect(Number(r.headers['x-ratelimit-remaining'])).toBeLessThanOrEqual(1_000_000 - 31);
    });
  });
});

describe('versions and protocol errors', () => {
  it('rejects unknown versions, unsuitable Accept, unknown paths, bad JSON', async () => {
    await withFake({}, async (f, c) => {
      const v = await c.get('/me', '9.99');
      expect(v.status).toBe(400);
      expect(v.body.errors[0].code).toBe('intercom_version_invalid');
      expect((await c.get('/me', undefined, { accept: 'text/html' })).status).toBe(406);
      expect((await c.get('/nope')).status).toBe(404);
      expect((await c.del('/contacts')).status).toBe(404); // unsupported method → 404
      const bad = await request(`${f.url}/contacts/search`, {
        method: 'POST',
        headers: { authorization: 'Bearer fake-token', 'content-type': 'application/json' },
        body: '{oops',
      });
      expect(bad.statusCode).toBe(400);
      await bad.body.text();
      expect((await c.get('/admins/activity_logs')).status).toBe(400); // created_at_after required
      expect((await c.get('/contacts/000000000000000000000000')).body.errors[0].code).toBe('not_found');
      expect((await c.get('/tickets/1')).body.errors[0].code).toBe('ticket_not_found');
    });
  });
});

describe('faults', () => {
  it.each([
    ['http_500', 500],
    ['http_502', 502],
    ['http_503', 503],
    ['http_504', 504],
    ['rate_limit_burst', 429],
  ] as const)('%s → %i error.list', async (kind, status) => {
    await withFake({ faultRate: 1, faultKinds: [kind] }, async (f, c) => {
      const r = await c.get('/contacts');
      expect(r.status).toBe(status);
      expect(r.body.type).toBe('error.list');
      if (kind === 'rate_limit_burst') expect(r.headers['x-ratelimit-reset']).toBeDefined();
      expect(f.stats().faultsInjected).toBe(1);
    });
  });

  it('rate_limit_burst spends the rest of the window', async () => {
    await withFake({ rateLimitPerMinute: 600 }, async (f, c) => {
      await awayFromWindowEdge();
      f.setFaults({ rate: 1, kinds: ['rate_limit_burst'] });
      expect((await c.get('/me')).status).toBe(429);
      f.setFaults({ rate: 0 });
      expect(f.stats().faultsByKind).toEqual({ rate_limit_burst: 1 });
      const r = await c.get('/me');
      expect(r.status).toBe(429);
      expect(r.headers['x-ratelimit-remaining']).toBe('0');
    });
  });

  it('connection_reset destroys the socket', async () => {
    await withFake({ faultRate: 1, faultKinds: ['connection_reset'] }, async (f, c) => {
      await expect(c.get('/contacts')).rejects.toThrow();
      expect(f.stats().faultsByKind).toEqual({ connection_reset: 1 });
    });
  });

  it('truncated_json sends half of the announced body', async () => {
    await withFake({ faultRate: 1, faultKinds: ['truncated_json'] }, async (f, c) => {
      await expect(c.get('/contacts?per_page=50')).rejects.toThrow();
      expect(f.stats().faultsByKind).toEqual({ truncated_json: 1 });
    });
  });

  it('hang never answers; the client timeout fires; close() is quick', async () => {
    const f = await startFakeIntercom({ faultRate: 1, faultKinds: ['hang'] });
    await expect(request(`${f.url}/me`, { headers: { authorization: 'Bearer fake-token' }, headersTimeout: 300 })).rejects.toThrow();
    const p = request(`${f.url}/me`, { headers: { authorization: 'Bearer fake-token' } }).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 50));
    expect(f.stats().faultsByKind).toEqual({ hang: 2 });
    const t0 = Date.now();
    await f.close();
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(await p).toBeInstanceOf(Error);
  });

  it('faults follow the seeded PRNG: same seed, same sequence; rate ~ observed', async () => {
    const run = async () =>
      withFake({ seed: 7, faultRate: 0.3, faultKinds: ['http_500', 'http_503'] }, async (f, c) => {
        const codes: number[] = [];
        for (let k = 0; k < 60; k++) codes.push((await c.get('/tags')).status);
        expect(f.stats().faultsInjected).toBe(codes.filter((s) => s !== 200).length);
        return codes;
      });
    const a = await run();
    expect(await run()).toEqual(a);
    const failed = a.filter((s) => s !== 200).length;
    expect(failed).toBeGreaterThan(6);
    expect(failed).toBeLessThan(36);
  });

  it('failAfter(n, prefix) fails every matching request after n', async () => {
    await withFake({}, async (f, c) => {
      f.failAfter(2, '/contacts');
      expect((await c.get('/contacts')).status).toBe(200);
      expect((await c.post('/contacts/search', { query: { field: 'role', operator: '=', value: 'user' } })).status).toBe(200);
      expect((await c.get('/contacts')).status).toBe(500);
      expect((await c.get('/contacts')).status).toBe(500);
      expect((await c.get('/tags')).status).toBe(200);
      f.failAfter(-1);
      expect((await c.get('/contacts')).status).toBe(200);
      const s = f.stats();
      expect(s.byPath['/contacts']).toBe(4);
      expect(s.requests).toBe(6);
      expect(s.faultsByKind).toEqual({ fail_after: 2 });
    });
  });

  it('latency model: fixed + jitter', async () => {
    await withFake({ latencyMs: 40, latencyJitterMs: 20 }, async (_f, c) => {
      const t0 = Date.now();
      for (let k = 0; k < 3; k++) await c.get('/tags');
      const per = (Date.now() - t0) / 3;
      expect(per).toBeGreaterThanOrEqual(39);
      expect(per).toBeLessThan(200);
    });
  });
});

describe('runFakeIntercomCommand', () => {
  it('prints the listening URL first', async () => {
    const lines: string[] = [];
    const f = await runFakeIntercomCommand({ stdout: (l) => lines.push(l), token: 'secret-xyz' });
    try {
      expect(lines[0]).toBe(`fake Intercom listening on ${f.url}`);
      expect(f.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(lines.join('\n')).not.toContain('secret-xyz');
      expect((await client(f.url, 'secret-xyz').get('/me')).status).toBe(200);
    } finally {
      await f.close();
    }
  });
});
