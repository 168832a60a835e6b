/**
 * One error module (STYLE.md): a base error with a stable string `code`, `retryable`, JSON-safe
 * metadata and `cause`, and a few typed subclasses. Only the CLI entry renders errors.
 * Messages never contain secrets: callers pass ids, paths and field names, never tokens.
 */
export type ErrorMeta = Record<string, string | number | boolean | null | undefined>;

/** Base of every error intercom-elt throws on purpose. */
export class EltError extends Error {
  readonly code: string;
  readonly retryable: boolean;
  readonly meta: ErrorMeta;

  constructor(code: string, message: string, opts: { retryable?: boolean; meta?: ErrorMeta; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = new.target.name;
    this.code = code;
    this.retryable = opts.retryable ?? false;
    this.meta = opts.meta ?? {};
  }

  toJSON(): Record<string, unknown> {
    return { name: this.name, code: this.code, message: this.message, retryable: this.retryable, meta: this.meta };
  }
}

/** Bad configuration: one line naming the file, the field and what is wrong. */
export class ConfigError extends EltError {
  constructor(file: string, field: string, problem: string) {
    super('config_invalid', `${file}: ${field}: ${problem}`, { meta: { file, field } });
  }
}

/** A non-2xx answer from Intercom (after retries, when retryable). */
export class IntercomHttpError extends EltError {
  readonly status: number;
  constructor(opts: {
    status: number;
    method: string;
    path: string;
    intercomCode?: string;
    intercomMessage?: string;
    requestId?: string;
    retryable?: boolean;
    cause?: unknown;
  }) {
    const detail = [opts.intercomCode, opts.intercomMessage].filter(Boolean).join(': ');
    super(
      opts.intercomCode ?? `http_${opts.status}`,
      `Intercom ${opts.method} ${opts.path} answered ${opts.status}${detail ? ` (${detail})` : ''}` + (opts.requestId ? ` [request_id ${opts.requestId}]` : ''),
      {
        retryable: opts.retryable ?? false,
        cause: opts.cause,
        meta: { status: opts.status, method: opts.method, path: opts.path, intercom_code: opts.intercomCode, request_id: opts.requestId },
      },
    );
    this.status = opts.status;
  }
}

/** A 429 from Intercom: wait until `resetAt` (epoch ms) before the next request. */
export class RateLimitedError extends IntercomHttpError {
  readonly resetAt: number;
  constructor(opts: ConstructorParameters<typeof IntercomHttpError>[0] & { resetAt: number }) {
    super({ ...opts, retryable: true });
    this.resetAt = opts.resetAt;
  }
}

/** A network-level failure talking to Intercom (reset, timeout, truncated body). */
export class NetworkError extends EltError {
  constructor(message: string, opts: { method: string; path: string; cause?: unknown }) {
    super('network_error', `Intercom ${opts.method} ${opts.path}: ${message}`, {
      retryable: true,
      cause: opts.cause,
      meta: { method: opts.method, path: opts.path },
    });
  }
}

/** The destination failed (connect, DDL, load, commit). */
export class DestinationError extends EltError {
  constructor(destination: string, message: string, opts: { cause?: unknown; meta?: ErrorMeta } = {}) {
    super('destination_error', `${destination}: ${message}`, { cause: opts.cause, meta: { destination, ...opts.meta } });
  }
}

/**
 * A destination error as the user wrote it: prefixed with the connection name from
 * connections.yml (the destination itself knows only its kind, e.g. "postgres: ...").
 */
export function inDestination(err: unknown, connection: string): unknown {
  if (!(err instanceof DestinationError) || err.meta['connection'] !== undefined) return err;
  return new DestinationError(`destination '${connection}'`, err.message, { cause: err, meta: { ...err.meta, connection } });
}

/**
 * A response that cannot be right, whoever notices it (an envelope check, a page or record check,
 * a table's read, the custom-attribute typing): one error, code `unexpected_response`, naming the
 * request when the caller knows it. Two kinds:
 *
 * - malformed (`retryable`): bytes that are not the JSON they should be (cut short, broken
 *   structure; `at` is the byte offset), or a 2xx answer that contradicts itself or its request
 *   (an empty page while its `total_count` says more, a record without its primary key, `{}` or
 *   another record for a record). A proxy or a bad deploy sends it, not Intercom's data: thrown
 *   below the client's retry layer (a request's `check`), it is asked again like a truncated body.
 * - a shape the request never has (no list under the key the API always sends, a cursor that does
 *   not move): asking again would get the same answer, so it is not retried.
 *
 * Either way the asset fails with the cursor where it was.
 */
export class UnexpectedResponseError extends EltError {
  constructor(what: string, opts: { req?: { method: string; path: string }; at?: number; retryable?: boolean } = {}) {
    const { req, at, retryable = false } = opts;
    const message = !retryable
      ? `unexpected response${req ? ` from ${req.method} ${req.path}` : ''}: ${what}`
      : `${req ? `Intercom ${req.method} ${req.path}: ` : ''}${at === undefined ? `malformed response: ${what}` : `malformed JSON page: ${what} at byte ${at}`}`;
    super('unexpected_response', message, { retryable, meta: { at, method: req?.method, path: req?.path } });
  }
}

/**
 * Blocking data checks failed after a load that committed: each failure was already printed as
 * its own `error:` line (asset, column, check, offending rows), so this adds no line of its own;
 * it only makes the command exit 1.
 */
export class ChecksFailedError extends EltError {
  readonly failures: number;
  constructor(failures: number) {
    super('checks_failed', `${failures} blocking check(s) failed; the rows are loaded`);
    this.failures = failures;
  }
}

/**
 * The run was interrupted (SIGINT/SIGTERM); `committed` says what of it is in the destination
 * (the pipeline knows: its last checkpoint, or nothing).
 */
export class InterruptedError extends EltError {
  readonly signal: string;
  constructor(signal: string, committed = 'the last checkpoint was committed') {
    super('interrupted', `interrupted by ${signal}; ${committed}`);
    this.signal = signal;
  }
}
