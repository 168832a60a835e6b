/** Options, shared types and the error type of the fake Intercom server. */

/** How to start a fake Intercom workspace (every field optional). */
export interface FakeIntercomOptions {
  /** 0 (default) = any free port; always bound to 127.0.0.1. */
  port?: number;
  /** Seed of the generated workspace (default 1). */
  seed?: number;
  /** Accepted bearer token (default 'fake-token'). */
  token?: string;
  contacts?: number;
  companies?: number;
  conversations?: number;
  tickets?: number;
  admins?: number;
  teams?: number;
  tags?: number;
  segments?: number;
  articles?: number;
  collections?: number;
  newsItems?: number;
  activityLogs?: number;
  /** Per-app budget per minute (default 10,000); null/0 = unlimited (headers still sent). */
  rateLimitPerMinute?: number | null;
  latencyMs?: number;
  /** Latency of `POST …/search` pages instead of `latencyMs` (Intercom's search pages are the slow ones); default `latencyMs`. */
  searchLatencyMs?: number;
  latencyJitterMs?: number;
  /** Probability per API request of an injected fault (default 0). */
  faultRate?: number;
  /** Kinds to draw from; omitted or empty = every kind (ALL_FAULT_KINDS). */
  faultKinds?: FaultKind[];
  /** Workspace time zone reported by GET /me `app.timezone` (default America/Los_Angeles). */
  timezone?: string;
  /** Intercom-Version used when a request sends none (default '2.14'). */
  defaultVersion?: string;
  /** New contacts stay invisible to POST /contacts/search for this many (fake) seconds. */
  searchIndexLagSeconds?: number;
  /** Initial clock, unix seconds (default 2026-01-01T00:00:00Z). */
  now?: number;
  /** Let the clock tick with real time after each set/advance (default false: frozen). */
  realtimeClock?: boolean;
  /** Companies scroll idle expiry in real milliseconds (default 60,000; 2.14:L3962). */
  scrollIdleMs?: number;
  /** Companies per scroll page (undocumented upstream; default 50). */
  scrollPageSize?: number;
}

export type FaultKind =
  | 'rate_limit_burst'
  | 'http_500'
  | 'http_502'
  | 'http_503'
  | 'http_504'
  | 'connection_reset'
  | 'hang'
  | 'truncated_json'
  | 'scroll_expire'
  | 'scroll_restart'
  // responses that cannot be right (a proxy, a load balancer, a bad deploy): docs/fake-intercom.md
  | 'empty_page'
  | 'empty_object'
  | 'html_404'
  | 'missing_id';

export const ALL_FAULT_KINDS: readonly FaultKind[] = [
  'rate_limit_burst',
  'http_500',
  'http_502',
  'http_503',
  'http_504',
  'connection_reset',
  'hang',
  'truncated_json',
  'scroll_expire',
  'scroll_restart',
  'empty_page',
  'empty_object',
  'html_404',
  'missing_id',
];

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export type Obj = Record<string, unknown>;

/** A contact as served (loose: fields vary by version). */
export type Contact = Obj & { type: 'contact'; id: string };

/** An HTTP error rendered as Intercom's `error.list` body (2.14:L19839-19880). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const notFound = (message = 'Resource Not Found', code = 'not_found') => new HttpError(404, code, message);
export const badRequest = (message: string, code = 'bad_request') => new HttpError(400, code, message);

/** Resolved options with every default applied. */
export interface Settings {
  port: number;
  seed: number;
  token: string;
  counts: {
    contacts: number;
    companies: number;
    conversations: number;
    tickets: number;
    admins: number;
    teams: number;
    tags: number;
    segments: number;
    articles: number;
    collections: number;
    newsItems: number;
    activityLogs: number;
  };
  rateLimitPerMinute: number | null;
  latencyMs: number;
  searchLatencyMs: number;
  latencyJitterMs: number;
  faultRate: number;
  faultKinds: FaultKind[];
  timezone: string;
  defaultVersion: string;
  searchIndexLagSeconds: number;
  now: number;
  realtimeClock: boolean;
  scrollIdleMs: number;
  scrollPageSize: number;
}
