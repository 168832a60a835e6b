/** Retries failed attempts by re-entering the layers below, so every retry goes back through the limiter. */
import { setMaxListeners } from 'node:events';
import { InterruptedError, NetworkError } from '../../core/errors.js';
import { decide, type RetryPolicy } from '../retry.js';
import type { ClientWait } from '../types.js';
import type { Counters, Layer } from './types.js';

/** Waits at least this long are reported (`onWait`), so a long pause never looks like a hang. */
export const REPORTED_WAIT_MS = 3000;

export interface RetryHooks {
  /** Aborts the wait before a retry at once (SIGINT/SIGTERM): the request throws InterruptedError. */
  signal?: AbortSignal;
  /** Aborted a grace period after `signal`: no attempt starts after it. */
  attempts?: AbortSignal;
  onWait?: (w: ClientWait) => void;
  random?: () => number;
}

export function retryLayer(policy: RetryPolicy, counters: Counters, hooks: RetryHooks = {}): Layer {
  const { signal, attempts, onWait, random = Math.random } = hooks;
  return (next) => async (req) => {
    for (let attempt = 1; ; attempt++) {
      throwIfStopped(attempts);
      try {
        return await next(req);
      } catch (err) {
        throwIfStopped(attempts);
        if (req.retryAmbiguous === false && err instanceof NetworkError) throw err;
        const verdict = decide(err, attempt, Date.now(), policy, random);
        if (!verdict.retry) throw err;
        counters.retries++;
        if (verdict.delayMs >= REPORTED_WAIT_MS) onWait?.({ ms: verdict.delayMs, method: req.method, path: req.path, reason: (err as Error).message });
        await sleep(verdict.delayMs, signal);
      }
    }
  };
}

/** The InterruptedError of an aborted stop signal (its reason is the signal's name). */
export function throwIfStopped(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new InterruptedError(String(signal.reason ?? 'signal'));
}

/**
 * A signal aborted `graceMs` after `signal`: requests in flight when a stop comes get a moment to
 * finish (so the pages they complete still reach the checkpoint), then a stalled or trickled one
 * is cut. A grace of 0 aborts with `signal`, on a signal of its own.
 */
export function abortedAfter(signal: AbortSignal, graceMs: number): AbortSignal {
  const ctl = new AbortController();
  // every request in flight, queued in the limiter or waiting to retry listens to it: hundreds at
  // once (the in-flight cap, search slices, fan-out) are not a leak, and Node's warning would
  // print through the live progress lines
  setMaxListeners(0, ctl.signal);
  const abort = () => ctl.abort(signal.reason);
  const later = graceMs > 0 ? () => void setTimeout(abort, graceMs).unref() : abort;
  if (signal.aborted) later();
  else signal.addEventListener('abort', later, { once: true });
  return ctl.signal;
}

/** setTimeout as a promise that rejects with InterruptedError when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(t);
      reject(new InterruptedError(String(signal!.reason ?? 'signal')));
    };
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
  });
}
