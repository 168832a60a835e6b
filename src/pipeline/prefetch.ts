/**
 * Read ahead: pull up to `depth` items from an async source while the consumer works on the
 * current one, so Intercom (network, server time) and the destination (Arrow, SQL) overlap.
 * Memory stays bounded by `depth` pages. Errors surface in order, after the items before them.
 */
export async function* prefetch<T>(source: AsyncIterable<T>, depth: number): AsyncIterable<T> {
  if (depth <= 0) {
    yield* source;
    return;
  }
  const it = source[Symbol.asyncIterator]();
  const buffer: Array<Promise<IteratorResult<T>>> = [];
  let ended = false;
  const pull = () => {
    // chain pulls: an async generator must not be advanced concurrently
    const prev = buffer.length ? buffer[buffer.length - 1]! : Promise.resolve({ done: false, value: undefined as unknown as T });
    const next = prev.then((r) => (r.done ? r : it.next()));
    next.catch(() => undefined);
    buffer.push(next);
  };
  try {
    for (let i = 0; i < depth; i++) pull();
    for (;;) {
      const r = await buffer.shift()!;
      if (r.done) {
        ended = true;
        return;
      }
      pull();
      yield r.value;
    }
  } finally {
    if (!ended) {
      // let pulls in flight settle before closing the source
      await Promise.allSettled(buffer);
      await it.return?.();
    }
  }
}
