/**
 * A proxy in front of the fake Intercom that answers the way a broken proxy, load balancer or
 * deploy might (issue 17): a test sets `rule`, which sees each request and either lets it through
 * (undefined) or answers it itself — a canned response, a response changed from the fake's, a
 * body trickled a few bytes at a time, or no answer at all until the client gives up.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ProxyRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  /** The request body parsed as JSON (POST), else undefined. */
  json: unknown;
  /** 1 for the first request to this method + path, 2 for the next, … */
  hit: number;
}

export interface ProxyAnswer {
  status: number;
  headers?: Record<string, string>;
  body: string;
  /** Send the body `bytes` at a time, one chunk every `everyMs`. */
  trickle?: { bytes: number; everyMs: number };
}

/** What the fake answered (for rules that change a real response). */
export interface Upstream {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** 'stall': never answer (the client's timeouts or a signal end the request). */
export type ProxyRule = (
  req: ProxyRequest,
  upstream: () => Promise<Upstream>,
) => Promise<ProxyAnswer | 'stall' | undefined> | ProxyAnswer | 'stall' | undefined;

export interface RuleProxy {
  url: string;
  rule: ProxyRule | undefined;
  /** Requests seen per `METHOD path`. */
  hits: Map<string, number>;
  close(): Promise<void>;
}

export async function ruleProxy(target: string): Promise<RuleProxy> {
  const timers = new Set<NodeJS.Timeout>();
  const proxy: RuleProxy = { url: '', rule: undefined, hits: new Map(), close: async () => undefined };
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks);
    const path = (req.url ?? '/').split('?')[0]!;
    const key = `${req.method} ${path}`;
    const hit = (proxy.hits.get(key) ?? 0) + 1;
    proxy.hits.set(key, hit);
    const upstream = async (): Promise<Upstream> => {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string' && k !== 'host' && k !== 'content-length') headers[k] = v;
      const r = await fetch(target + (req.url ?? '/'), { method: req.method, headers, body: raw.length ? raw : undefined });
      const out: Record<string, string> = {};
      r.headers.forEach((v, k) => {
        if (k !== 'content-length' && k !== 'content-encoding' && k !== 'transfer-encoding' && k !== 'connection') out[k] = v;
      });
      return { status: r.status, headers: out, body: await r.text() };
    };
    let json: unknown;
    try {
      json = raw.length ? JSON.parse(raw.toString('utf8')) : undefined;
    } catch {
      json = undefined;
    }
    const answer = (await proxy.rule?.({ method: req.method ?? 'GET', path, json, hit }, upstream)) ?? (await upstream());
    if (answer === 'stall') return; // the socket stays open and silent
    res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
    const t = 'trickle' in answer ? answer.trickle : undefined;
    if (!t) {
      res.end(answer.body);
      return;
    }
    const bytes = Buffer.from(answer.body);
    let at = 0;
    const tick = () => {
      if (res.destroyed) return;
      res.write(bytes.subarray(at, at + t.bytes));
      at += t.bytes;
      if (at >= bytes.length) return void res.end();
      const timer = setTimeout(() => (timers.delete(timer), tick()), t.everyMs);
      timers.add(timer);
    };
    tick();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  proxy.close = () =>
    new Promise<void>((resolve) => {
      for (const t of timers) clearTimeout(t);
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return proxy;
}
