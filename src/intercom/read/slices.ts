/**
 * Parallel search slices (issue 18): the run's window split into time slices whose cursor chains
 * are read at once through the one shared limiter, so a search table moves at the rate limit
 * rather than at one chain's latency (a 150-record search page takes ~0.3–1 s on Intercom).
 *
 * - **Slices are windows.** A slice is `{start, end}` (unix seconds, inclusive) and its query is
 *   the table's window query on it (`windowQuery`). Conversations and tickets match to the
 *   second: adjacent slices `[a, p-1]` and `[p, b]` share no second. Contacts (API ≤ 2.16) match
 *   whole days in the workspace time zone, so every split point is a local midnight (DST days
 *   included, via `localDayStart`): `[a, p-1]` asks for the days before p's day, `[p, b]` from
 *   p's day on, and no day is read twice. Rows are still filtered to the run's exact window.
 * - **Sizing from `total_count`.** The first page of the whole window is read as before; when it
 *   says the window holds fewer than 2 × MIN_SLICE_PAGES pages, the read stays one chain and costs
 *   nothing extra (every incremental run of a normal size). Otherwise the window is cut (that
 *   first page is discarded: one extra request) at the local day / second of the oldest record on
 *   that page, and the rest into up to `slices` - 1 parts of equal time (at least MIN_SLICE_PAGES
 *   pages each on average); each part's first page is read as the first page of its chain, and a
 *   part whose `total_count` says it is more than twice its share (skewed data: most records
 *   changed recently) is cut again into as many parts as its size calls for, at most MAX_SPLITS
 *   times per run. The extra requests are a handful: the discarded first pages, empty parts, and
 *   each slice's last partial page.
 * - **Resume: one token per slice.** The resume token of a page is the list of slices not yet
 *   finished, each with its cursor once started (`{slices: [{start, end, after?}]}`), taken when
 *   the page is handed on. It covers exactly the pages handed on before it, whichever slice they
 *   came from, so a checkpoint's state is never ahead of its rows; a resumed run reads the
 *   unfinished slices from their cursors and never re-reads a finished one. (A contiguous
 *   watermark could not say more than "before the oldest unfinished slice": a kill would re-read
 *   every finished slice after it.) Resumed runs do not split further.
 * - Built on `paginate()`: every chain is the one search pagination, with its envelope and page
 *   checks (a record without id, an empty page short of its total_count): a slice's first page is
 *   the first of its own chain (its own total_count); a resumed slice's chain is a resumed chain.
 * - Progress `total`: the whole window's total_count (its first page), or on resume the unfinished
 *   slices' totals added up as each starts.
 * - **Chains follow the latency (issue 19).** `slices` is the most chains read at once, not how
 *   many always run. Reading starts with one chain and a worker opens another slice only while
 *   the consumer waits for pages and the process has CPU to spare (`ChainPace`): a fast source (a
 *   local fake) runs one chain, where 16 cost ~40% more CPU and ~110 MB more memory for the same
 *   requests; Intercom's 0.3–1 s search pages open up to `slices` within a few seconds. The slices
 *   are cut as before, so resume tokens and requests do not depend on the pace.
 */
import { paginate, type PageResult } from '../pagination/paginate.js';
import { envelope } from '../pagination/envelope.js';
import type { IntercomRequest } from '../types.js';
import { MAX_PER_PAGE, windowQuery } from '../tables/common.js';
import type { Row, Window } from '../../core/schema.js';
import type { ExtractContext } from '../tables/spec.js';
import { localDayStart } from './timezone.js';

/** The search a table reads through slices. */
export interface SearchSpec {
  /** e.g. '/contacts/search' */
  path: string;
  field: string;
  granularity: 'second' | 'day';
  /** The envelope's list key ('data', 'conversations', 'tickets'). */
  recordsKey: string;
}

/** One slice of the window in a resume token: `after` is the cursor of its next page once started. */
export interface SliceToken {
  start: number;
  end: number;
  after?: string;
}

/** The resume token of a sliced read: the slices not finished yet. */
export interface SlicesResume {
  slices: SliceToken[];
}

/** A page of a search as the table's extractor sees it. */
export interface SearchPage {
  records: Row[];
  /** undefined after the last page of the read. */
  resume?: SlicesResume | IntercomRequest;
}

/** Below 2 × this many pages a window is one chain; a slice is cut only when it holds far more. */
export const MIN_SLICE_PAGES = 4;
/** Re-cuts of a skewed slice per run (each discards one page). */
export const MAX_SPLITS = 6;
/**
 * Without a window (a first full sync) the search still needs a query: `> -1` on a second-granular
 * field matches everything; on contacts `updated_at > 0` covers every day after 1970-01-01.
 */
