import type { ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { IntercomHttpError } from '../../src/core/errors.js';
import { createIntercomClient } from '../../src/intercom/client.js';
import { errorBody, json, startServer, type TestServer } from './helpers/server.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const OK = { type: 'list', data: [{ id: '1' }] };
const client = (url: string, extra: Partial<Parameters<typeof createIntercomClient>[0]> = {}) =>
  createIntercomClient({ accessToken: 'secret', apiVersion: '2.14', baseUrl: url, retry: { baseDelayMs: 5, maxDelayMs: 20 }, ...extra });

/** A server whose first `failures` answers are `fail`, then OK. */
async function flaky(failures: number, fail: (res: ServerResponse, raw: import('node:http').IncomingMessage) => void) {
  let n = 0;
  return startServer((_req, res, raw) => (n++ < failures ? fail(res, raw) : json(res, 200, OK)));
}

describe('intercom client: retries', () => {
  it.each([500, 502, 503, 504])('retries %i and then succeeds', async (status) => {
    server = await flaky(2, (res) => json(res, status, errorBody('server_error', 'oops')));
    const c = client(server.url);
    const res = await c.request({ method: 'GET', path: '/contacts' });
    await c.close();
    expect(res.body).toEqual(OK);
    expect(server.seen).toHaveLength(3);
    expect(c.stats()).toMatchObject({ requests: 3, retries: 2 });
  });

  it('retries POST search too', async () => {
    server = await flaky(1, (res) => json(res, 503, errorBody('service_unavailable', 'busy')));
    const c = client(server.url);
    await c.request({ method: 'POST', path: '/conversations/search', body: { query: {} } });
    await c.close();
    expect(server.seen.map((s) => s.body)).toEqual(['{"query":{}}', '{"query":{}}']);
  });

  it('gives up after maxAttempts with the last error', async () => {
    server = await flaky(99, (res) => json(res, 500, errorBody('server_error', 'down')));
    const c = client(server.url, { maxAttempts: 3 });
    const e = await c.request({ method: 'GET', path: '/contacts' }).catch((x: unknown) => x);
    await c.close();
    expect(e).toBeInstanceOf(IntercomHttpError);
    expect((e as IntercomHttpError).status).toBe(500);
    expect((e as IntercomHttpError).retryable).toBe(true);
    expect(server.seen).toHaveLength(3);
  });

  it.each([400, 401, 404])('does not retry %i', async (status) => {
    server = await flaky(1, (res) => json(res, status, errorBody('x', 'y')));
    const c = client(server.url);
    await expect(c.request({ method: 'GET', path: '/contacts' })).rejects.toBeInstanceOf(IntercomHttpError);
    await c.close();
    expect(server.seen).toHaveLength(1);
  });

  it('retries a connection reset', async () => {
    server = await flaky(1, (_res, raw) => raw.socket.destroy());
    const c = client(server.url);
    expect((await c.request({ method: 'GET', path: '/contacts' })).body).toEqual(OK);
    await c.close();
    expect(server.seen).toHaveLength(2);
  });

  it('retries a body cut short (Content-Length not reached)', async () => {
    server = await flaky(1, (res, raw) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': 500 });
      res.write('{"type":"list","data":[{"id":');
      setTimeout(() => raw.socket.destroy(), 10);
    });
    const c = client(server.url);
    expect((await c.request({ method: 'GET', path: '/contacts' })).body).toEqual(OK);
    await c.close();
    expect(server.seen).toHaveLength(2);
  });

  it('retries a complete 200 whose JSON is invalid', async () => {
    server = await flaky(1, (res) => {
      const text = '{"type":"list","data":[{"id":';
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': text.length });
      res.end(text);
    });
    const c = client(server.url);
    expect((await c.request({ method: 'GET', path: '/contacts' })).body).toEqual(OK);
    await c.close();
    expect(c.stats()).toMatchObject({ requests: 2, retries: 1 });
  });

  it('retries a hung response (headers timeout) and a stalled body (body timeout)', async () => {
    let n = 0;
    server = await startServer((_req, res) => {
      n++;
      if (n === 1) return; // never answers
      if (n === 2) {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': 100 });
        res.write('{"type"'); // then stalls
        return;
      }
      json(res, 200, OK);
    });
    const c = client(server.url, { headersTimeoutMs: 200, bodyTimeoutMs: 200 });
    const t0 = Date.now();
    expect((await c.request({ method: 'GET', path: '/contacts' })).body).toEqual(OK);
    await c.close();
    expect(server.seen).toHaveLength(3);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(380);
  });
});

describe('intercom client: 429', () => {
  it('waits until X-RateLimit-Reset before any further request', async () => {
    const reset = Math.floor(Date.now() / 1000) + 1; // 0–1 s away, epoch seconds like Intercom
    // An exhausted window: every request that arrives before the reset gets a 429.
    server = await startServer((req, res) => {
      if (req.at < reset * 1000) {
        return json(res, 429, errorBody('rate_limit_exceeded', 'Exceeded rate limit of 10 in 10_seconds'), {
          'x-ratelimit-limit': 10,
          'x-ratelimit-remaining': 0,
          'x-ratelimit-reset': reset,
        });
      }
      json(res, 200, OK, { 'x-ratelimit-limit': 10, 'x-ratelimit-remaining': 9, 'x-ratelimit-reset': reset + 10 });
    });
    const c = client(server.url);
    const t0 = Date.now();
    const all = await Promise.all(Array.from({ length: 5 }, (_, i) => c.request({ method: 'GET', path: `/contacts/${i}` })));
    await c.close();
    expect(all.every((r) => r.status === 200)).toBe(true);
    expect(Date.now()).toBeGreaterThanOrEqual(reset * 1000);
    // Before the reset only the initial probes went out (sent before any answer); after the
    // first 429 nothing is sent until the reset.
    const early = server.seen.filter((s) => s.at < reset * 1000);
    expect(early.length).toBeGreaterThanOrEqual(1);
    expect(early.length).toBeLessThanOrEqual(2);
    expect(early.every((s) => s.at - t0 < 200)).toBe(true);
    expect(server.seen).toHaveLength(5 + early.length);
    expect(c.stats()).toMatchObject({ rateLimited: early.length, retries: early.length });
  });
});
