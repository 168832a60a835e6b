/**
 * The HTTP server: auth → rate limit → faults → latency → version → route → JSON.
 * Plain node:http bound to 127.0.0.1.
 */
import { once } from 'node:events';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { exportRows } from './export.js';
import { emptyPage, type FaultRule, Faults, HTML_404, SERVER_ERRORS, withoutIds } from './faults.js';
import { errorBody, parseJsonBody, readBody, sendJson } from './http.js';
import { bodyBuffer } from './json.js';
import { stringifyJson } from '../core/exact-json.js';
import { STREAM, rng, uuidFrom, type Rng } from './prng.js';
import { RateLimiter } from './ratelimit.js';
import { companyRoutes } from './routes/companies.js';
import type { AppState, Ctx, Route } from './routes/context.js';
import { contactRoutes } from './routes/contacts.js';
import { conversationRoutes } from './routes/conversations.js';
import { type Controls, fakeRoute } from './routes/fake.js';
import { ticketRoutes } from './routes/tickets.js';
import { workspaceRoutes } from './routes/workspace.js';
import { type FaultKind, HttpError, type Obj, type Settings } from './types.js';
import { parseVersion } from './versions.js';
import { World } from './world.js';

const ROUTES: Route[] = [...workspaceRoutes, ...contactRoutes, ...companyRoutes, ...conversationRoutes, ...ticketRoutes];

export interface Stats {
  requests: number;
  byPath: Record<string, number>;
  rateLimited: number;
  faultsInjected: number;
  /** Faults injected per kind (`fail_after` counts the fail-after trap). */
  faultsByKind: Record<string, number>;
}

export class FakeServer implements Controls {
  readonly w: World;
  readonly limiter: RateLimiter;
  readonly faults: Faults;
  readonly app: AppState;
  private readonly server: http.Server;
  private readonly latencyRng: Rng;
  private requests = 0;
  private byPath: Record<string, number> = {};
  url = '';

  constructor(readonly settings: Settings) {
    this.w = new World(settings);
    this.limiter = new RateLimiter(settings.rateLimitPerMinute);
    this.faults = new Faults(settings.seed, settings.faultRate, settings.faultKinds);
    this.latencyRng = rng(settings.seed, STREAM.latency);
    const uuidRng = rng(settings.seed, STREAM.uuid);
    this.app = { scroll: null, scrollIdleMs: settings.scrollIdleMs, scrollPageSize: settings.scrollPageSize, newUuid: () => uuidFrom(uuidRng) };
    this.server = http.createServer((req, res) => {
      // Intercom's `Date` header is Intercom's clock; here it is the fake's controllable clock, so a
      // client that freezes its upper bound from it (as intercom-elt does) sees simulated time.
      res.setHeader('date', this.dateHeader());
      this.handle(req, res).catch((err: unknown) => {
        if (!res.headersSent && !res.destroyed) sendJson(res, 500, errorBody('server_error', String((err as Error)?.message ?? err)));
      });
    });
    this.server.keepAliveTimeout = 30_000;
  }

  private date = { at: Number.NaN, text: '' };

  /** The `Date` header of the fake clock's current second (formatted once per second, not per request). */
  private dateHeader(): string {
    const now = this.w.clock.now();
    if (now !== this.date.at) this.date = { at: now, text: new Date(now * 1000).toUTCString() };
    return this.date.text;
  }

