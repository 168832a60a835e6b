/**
 * A stand-in for Intercom's rate limiting: `limit` requests per window aligned to epoch
 * seconds, X-RateLimit-* on every answer (Reset in epoch SECONDS), 429 beyond the limit.
 * `clockOffsetMs` shifts the server's clock against ours (a skewed Intercom).
 */
import { json, sleep, startServer, type TestServer } from './server.js';

export interface LimitedServer extends TestServer {
  served: number;
  limited: number;
  /** When each 429 was sent (epoch ms). */
  limitedAt: number[];
  maxConcurrent: number;
  perWindow: Map<number, number>;
}

export async function startLimitedServer(opts: {
  limit?: number;
  windowMs?: number;
  latencyMs?: number;
  clockOffsetMs?: number;
  headers?: boolean;
}): Promise<LimitedServer> {
  const limit = opts.limit ?? 60;
  const windowMs = opts.windowMs ?? 1000;
  const perWindow = new Map<number, number>();
  let concurrent = 0;
  // The handler updates this object; the server's url/close are added to it below.
  const state = { served: 0, limited: 0, limitedAt: [] as number[], maxConcurrent: 0, perWindow } as LimitedServer;
  const base = await startServer(async (_req, res) => {
    concurrent++;
    state.maxConcurrent = Math.max(state.maxConcurrent, concurrent);
    const now = Date.now() + (opts.clockOffsetMs ?? 0);
    const end = Math.floor(now / windowMs) * windowMs + windowMs;
    const used = (perWindow.get(end) ?? 0) + 1;
    perWindow.set(end, used);
    const headers: Record<string, number> =
      opts.headers === false
        ? {}
        : { 'x-ratelimit-limit': limit, 'x-ratelimit-remaining': Math.max(0, limit - used), 'x-ratelimit-reset': Math.ceil(end / 1000) };
    await sleep(opts.latencyMs ?? 20);
    concurrent--;
    if (opts.headers !== false && used > limit) {
      state.limited++;
      state.limitedAt.push(Date.now());
      return json(
        res,
        429,
        { type: 'error.list', request_id: 'r', errors: [{ code: 'rate_limit_exceeded', message: `Exceeded rate limit of ${limit}` }] },
        headers,
      );
    }
    state.served++;
    json(res, 200, { type: 'list', data: [] }, headers);
  });
  return Object.assign(state, base);
}

/** Run `total` requests through `send` with `concurrency` workers. */
export async function drive(total: number, concurrency: number, send: (i: number) => Promise<unknown>): Promise<number> {
  let i = 0;
  const t0 = Date.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (i < total) await send(i++);
    }),
  );
  return Date.now() - t0;
}
