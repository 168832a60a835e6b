/**
 * The companies scroll (`GET /companies/scroll`, 2.14:L3954-4034), made singleton-safe.
 *
 * - "Each app can only have 1 scroll open at a time": a first call while another scroll is open
 *   answers 400 `scroll_exists` (3rd-party: intercom-ruby #292). Someone else (another pipeline,
 *   or our own crashed run) holds it; it frees itself after a minute idle, so wait and retry.
 * - "If the scroll isn't used for 1 minute, it expires": pages are read eagerly by a separate
 *   loop into a bounded queue, so a slow destination does not leave the scroll idle.
 * - "It is not possible to continue from a specific point": a mid-scroll 500 ("Please restart the
 *   scroll operation", 2.14:L3980-3984) or 404 (expired param) restarts from the beginning; rows
 *   read twice are deduplicated by primary key in the destination's merge.
 * - The cursor is the server's: each call with a scroll_param returns the next page. A response
 *   lost in transit (reset, timeout, truncated body) may have advanced it, so asking again with
 *   the same param may skip a page. Restarting at once would meet `scroll_exists` (the old scroll
 *   stays open for a minute), so such a page is asked for again, and at the end the distinct
 *   companies read are counted against the list's `total_count`: short of it, the scroll (now
 *   closed) is read again. A 429 or 5xx answer is retried in place by the client: it was refused,
 *   not served.
 * - "If the end of the scroll is reached, "companies" will be empty": a `scroll_param` keeps coming
 *   after the end (airbyte #58638 looped forever on it), so stop at the first empty `data`.
 */
import { EltError, IntercomHttpError, NetworkError } from '../../core/errors.js';
import { recordsOf, unexpected, envelope } from '../pagination/envelope.js';
import type { IntercomRequest } from '../types.js';
import type { Row } from '../../core/schema.js';
import type { ExtractContext } from '../tables/spec.js';

/** Scroll knobs; exported mutable so tests (and embedders) can lower the waits. */
export const SCROLL_SETTINGS = {
  /** Wait after 400 `scroll_exists` before asking again (the other scroll expires after 1 min idle). */
  existsWaitMs: 60_000,
  /** Give up after this many `scroll_exists` answers in a row. */
  existsTries: 10,
  /** Give up after this many restarts (mid-scroll 404/500, or pages lost in transit) in one run. */
  maxRestarts: 5,
  /** Ask again for a page lost in transit at most this many times in a row. */
  maxLostRetries: 5,
  /**
   * Pages read ahead of the destination. At Intercom's page size this holds a few thousand
   * companies (a few MB); if the destination lags further behind for over a minute the scroll
   * expires and restarts (counted as `scroll_restarts`).
   */
  bufferPages: 100,
};

/** A bounded queue between the scroll loop (producer) and the extractor (consumer). */
class Buffer {
  private readonly items: Row[][] = [];
  private done = false;
  private error: unknown;
  private wakeConsumer?: () => void;
  private wakeProducer?: () => void;
  closed = false;

  constructor(private readonly bound: number) {}

  async push(item: Row[]): Promise<void> {
    while (this.items.length >= this.bound && !this.closed) await new Promise<void>((r) => (this.wakeProducer = r));
    this.items.push(item);
    this.wakeConsumer?.();
  }

  end(error?: unknown): void {
    this.done = true;
    this.error = error;
    this.wakeConsumer?.();
  }

  /** The consumer went away: release a producer waiting for room. */
  close(): void {
    this.closed = true;
    this.wakeProducer?.();
  }

  async shift(): Promise<Row[] | undefined> {
    for (;;) {
      const item = this.items.shift();
      if (item) {
        this.wakeProducer?.();
        return item;
      }
      if (this.done) {
        if (this.error !== undefined) throw this.error;
        return undefined;
      }
      await new Promise<void>((r) => (this.wakeConsumer = r));
    }
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
  });
}