  async listen(): Promise<void> {
    this.server.listen(this.settings.port, '127.0.0.1');
    await once(this.server, 'listening');
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Closes the listener and every socket at once (hung responses included). */
  async close(): Promise<void> {
    const done = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await done;
  }

  // ---- Controls --------------------------------------------------------------------------

  setFaults(opts: { rate: number; kinds?: FaultKind[] }): void {
    this.faults.set(opts.rate, opts.kinds);
  }

  failAfter(n: number, pathPrefix?: string): void {
    this.faults.failAfter(n, pathPrefix);
  }

  addFaultRule(rule: FaultRule): void {
    this.faults.addRule(rule);
  }

  clearFaultRules(): void {
    this.faults.clearRules();
  }

  setRateLimit(perMinute: number | null): void {
    this.limiter.setLimit(perMinute);
  }

  stats(): Stats {
    return {
      requests: this.requests,
      byPath: { ...this.byPath },
      rateLimited: this.limiter.rateLimited,
      faultsInjected: this.faults.injected,
      faultsByKind: { ...this.faults.byKind },
    };
  }

  // ---- request handling --------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // `new URL('//contacts/x', base)` would read `contacts` as a host: parse the path part alone.
    const url = new URL(`http://127.0.0.1${(req.url ?? '/').startsWith('/') ? '' : '/'}${req.url ?? '/'}`);
    // Repeated slashes collapse to one, as Rails' router (Journey normalize_path) and nginx
    // (merge_slashes on) do in front of Intercom's API — NOT CONFIRMED upstream (docs/fake-intercom.md).
    const path = url.pathname.replace(/\/{2,}/g, '/');
    if (path.startsWith('/_fake/')) return this.handleFake(req, res, path);
    this.requests++;
    this.byPath[path] = (this.byPath[path] ?? 0) + 1;
    let rl: Record<string, string> = {};
    let truncate = false;
    try {
      // 401 without rate-limit headers (notes §1.2, §1.8).
      if (req.headers.authorization !== `Bearer ${this.settings.token}`) {
        throw new HttpError(401, 'unauthorized', 'Access Token Invalid');
      }
      rl = this.limiter.take();
      if (this.faults.tripped(path)) throw new HttpError(500, 'server_error', 'Internal server error (failAfter)');
      const continuingScroll = path === '/companies/scroll' && url.searchParams.has('scroll_param');
      const fault = this.faults.decide(path, continuingScroll, req.method ?? 'GET');
      switch (fault) {
        case 'rate_limit_burst':
          throw this.limiter.burst();
        case 'http_500':
        case 'http_502':
        case 'http_503':
        case 'http_504': {
          const e = SERVER_ERRORS[fault] as { status: number; code: string; message: string };
          throw new HttpError(e.status, e.code, e.message);
        }
        case 'connection_reset':
          req.socket.resetAndDestroy();
          return;
        case 'hang':
          return; // never answered; close() destroys the socket
        case 'truncated_json':
          truncate = true;
          break;
        case 'empty_object':
          return sendJson(res, 200, {}, rl);
        case 'html_404':
          res.writeHead(404, { 'content-type': 'text/html', 'content-length': Buffer.byteLength(HTML_404), ...rl });
          return void res.end(HTML_404);
        default:
      }
      await this.latency(path);
      const v = parseVersion(header(req, 'intercom-version'), this.settings.defaultVersion);
      // Unsuitable Accept → 406 (notes §1.3); a missing Accept is tolerated.
      const accept = header(req, 'accept');
      if (accept && !/application\/json|\*\/\*|application\/\*/.test(accept)) {
        throw new HttpError(406, 'not_acceptable', 'Accept header must allow application/json');
      }
      const body = (parseJsonBody(await readBody(req)) ?? {}) as Obj;
      const result = this.dispatch({
        w: this.w,
        v,
        method: req.method ?? 'GET',
        path,
        query: url.searchParams,
        body,
        baseUrl: this.url,
        app: this.app,
        fault: continuingScroll ? fault : null,
      });
      if (res.destroyed) return;
      if (truncate) return this.sendTruncated(res, result, rl);
      if (fault === 'empty_page' || fault === 'missing_id') {
        const page = JSON.parse(bodyBuffer(result).toString('utf8')) as Obj;
        return sendJson(res, 200, fault === 'empty_page' ? emptyPage(page) : withoutIds(page), rl);
      }
      sendJson(res, 200, result, rl);
    } catch (err) {
      if (res.destroyed) return;
      if (err instanceof HttpError) {
        sendJson(res, err.status, errorBody(err.code, err.message, randomUUID()), { ...rl, ...err.headers });
      } else {
        sendJson(res, 500, errorBody('server_error', (err as Error).message, randomUUID()), rl);
      }
    }
  }

  private dispatch(c: Ctx): unknown {
    for (const [method, re, handler] of ROUTES) {
      const m = re.exec(c.path);
      if (m && method === c.method) return handler(c, m.slice(1));
    }
    // Unknown path, or a known path with an unsupported method → 404 (notes §1.3).
    throw new HttpError(404, 'not_found', 'Resource Not Found');
  }

  /** Fixed + jittered delay; search pages have their own fixed part (`searchLatencyMs`). */
  private async latency(path: string): Promise<void> {
    const { latencyJitterMs } = this.settings;
    const latencyMs = path.endsWith('/search') ? this.settings.searchLatencyMs : this.settings.latencyMs;
    if (latencyMs <= 0 && latencyJitterMs <= 0) return;
    const ms = latencyMs + this.latencyRng() * latencyJitterMs;
    await new Promise((r) => setTimeout(r, ms));
  }

  /** Full Content-Length, half the bytes, then the socket dies: a truncated JSON body. */
  private sendTruncated(res: ServerResponse, body: unknown, rl: Record<string, string>): void {
    const buf = bodyBuffer(body);
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': buf.length, ...rl });
    res.write(buf.subarray(0, Math.floor(buf.length / 2)), () => res.destroy());
  }

  private async handleFake(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    try {
      const exp = /^\/_fake\/export\/([a-z_]+)$/.exec(path);
      if (exp && req.method === 'GET') return await this.streamExport(req, res, exp[1] as string);
      const body = (parseJsonBody(await readBody(req)) ?? {}) as Obj;
      sendJson(res, 200, fakeRoute(this, req.method ?? 'GET', path, body));
    } catch (err) {
      if (res.headersSent) return void res.destroy();
      const e = err instanceof HttpError ? err : new HttpError(500, 'server_error', (err as Error).message);
      sendJson(res, e.status, errorBody(e.code, e.message));
    }
  }

  /** NDJSON stream of the ground truth, honouring backpressure (1M contacts stay in constant memory). */
  private async streamExport(req: IncomingMessage, res: ServerResponse, table: string): Promise<void> {
    const v = parseVersion(header(req, 'intercom-version'), this.settings.defaultVersion);
    const rows = exportRows(this.w, table, v);
    const first = rows.next(); // throws 404 for an unknown table before any header is sent
    res.writeHead(200, { 'content-type': 'application/x-ndjson; charset=utf-8' });
    let buf = first.done ? '' : stringifyJson(first.value) + '\n';
    for (const row of rows) {
      buf += stringifyJson(row) + '\n';
      if (buf.length > 1 << 16) {
        // Wait for drain, or give up when the client goes away.
        if (!res.write(buf)) {
          // abort the losing `once` so its listener does not pile up on the response
          const ac = new AbortController();
          await Promise.race([once(res, 'drain', { signal: ac.signal }), once(res, 'close', { signal: ac.signal })]).finally(() => ac.abort());
        }
        buf = '';
        if (res.destroyed) return;
      }
    }
    res.end(buf);
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const h = req.headers[name];
  return Array.isArray(h) ? h[0] : h;
}
