/**
 * The innermost Send: one undici Pool per Intercom host. Reads the whole body as text (pages are
 * at most 150 records) and turns socket failures and timeouts into NetworkError (retryable).
 */
import { Pool } from 'undici';
import { NetworkError } from '../../core/errors.js';
import type { Region } from '../../core/schema.js';
import { throwIfStopped } from './retry.js';
import type { Counters, Send, WireRequest } from './types.js';

/** Region hosts (2.14:L23552-23558). */
export const REGION_HOSTS: Readonly<Record<Region, string>> = Object.freeze({
  us: 'https://api.intercom.io',
  eu: 'https://api.eu.intercom.io',
  au: 'https://api.au.intercom.io',
});

/** The base URL requests go to: `baseUrl` if given (the fake), else the region's host (default us). */
export function baseUrlFor(opts: { region?: Region; baseUrl?: string }): string {
  return opts.baseUrl ?? REGION_HOSTS[opts.region ?? 'us'];
}

export interface TransportOptions {
  baseUrl: string;
  connections: number;
  connectTimeoutMs: number;
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
  /** Total time of one request, headers and whole body (a body trickled byte by byte never idles out). */
  requestTimeoutMs: number;
  /** The run's stop signal: aborts the request in flight (InterruptedError). */
  signal?: AbortSignal;
}

export interface Transport {
  send: Send;
  close(): Promise<void>;
}

/** Path + query string; undefined query values are left out. */
export function pathWithQuery(prefix: string, req: Pick<WireRequest, 'path' | 'query'>): string {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(req.query ?? {})) if (v !== undefined) qs.append(k, String(v));
  const s = qs.toString();
  return `${prefix}${req.path}${s ? `?${s}` : ''}`;
}

export function createTransport(opts: TransportOptions, counters: Counters): Transport {
  const url = new URL(opts.baseUrl);
  // A base URL may carry a path prefix (a proxy); the pool is keyed by origin only.
  const prefix = url.pathname.replace(/\/+$/, '');
  const pool = new Pool(url.origin, {
    connections: opts.connections,
    connectTimeout: opts.connectTimeoutMs,
    headersTimeout: opts.headersTimeoutMs,
    bodyTimeout: opts.bodyTimeoutMs,
  });

  const send: Send = async (req) => {
    counters.requests++;
    const deadline = AbortSignal.timeout(opts.requestTimeoutMs);
    try {
      const res = await pool.request({
        method: req.method,
        path: pathWithQuery(prefix, req),
        headers: req.headers,
        body: req.method === 'POST' && req.body !== undefined ? JSON.stringify(req.body) : undefined,
        signal: opts.signal ? AbortSignal.any([opts.signal, deadline]) : deadline,
      });
      const text = await res.body.text();
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(res.headers)) {
        if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
      }
      return { status: res.statusCode, headers, text };
    } catch (cause) {
      throwIfStopped(opts.signal);
      if (deadline.aborted) {
        throw new NetworkError(`no complete answer within ${opts.requestTimeoutMs / 1000} s (request_timeout_seconds)`, {
          method: req.method,
          path: req.path,
          cause,
        });
      }
      // Only the error's code and message travel: undici errors never carry request headers,
      // and the message names method and path, never the host's credentials or the token.
      const code = (cause as { code?: unknown })?.code;
      const msg = cause instanceof Error ? cause.message : String(cause);
      throw new NetworkError(typeof code === 'string' ? `${code}: ${msg}` : msg, { method: req.method, path: req.path, cause });
    }
  };

  return { send, close: () => pool.close() };
}