/** The scroll loop: reads every page into `buf`, restarting and waiting as the scroll rules demand. */
async function readScroll(ctx: ExtractContext, path: string, buf: Buffer, stop: AbortSignal, expected: number | undefined): Promise<void> {
  let param: string | undefined;
  let restarts = 0;
  let busy = 0;
  let lostInRow = 0;
  /** A response was lost in transit since the scroll (re)started: a page may be missing. */
  let suspect = false;
  const seen = new Set<string>();
  const restart = (err: Error): void => {
    restarts++;
    ctx.count('scroll_restarts');
    if (restarts > SCROLL_SETTINGS.maxRestarts) {
      throw new EltError('scroll_failed', `the companies scroll failed ${restarts} times (last: ${err.message}); giving up`, {
        cause: err,
        meta: { path, restarts },
      });
    }
    param = undefined;
    suspect = false;
  };
  while (!buf.closed) {
    const req: IntercomRequest =
      param === undefined ? { method: 'GET', path, query: {} } : { method: 'GET', path, query: { scroll_param: param }, retryAmbiguous: false };
    let body: unknown;
    try {
      body = (await ctx.client.request({ ...req, priority: 'high' })).body; // a serial chain
    } catch (err) {
      if (param !== undefined && err instanceof NetworkError) {
        ctx.count('scroll_pages_lost');
        if (++lostInRow > SCROLL_SETTINGS.maxLostRetries) restart(err);
        else suspect = true;
        continue;
      }
      if (!(err instanceof IntercomHttpError)) throw err;
      if (param === undefined && err.status === 400 && err.code === 'scroll_exists') {
        busy++;
        ctx.count('scroll_waits');
        if (busy >= SCROLL_SETTINGS.existsTries) {
          throw new EltError(
            'scroll_busy',
            `another application holds this workspace's companies scroll (Intercom allows one open scroll per app); ` +
              `still busy after ${busy} tries ${Math.round(SCROLL_SETTINGS.existsWaitMs / 1000)} s apart. ` +
              'Stop the other sync of this Intercom app, or run again after it finishes.',
            { cause: err, meta: { path, tries: busy } },
          );
        }
        await sleep(SCROLL_SETTINGS.existsWaitMs, stop);
        continue;
      }
      // Some clients see 404 on a workspace without companies (3rd-party: Airbyte ignores it).
      if (param === undefined && err.status === 404) return;
      // The client already retried a 500 on the same param; the scroll is gone either way.
      if (param !== undefined && (err.status === 404 || err.status >= 500)) {
        restart(err);
        continue;
      }
      throw err;
    }
    busy = 0;
    lostInRow = 0;
    const rows = recordsOf(req, body, 'data') as Row[];
    // The end: an empty page (its scroll_param is not worth following, airbyte #58638).
    if (rows.length === 0) {
      if (!suspect || expected === undefined || seen.size >= expected) return;
      restart(new EltError('scroll_incomplete', `a page lost in transit: ${seen.size} of ${expected} companies read`));
      continue;
    }
    for (const r of rows) seen.add(String(r['id']));
    const next = envelope(req, body).scroll_param;
    if (typeof next !== 'string' || next === '') throw unexpected(req, "no 'scroll_param' on a non-empty scroll page");
    param = next;
    await buf.push(rows);
  }
}

/**
 * Every row of the scroll, page by page as Intercom sends them. After a restart (counted as
 * `scroll_restarts`) rows already yielded come again: callers rely on merge-by-id. `expected`:
 * the list's `total_count`, to tell whether a page lost in transit left a gap.
 */
export async function* scrollPages(ctx: ExtractContext, path: string, expected?: number): AsyncIterable<Row[]> {
  const buf = new Buffer(Math.max(1, SCROLL_SETTINGS.bufferPages));
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  ctx.signal?.addEventListener('abort', onAbort, { once: true });
  const loop = readScroll(ctx, path, buf, stop.signal, expected).then(
    () => buf.end(),
    (err: unknown) => buf.end(err ?? new Error('scroll failed')),
  );
  try {
    for (;;) {
      const item = await buf.shift();
      if (!item) return;
      yield item;
    }
  } finally {
    buf.close();
    stop.abort();
    ctx.signal?.removeEventListener('abort', onAbort);
    await loop;
  }
}
