/**
 * Non-2xx answers → typed errors (notes §1.7): Intercom's `errors[0].code`, its message and the
 * `request_id` (body, else the X-Request-Id header) so a support ticket can quote it.
 */
import { IntercomHttpError, NetworkError, RateLimitedError } from '../../core/errors.js';
import { RETRY_AFTER_META, RETRY_DEFAULTS } from '../retry.js';
import type { Layer, WireResponse } from './types.js';

interface ErrorBody {
  type?: unknown;
  request_id?: unknown;
  errors?: Array<{ code?: unknown; message?: unknown }>;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** `Retry-After` as ms: delta-seconds or an HTTP date. */
export function retryAfterMs(value: string | undefined, now: number): number | undefined {
  if (!value) return undefined;
  const secs = Number(value);
  if (Number.isFinite(secs)) return Math.max(0, secs * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

export function errorLayer(retryStatuses: readonly number[] = RETRY_DEFAULTS.retryStatuses): Layer {
  return (next) => async (req) => {
    const res = await next(req);
    if (res.status >= 200 && res.status < 300) return res;
    if (res.status === 404) {
      // Only Intercom's own not-found body says a record is gone (notes §1.7: `not_found`,
      // `ticket_not_found`, …). A 404 without Intercom's `error.list` comes from a proxy, a load
      // balancer or a bad deploy: a transport fault, retried, never a deletion.
      if (!isErrorList(res.body)) {
        throw new NetworkError(`answered 404 without Intercom's error body (${res.headers['content-type'] || 'no content type'}): not Intercom's answer`, {
          method: req.method,
          path: req.path,
        });
      }
      if (req.allow404 && isIntercomNotFound(res.body)) return res;
    }
    throw toError(req.method, req.path, res, retryStatuses);
  };
}

const isErrorList = (body: unknown): boolean => (body as ErrorBody | undefined)?.type === 'error.list';

/** Intercom's not-found answer: an `error.list` whose first error code is `not_found` or `<object>_not_found`. */
export function isIntercomNotFound(body: unknown): boolean {
  const b = (body ?? {}) as ErrorBody;
  const code = Array.isArray(b.errors) ? b.errors[0]?.code : undefined;
  return isErrorList(b) && typeof code === 'string' && /(^|_)not_found$/.test(code);
}

function toError(method: string, path: string, res: WireResponse, retryStatuses: readonly number[]): IntercomHttpError {
  const body = (res.body ?? {}) as ErrorBody;
  const first = Array.isArray(body.errors) ? body.errors[0] : undefined;
  const now = Date.now();
  const opts = {
    status: res.status,
    method,
    path,
    intercomCode: str(first?.code),
    intercomMessage: str(first?.message),
    requestId: str(body.request_id) ?? str(res.headers['x-request-id']),
  };
  const after = retryAfterMs(res.headers['retry-after'], now);
  let err: IntercomHttpError;
  if (res.status === 429) {
    const reset = Number(res.headers['x-ratelimit-reset']);
    // X-RateLimit-Reset is epoch seconds (notes §1.8). Without it, fall back to Retry-After, then 1 s.
    const resetAt = Number.isFinite(reset) && reset > 0 ? reset * 1000 : now + (after ?? 1000);
    err = new RateLimitedError({ ...opts, resetAt });
  } else {
    err = new IntercomHttpError({ ...opts, retryable: retryStatuses.includes(res.status) });
  }
  if (after !== undefined) err.meta[RETRY_AFTER_META] = after;
  return err;
}