const NO_WINDOW: Window = { start: 0, end: 4102444800 };
/**
 * Intercom started in 2011: no record was updated before. Split points are spread from here, not
 * from 1970, so a first sync's window (`start` 0) is not cut mostly into empty decades.
 */
const EARLIEST_DATA = 1293840000; // 2011-01-01T00:00:00Z

/** The first request of a search over `w` (150 per page), continuing after `after` if given. */
export function sliceRequest(spec: SearchSpec, w: Window, timezone: string, after?: string): IntercomRequest {
  return {
    method: 'POST',
    path: spec.path,
    body: {
      query: windowQuery(spec.field, w, spec.granularity, timezone),
      pagination: after === undefined ? { per_page: MAX_PER_PAGE } : { per_page: MAX_PER_PAGE, starting_after: after },
    },
  };
}

/**
 * The starts of the parts when `w` is cut into `m` of equal time (the first part starts at
 * `w.start`, the last ends at `w.end`): strictly inside `(w.start, w.end]`, local midnights for
 * day-granular search. The points are spread over the part of `w` where records can be: from
 * 2011 to `latest` (a day past our clock: nothing is updated in the future; a window without an
 * end reaches 2100).
 */
export function splitPoints(w: Window, m: number, granularity: 'second' | 'day', timezone: string, latest = Math.floor(Date.now() / 1000) + 86400): number[] {
  const lo = Math.max(w.start, Math.min(EARLIEST_DATA, w.end));
  const hi = Math.max(lo, Math.min(w.end, latest));
  const span = hi - lo + 1;
  const out: number[] = [];
  for (let i = 1; i < m; i++) {
    let p = lo + Math.floor((i * span) / m);
    if (granularity === 'day') p = localDayStart(p, timezone);
    if (p > w.start && p <= w.end && p > (out[out.length - 1] ?? -Infinity)) out.push(p);
  }
  return out;
}

/**
 * The first cut of a window: below the oldest record of its first page (whatever order Intercom
 * returns) is often nothing but years before the workspace's data, so that is one part (one
 * request when empty), and the rest is cut into `m - 1` parts of equal time. When the first page
 * held the newest records instead, the big first part is cut again by size.
 */
function rootPoints(w: Window, sample: Row[], m: number, spec: SearchSpec, timezone: string): number[] {
  const times = sample.map((r) => Number(r[spec.field])).filter((t) => Number.isFinite(t) && t > w.start && t <= w.end);
  if (times.length === 0) return splitPoints(w, m, spec.granularity, timezone);
  const low = Math.min(...times);
  const p0 = spec.granularity === 'day' ? localDayStart(low, timezone) : low;
  if (p0 <= w.start) return splitPoints(w, m, spec.granularity, timezone);
  return [p0, ...splitPoints({ start: p0, end: w.end }, m - 1, spec.granularity, timezone)];
}

/** `w` cut at `points` (from splitPoints): adjacent windows sharing no second. */
export function cut(w: Window, points: number[]): Window[] {
  const starts = [w.start, ...points];
  return starts.map((start, i) => ({ start, end: i + 1 < starts.length ? starts[i + 1]! - 1 : w.end }));
}

const isRequest = (v: unknown): v is IntercomRequest => typeof v === 'object' && v !== null && 'method' in v && 'path' in v;
const isSlices = (v: unknown): v is SlicesResume => typeof v === 'object' && v !== null && Array.isArray((v as SlicesResume).slices);

/** `starting_after` of a next-page request (cursor in the body). */
function afterOf(req: IntercomRequest): string {
  const p = (req.body as { pagination?: { starting_after?: unknown } } | undefined)?.pagination?.starting_after;
  if (typeof p !== 'string') throw new Error(`internal: a next search page without a cursor (${req.path})`);
  return p;
}

/**
 * How many cursor chains are worth reading at once. More chains help only when the consumer
 * (transforms, batches, the destination) waits for pages while the process has CPU to spare: a
 * slow source. When it is the consumer that is busy (a fast source, a local fake), another chain
 * only holds more pages in memory and costs CPU. So the pace starts at one chain and, every
 * `interval` seconds, grows when in two intervals in a row the consumer waited for a page more
 * than STARVED of the time while the event loop was busy less than ROOM of it: to the chains the spare
 * CPU can feed (chains × ROOM ÷ busy, at least one more, at most `max`), so Intercom's slow pages
 * (the loop ~5% busy) open every chain in one step. It never shrinks: an open chain is not paused
 * (a search cursor's life is not documented). On a busy loop the consumer's wait also covers the
 * parse of the next page, so it is the loop's business that tells a fast source (87–98% busy,
 * measured against the fake) from a slow one.
 *
 * (Latency ÷ service time was tried first and is wrong here: on one busy thread a page "waits" for
 * the consumer's own work, so the measured latency grows with the load and opened every chain.)
 */
