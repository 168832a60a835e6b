/** The Intercom HTTP client contract used by table extractors and the pipeline. */

import type { Region } from '../core/schema.js';

/** One request to Intercom's REST API. `path` is relative to the region host (e.g. '/contacts/search'). */
export interface IntercomRequest {
  method: 'GET' | 'POST';
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  /** A 404 is an answer, not an error (e.g. a deleted conversation): resolve with status 404. */
  allow404?: boolean;
  /**
   * false: a network failure (reset, timeout, truncated body) is not retried in place but thrown,
   * because the server may have acted on the request (a scroll page lost in transit advanced the
   * server-side cursor: asking again with the same scroll_param would skip it).
   */
  retryAmbiguous?: boolean;
  /**
   * 'high': a step of a serial chain (the next page of a cursor) that later work waits on; it
   * goes ahead of queued 'normal' requests in the shared rate limiter. Same budget, same bound.
   */
  priority?: RequestPriority;
  /**
   * Throws a malformed UnexpectedResponseError (envelope.ts `malformed`) when a 2xx body cannot be right for this request (pagination and
   * by-id GETs set it); the client then retries like a truncated body. Not part of a resume token.
   */
  check?: (body: unknown) => void;
}

/** Queue lane of a request in the shared rate limiter (see `IntercomRequest.priority`). */
export type RequestPriority = 'high' | 'normal';

export interface IntercomResponse<T = unknown> {
  status: number;
  body: T;
  /** Response headers, lower-cased names (the pipeline reads `date` to freeze the run's upper bound). */
  headers: Record<string, string>;
}

/** Counters for the run summary and live progress. */
export interface ClientStats {
  requests: number;
  retries: number;
  rateLimited: number;
  /** Remaining budget in the current Intercom window, from the last X-RateLimit-Remaining. */
  budgetRemaining?: number;
  budgetLimit?: number;
}

export interface IntercomClient {
  /** Send through the shared limiter with retries; throws IntercomHttpError / NetworkError. */
  request<T = unknown>(req: IntercomRequest): Promise<IntercomResponse<T>>;
  stats(): ClientStats;
  close(): Promise<void>;
}

export interface IntercomClientOptions {
  accessToken: string;
  region?: Region;
  /** Overrides the region host (used for the fake Intercom). */
  baseUrl?: string;
  apiVersion: string;
  /** Max attempts per request including the first (default 6). */
  maxAttempts?: number;
  /** Timeouts in ms. */
  connectTimeoutMs?: number;
  headersTimeoutMs?: number;
  bodyTimeoutMs?: number;
  /** Max concurrent connections to the host (default 32). */
  connections?: number;
  /** Fraction of Intercom's per-window budget to leave for other apps (default 0). */
  headroom?: number;
  /** Total time one request may take, sending to the last byte of the body (default 300 s); then it is retried. */
  requestTimeoutMs?: number;
  /** Aborts every request, retry wait and rate-limit wait (SIGINT/SIGTERM): they throw InterruptedError. */
  signal?: AbortSignal;
  /** Told of every wait of REPORTED_WAIT_MS or more before a retry (a 429's reset, a Retry-After, a backoff). */
  onWait?: (w: ClientWait) => void;
}

/** A wait before retrying a request. */
export interface ClientWait {
  ms: number;
  method: string;
  path: string;
  /** The failure that caused it (no secret: a typed error's message). */
  reason: string;
}
