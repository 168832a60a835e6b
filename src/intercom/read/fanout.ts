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
  /** Pages whose fetches may be in flight at once (memory bound), default 3. */
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
  const queue: Array<{ page: P; done: Promise<R[]> }> = [];
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
    // a failure surfaces when its page is awaited; never as an unhandled rejection meanwhile
    done.catch(() => undefined);
    queue.push({ page, done });
  };
  const it = pages[Symbol.asyncIterator]();
  let exhausted = false;
  // a source error waits until the pages read before it are delivered (so they checkpoint)
  let failure: { error: unknown } | undefined;
  try {
    for (;;) {
      while (!exhausted && queue.length < ahead) {
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