export class ChainPace {
  private target = 1;
  private since = performance.now();
  private loop = performance.eventLoopUtilization();
  private waited = 0;
  /** Intervals in a row that asked for more chains. */
  private streak = 0;
  constructor(
    readonly max: number,
    readonly interval = 0.5,
  ) {}

  /** The consumer waited `seconds` for a page none of the chains had ready. */
  starved(seconds: number): void {
    this.waited += seconds;
  }

  get chains(): number {
    const now = performance.now();
    const span = (now - this.since) / 1000;
    if (span >= this.interval && this.target < this.max) {
      const busy = performance.eventLoopUtilization(this.loop).utilization;
      // two intervals in a row, so one slow first page (a cold search) does not open chains
      this.streak = this.waited / span > STARVED && busy < ROOM ? this.streak + 1 : 0;
      // room for ROOM ÷ busy times the chains (at least one more): Intercom's slow pages open all at once
      if (this.streak >= 2) this.target = Math.min(this.max, Math.max(this.target + 1, Math.ceil((this.target * ROOM) / Math.max(busy, 0.01))));
      this.since = now;
      this.loop = performance.eventLoopUtilization();
      this.waited = 0;
    }
    return this.target;
  }
}
/** The consumer waited for pages more than this share of an interval: the source is the bound. */
const STARVED = 0.25;
/** The event loop was busy less than this share of it: there is CPU for another chain's pages. */
const ROOM = 0.75;

interface Slice {
  id: number;
  window: Window;
  after?: string;
  /** May be cut again after its first page (not for the root of a small window, nor on resume). */
  splittable: boolean;
}

/**
 * Reads a search table's window, up to `ctx.slices` slices at once (as many as `ChainPace` finds useful), and yields its pages as they come
 * (slices interleave; each page carries the resume token covering every page yielded so far).
 */
