import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { EltError, IntercomHttpError, RateLimitedError } from '../../src/core/errors.js';
import { baseUrlFor, createIntercomClient } from '../../src/intercom/client.js';
import { errorBody, json, startServer, type TestServer } from './helpers/server.js';

const TOKEN = 'dG9rOnNlY3JldC10b2tlbi0xMjM0NQ==';
let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const client = (url: string, extra: Partial<Parameters<typeof createIntercomClient>[0]> = {}) =>
  createIntercomClient({ accessToken: TOKEN, apiVersion: '2.14', baseUrl: url, retry: { baseDelayMs: 5, maxDelayMs: 20 }, ...extra });

describe('intercom client: requests', () => {
  it('sends auth, version, accept, and JSON bodies on POST', async () => {
    server = await startServer((_req, res) => json(res, 200, { type: 'list', data: [] }));
    const c = client(server.url);
    const get = await c.request({ method: 'GET', path: '/contacts', query: { per_page: 150, starting_after: 'WzE3Ml0=', skip: undefined } });
    await c.request({ method: 'POST', path: '/contacts/search', body: { query: { field: 'updated_at', operator: '>', value: 1 } } });
    await c.close();

    expect(get.status).toBe(200);
    expect(get.body).toEqual({ type: 'list', data: [] });
    expect(get.headers['content-type']).toBe('application/json');
    const [g, p] = server.seen;
    expect(g.method).toBe('GET');
    expect(g.url).toBe('/contacts?per_page=150&starting_after=WzE3Ml0%3D');
    expect(g.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(g.headers['intercom-version']).toBe('2.14');
    expect(g.headers.accept).toBe('application/json');
    expect(p.method).toBe('POST');
    expect(p.headers['content-type']).toBe('application/json');
    expect(JSON.parse(p.body)).toEqual({ query: { field: 'updated_at', operator: '>', value: 1 } });
    expect(c.stats()).toMatchObject({ requests: 2, retries: 0, rateLimited: 0 });
  });

  it('a stop signal shared by many requests at once (in flight, queued, waiting to retry) prints no listener-leak warning', async () => {
    let n = 0;
    server = await startServer((_req, res) =>
      n++ % 3 === 0 ? json(res, 503, errorBody('service_unavailable', 'busy')) : void setTimeout(() => json(res, 200, { type: 'list', data: [] }), 20),
    );
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on('warning', onWarning);
    const stop = new AbortController();
    const c = client(server.url, { signal: stop.signal, connections: 64 });
    try {
      await Promise.all(Array.from({ length: 60 }, (_, i) => c.request({ method: 'GET', path: `/contacts/${i}` })));
      await new Promise((r) => setImmediate(r));
    } finally {
      process.off('warning', onWarning);
      await c.close();
    }
    expect(warnings).toEqual([]);
  });

  it('maps regions to Intercom hosts; baseUrl overrides (with a path prefix)', async () => {
    expect(baseUrlFor({})).toBe('https://api.intercom.io');
    expect(baseUrlFor({ region: 'us' })).toBe('https://api.intercom.io');
    expect(baseUrlFor({ region: 'eu' })).toBe('https://api.eu.intercom.io');
    expect(baseUrlFor({ region: 'au' })).toBe('https://api.au.intercom.io');
    expect(baseUrlFor({ region: 'eu', baseUrl: 'http://127.0.0.1:1' })).toBe('http://127.0.0.1:1');
    server = await startServer((_req, res) => json(res, 200, {}));
    const c = client(`${server.url}/proxy/`, { region: 'eu' });
    await c.request({ method: 'GET', path: '/me' });
    await c.close();
    expect(server.seen[0].url).toBe('/proxy/me');
  });
});

describe('intercom client: error mapping', () => {
  it.each([
    [400, 'parameter_invalid', 'Invalid per_page'],
    [401, 'unauthorized', 'Access Token Invalid'],
    [403, 'api_plan_restricted', 'Active subscription needed.'],
    [404, 'not_found', 'Resource Not Found'],
    [422, 'data_invalid', 'bad'],
  ])('%i → IntercomHttpError with code, message and request_id; not retried; no token anywhere', async (status, code, message) => {
    server = await startServer((_req, res) => json(res, status, errorBody(code, message, `rid-${status}`)));
    const c = client(server.url);
    const err = await c.request({ method: 'GET', path: '/contacts/abc' }).catch((e: unknown) => e);
    await c.close();
    expect(err).toBeInstanceOf(IntercomHttpError);
    const e = err as IntercomHttpError;
    expect(e.status).toBe(status);
    expect(e.code).toBe(code);
    expect(e.retryable).toBe(false);
    expect(e.message).toContain(message);
    expect(e.message).toContain(`rid-${status}`);
    expect(e.meta).toMatchObject({ status, method: 'GET', path: '/contacts/abc', intercom_code: code, request_id: `rid-${status}` });
    expect(server.seen).toHaveLength(1); // never retried
    for (const text of [e.message, JSON.stringify(e), inspect(e, { depth: 10 }), String(e.stack)]) {
      expect(text).not.toContain(TOKEN);
      expect(text).not.toContain('Bearer');
    }
  });

  it('falls back to the X-Request-Id header and to http_<status> for non-JSON error pages', async () => {
    server = await startServer((_req, res) => {
      res.writeHead(418, { 'content-type': 'text/html', 'x-request-id': 'hdr-rid' });
      res.end('<html>teapot</html>');
    });
    const c = client(server.url);
    const e = (await c.request({ method: 'GET', path: '/x' }).catch((x: unknown) => x)) as IntercomHttpError;
    await c.close();
    expect(e).toBeInstanceOf(IntercomHttpError);
    expect(e.code).toBe('http_418');
    expect(e.meta.request_id).toBe('hdr-rid');
  });

  it('allow404 resolves with the 404 and its body', async () => {
    server = await startServer((_req, res) => json(res, 404, errorBody('not_found', 'Conversation not found')));
    const c = client(server.url);
    const res = await c.request({ method: 'GET', path: '/conversations/1', allow404: true });
    await c.close();
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ errors: [{ code: 'not_found' }] });
  });

  it('network failures become NetworkError without the token', async () => {
    server = await startServer((_req, _res, raw) => {
      raw.socket.destroy();
    });
    const c = client(server.url, { maxAttempts: 2 });
    const e = (await c.request({ method: 'GET', path: '/contacts' }).catch((x: unknown) => x)) as EltError;
    await c.close();
    expect(e).toBeInstanceOf(EltError);
    expect(e.code).toBe('network_error');
    expect(e.retryable).toBe(true);
    expect(server.seen).toHaveLength(2);
    for (const text of [e.message, JSON.stringify(e), inspect(e, { depth: 10 })]) expect(text).not.toContain(TOKEN);
  });

  it('a 429 becomes RateLimitedError with resetAt from X-RateLimit-Reset (after retries are exhausted)', async () => {
    const reset = Math.floor(Date.now() / 1000) - 5; // already past: no wait in this test
    server = await startServer((_req, res) =>
      json(res, 429, errorBody('rate_limit_exceeded', 'Exceeded rate limit of 167 in 10_seconds'), {
        'x-ratelimit-limit': 167,
        'x-ratelimit-remaining': 0,
        'x-ratelimit-reset': reset,
      }),
    );
    const c = client(server.url, { maxAttempts: 1 });
    const e = (await c.request({ method: 'GET', path: '/contacts' }).catch((x: unknown) => x)) as RateLimitedError;
    await c.close();
    expect(e).toBeInstanceOf(RateLimitedError);
    expect(e.resetAt).toBe(reset * 1000);
    expect(e.code).toBe('rate_limit_exceeded');
    expect(c.stats()).toMatchObject({ requests: 1, rateLimited: 1, budgetRemaining: 0, budgetLimit: 167 });
  });
});
