/**
 * Bounded, pipelined fan-out: one request per item (a conversation's parts, a company's segments)
 * across a stream of pages. Items of the next pages start as soon as slots free up, so the tail
 * of one page never idles the rate budget; at most `pagesAhead` pages are held in memory, and
 * pages come out in their original order (so checkpoints stay in order).
 */

/** A counting semaphore with FIFO hand-off. */
class Slots {
  private free: number;
  private readonly waiting: Array<() => void> = [];
  constructor(n: number) {
    this.free = Math.max(1, n);
  }
  async take(): Promise<void> {
    if (this.free > 0) {
      this.free--;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }
  give(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.free++;
  }
}

export interface FanOutOptions {
  concurrency: number;
  /** Pages whose fetches may be in flight at once (memory bound), default 3; more are read only while the oldest waits for its fetches. */
  pagesAhead?: number;
}

/**
 * For each source page, run `fetch` on each of its items with bounded concurrency and yield the
 * page with its results (same order as the items).
 */
export async function* fanOut<P extends { items: T[] }, T, R>(
  pages: AsyncIterable<P>,
  fetch: (item: T) => Promise<R>,
  o: FanOutOptions,
): AsyncIterable<{ page: P; results: R[] }> {
  const slots = new Slots(o.concurrency);
  const ahead = Math.max(1, o.pagesAhead ?? 3);
  const queue: Array<{ page: P; done: Promise<R[]>; settled: boolean }> = [];
  const start = (page: P) => {
    const all = page.items.map(async (item) => {
      await slots.take();
      try {
        return await fetch(item);
      } finally {
        slots.give();
      }
    });
    const done = Promise.all(all);
    const entry = { page, done, settled: all.length === 0 };
    // a failure surfaces when its page is awaited; never as an unhandled rejection meanwhile
    done.then(
      () => (entry.settled = true),
      () => (entry.settled = true),
    );
    queue.push(entry);
  };
  const it = pages[Symbol.asyncIterator]();
  let exhausted = false;
  // a source error waits until the pages read before it are delivered (so they checkpoint)
  let failure: { error: unknown } | undefined;
  try {
    for (;;) {
      // read ahead only while the oldest page waits for its fetches; one whose fetches are done
      // goes out at once. (Filling the queue first kept `pagesAhead` parsed pages alive behind the
      // consumer: 16 pages, ~2,500 contacts, at the default search_slices; V8 promoted nearly every
      // contact to its old generation.)
      while (!exhausted && queue.length < ahead && (queue.length === 0 || !queue[0]!.settled)) {
        try {
          const next = await it.next();
          if (next.done) exhausted = true;
          else start(next.value);
        } catch (error) {
          exhausted = true;
          failure = { error };
        }
      }
      const head = queue.shift();
      if (!head) {
        if (failure) throw failure.error;
        return;
      }
      yield { page: head.page, results: await head.done };
    }
  } finally {
    if (!exhausted) await it.return?.();
  }
}