export async function* searchPages(ctx: ExtractContext, spec: SearchSpec): AsyncIterable<SearchPage> {
  // a token of a run from before slices (the next page's request): finish it as one chain
  if (isRequest(ctx.resume)) {
    // a resumed chain: its first page is not the chain's first (paginate's empty-page check knows)
    for await (const page of paginate(ctx.client, ctx.resume, 'cursor_body', { recordsKey: spec.recordsKey, resume: ctx.resume })) {
      const total = envelope(ctx.resume, page.body).total_count;
      if (typeof total === 'number') ctx.total?.(total);
      yield { records: page.records as Row[], resume: page.next };
    }
    return;
  }
  const width = Math.max(1, ctx.slices ?? 1);
  const pace = new ChainPace(width);
  /** The most chains read at once so far (the `search_chains` counter). */
  let peak = 0;
  const window = ctx.window ?? NO_WINDOW;
  const resumed = isSlices(ctx.resume) ? ctx.resume.slices : undefined;
  let ids = 0;
  const initial: Slice[] = resumed
    ? resumed.map((s) => ({ id: ids++, window: { start: s.start, end: s.end }, after: s.after, splittable: false }))
    : [{ id: ids++, window, splittable: width > 1 }];

  /** Unfinished slices in time order (the resume token), by id. */
  const todo = new Map<number, SliceToken>(initial.map((s) => [s.id, { start: s.window.start, end: s.window.end, ...(s.after && { after: s.after }) }]));
  const token = (): SlicesResume | undefined => (todo.size === 0 ? undefined : { slices: [...todo.values()].map((t) => ({ ...t })) });
  const queue: Slice[] = [...initial];
  let active = 0;
  let splits = 0;
  /** Pages per slice above which a slice is cut again; set from the first page of the window. */
  let target = Infinity;
  /** Records the read reaches (progress): the whole window's total_count, or the resumed slices' together. */
  let total = 0;

  // ---- the hand-off: pages of every chain into one bounded buffer (a page a chain) ------------
  const buffer: SearchPage[] = [];
  const cap = () => Math.max(1, active);
  let stopped = false;
  let failure: { error: unknown } | undefined;
  let wakeConsumer: (() => void) | undefined;
  let wakeWorkers: Array<() => void> = [];
  const wakeAll = () => {
    const w = wakeWorkers;
    wakeWorkers = [];
    for (const f of w) f();
    wakeConsumer?.();
  };
  const idle = () => new Promise<void>((r) => wakeWorkers.push(r));

  /** Hands a page on: the token is taken now, so it covers this page and every one before it. */
  const emit = async (s: Slice, page: PageResult) => {
    while (buffer.length >= cap() && !stopped) await idle();
    if (stopped) return;
    if (page.next) todo.get(s.id)!.after = afterOf(page.next);
    else todo.delete(s.id);
    buffer.push({ records: page.records as Row[], resume: token() });
    wakeConsumer?.();
  };

  /** Replaces `s` by its parts in the token and the queue (newest first: recent data is dense). */
  const replace = (s: Slice, parts: Window[]) => {
    const entries = [...todo.entries()];
    todo.clear();
    const fresh = parts.map((w) => ({ id: ids++, window: w, splittable: true }));
    for (const [id, t] of entries) {
      if (id !== s.id) todo.set(id, t);
      else for (const f of fresh) todo.set(f.id, { start: f.window.start, end: f.window.end });
    }
    queue.unshift(...fresh.reverse());
  };

  const read = async (s: Slice) => {
    const first = sliceRequest(spec, s.window, ctx.timezone);
    const resume = s.after === undefined ? undefined : sliceRequest(spec, s.window, ctx.timezone, s.after);
    const it = paginate(ctx.client, first, 'cursor_body', { recordsKey: spec.recordsKey, resume })[Symbol.asyncIterator]();
    try {
      let r = await it.next();
      // the window's first page counts every record of the read (its parts are within it); a
      // resumed read does not split, so its slices' own totals add up
      const count = r.done ? undefined : envelope(first, r.value.body).total_count;
      if (typeof count === 'number' && (resumed || s.id === 0)) {
        total += count;
        ctx.total?.(total);
      }
      if (!r.done && s.splittable && !stopped) {
        const pages = typeof count === 'number' ? Math.ceil(count / MAX_PER_PAGE) : 0;
        let parts: Window[] = [];
        if (s.id === 0) {
          // the whole window: one chain when small, else up to `slices` parts (≥ MIN_SLICE_PAGES
          // pages each) of equal time; the parts that turn out big are cut again by size
          if (pages >= 2 * MIN_SLICE_PAGES) {
            target = Math.max(MIN_SLICE_PAGES, Math.ceil(pages / width));
            parts = cut(s.window, rootPoints(s.window, r.value.records as Row[], Math.min(width, Math.ceil(pages / MIN_SLICE_PAGES)), spec, ctx.timezone));
          }
        } else if (pages > 2 * target && splits < MAX_SPLITS) {
          parts = cut(s.window, splitPoints(s.window, Math.min(2 * width, Math.ceil(pages / target)), spec.granularity, ctx.timezone));
          if (parts.length > 1) splits++;
        }
        if (parts.length > 1) {
          ctx.count('search_slices', parts.length - 1);
          replace(s, parts);
          return; // the page read is discarded: its records are read again by the parts
        }
      }
      while (!r.done && !stopped) {
        await emit(s, r.value);
        r = await it.next();
      }
    } finally {
      await it.return?.();
    }
  };

  const worker = async () => {
    while (!stopped) {
      if (queue.length === 0) {
        if (active === 0) return;
        await idle(); // a slice being read may still be cut into parts
        continue;
      }
      if (active >= pace.chains) {
        await idle(); // the chains open keep the consumer busy: woken as pages are used
        continue;
      }
      const s = queue.shift()!;
      active++;
      if (active > peak) {
        ctx.count('search_chains', active - peak);
        peak = active;
      }
      try {
        await read(s);
      } finally {
        active--;
        wakeAll();
      }
    }
  };

  // the first failure stops every chain (each finishes its request in flight and closes)
  let finished = false;
  const workers = Promise.all(
    Array.from({ length: width }, () =>
      worker().catch((error: unknown) => {
        failure ??= { error };
        stopped = true;
        wakeAll();
      }),
    ),
  ).finally(() => {
    finished = true;
    wakeAll();
  });
  try {
    for (;;) {
      const page = buffer.shift();
      if (page) {
        wakeAll();
        yield page;
        continue;
      }
      // a failure surfaces after the pages read before it (so they checkpoint)
      if (failure) throw failure.error;
      if (finished) return;
      // waiting for a page: the pace is looked at every interval, so chains open while the
      // first slow pages are on their way, not only as pages come
      const t0 = performance.now();
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((r) => {
        wakeConsumer = r;
        timer = setTimeout(r, pace.interval * 1000);
      });
      clearTimeout(timer);
      wakeConsumer = undefined;
      pace.starved((performance.now() - t0) / 1000);
      if (queue.length > 0 && active < pace.chains) wakeAll();
    }
  } finally {
    stopped = true;
    wakeAll();
    await workers;
  }
}
