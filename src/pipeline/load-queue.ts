/**
 * Everything one asset run writes to its destination, in order, behind the page loop: batches,
 * soft deletes and checkpoint commits run one after another on one chain while the next pages are
 * fetched, so a commit (seconds on a big DuckDB table) does not stop the fetching. What goes into
 * a write or a checkpoint is fixed when it is queued. At most one checkpoint waits in the queue,
 * and the batches queued but not yet written hold at most `maxQueuedBytes` of Arrow buffers before
 * the page loop waits (`room`): a commit that takes seconds no longer lets the batches read
 * meanwhile pile up (measured at 1M contacts: up to ~150 MB of them behind a DuckDB commit,
 * issue 19). The first failure skips everything queued
 * after it; the page loop sees it at its next page (`throwIfFailed`), or `drain` throws it.
 */
import type { SoftDeletes } from '../core/schema.js';
import type { AssetState, LoadSummary, RunWriter } from '../destinations/types.js';
import type { TableBatch } from './batches.js';

/** 64 MiB: about two 10,000-row contact batches (~30 MB of Arrow each). */
export const DEFAULT_MAX_QUEUED_BYTES = 64 * 1024 * 1024;

export interface LoadQueueOptions {
  /** A checkpoint is due every `checkpointPages` pages or every `checkpointMs`, whichever comes first. */
  checkpointPages: number;
  checkpointMs: number;
  /** Arrow bytes queued and not yet written above which the page loop waits (default 64 MiB). */
  maxQueuedBytes?: number;
  /** After a checkpoint committed: how long its commit took, and how long it waited behind earlier writes. */
  onCheckpoint?: (c: { rows: number; pages: number; commitSeconds: number; queuedSeconds: number }) => void;
}

export interface Checkpoint {
  /** Committed with the rows, in the same transaction. */
  state: AssetState;
  /** The asset's rows and pages read up to this checkpoint. */
  rows: number;
  pages: number;
  /** What is built but not yet queued: it goes before this checkpoint (taken once the previous one committed). */
  batches: () => Iterable<TableBatch>;
}

export class LoadQueue {
  /** Rows (of the asset's main table) committed by this run's checkpoints, and how many checkpoints committed. */
  readonly committed = { rows: 0, checkpoints: 0 };
  private chain: Promise<void> = Promise.resolve();
  private failure: { error: unknown } | undefined;
  /** The last checkpoint queued (settled once it committed). */
  private checkpointQueued: Promise<void> | undefined;
  private pagesSinceCheckpoint = 0;
  private lastCheckpoint = Date.now();
  /** Arrow bytes of the batches queued and not yet written (or skipped). */
  private queuedBytes = 0;
  private roomWaiters: Array<() => void> = [];

  constructor(
    private readonly writer: RunWriter,
    private readonly o: LoadQueueOptions,
  ) {}

  write(b: TableBatch): void {
    const bytes = b.batch.data.byteLength;
    this.queuedBytes += bytes;
    const written = () => {
      this.queuedBytes -= bytes;
      if (this.hasRoom()) for (const wake of this.roomWaiters.splice(0)) wake();
    };
    this.queue(() => this.writer.write(b.key, b.batch, b.parents)).then(written, written);
  }

  /** Resolves once the batches queued hold at most `maxQueuedBytes` (or a write failed: the page loop then stops). */
  room(): Promise<void> {
    return this.hasRoom() ? Promise.resolve() : new Promise((r) => this.roomWaiters.push(r));
  }

  markDeleted(key: string, deletes: SoftDeletes): void {
    void this.queue(() => this.writer.markDeleted(key, deletes));
  }

  /** The first failure of the queued work, thrown: the page loop stops at its next page. */
  throwIfFailed(): void {
    if (this.failure) throw this.failure.error;
  }

  /** A page was read (its rows and deletes queued or building). */
  pageRead(): void {
    this.pagesSinceCheckpoint++;
  }

  /** `checkpointPages` pages read, or `checkpointMs` passed, since the last checkpoint. */
  checkpointDue(): boolean {
    return this.pagesSinceCheckpoint >= this.o.checkpointPages || Date.now() - this.lastCheckpoint >= this.o.checkpointMs;
  }

  /** Pages read since the last checkpoint, and nothing failed: a checkpoint can still commit them. */
  hasPagesToCommit(): boolean {
    return !this.failure && this.pagesSinceCheckpoint > 0;
  }

  /**
   * Queue a checkpoint. The previous checkpoint must be committed before another is queued
   * (bounded memory): this waits for it (and throws its failure); `wait`: also for this one.
   */
  async checkpoint(c: Checkpoint, wait: boolean): Promise<void> {
    if (this.checkpointQueued) await this.checkpointQueued;
    for (const b of c.batches()) this.write(b);
    const queuedAt = Date.now();
    this.checkpointQueued = this.queue(async () => {
      const t0 = Date.now();
      await this.writer.checkpoint(c.state);
      this.committed.rows = c.rows;
      this.committed.checkpoints++;
      this.o.onCheckpoint?.({ rows: c.rows, pages: c.pages, commitSeconds: (Date.now() - t0) / 1000, queuedSeconds: (t0 - queuedAt) / 1000 });
    });
    if (wait) await this.checkpointQueued;
    this.pagesSinceCheckpoint = 0;
    this.lastCheckpoint = Date.now();
  }

  /** Everything queued so far, done; throws the first failure. */
  drain(): Promise<void> {
    return this.chain;
  }

  /** Everything queued so far, done or skipped, failures ignored: nothing of it may still run when the run is aborted. */
  settle(): Promise<void> {
    return this.chain.catch(() => undefined);
  }

  /** The final commit (after `drain`): the last rows, replace swaps, `state` and the `_elt_loads` row, atomically. */
  finish(state: AssetState, summary: LoadSummary): Promise<void> {
    return this.writer.finish(state, summary);
  }

  /** Roll back what is not committed and record the failure in `_elt_loads`. */
  abort(summary: LoadSummary): Promise<void> {
    return this.writer.abort(summary);
  }

  private hasRoom(): boolean {
    return this.queuedBytes <= (this.o.maxQueuedBytes ?? DEFAULT_MAX_QUEUED_BYTES) || this.failure !== undefined;
  }

  private queue(op: () => Promise<void>): Promise<void> {
    this.chain = this.chain.then(op);
    // a failure stops the page loop at its next page (and every later op is skipped)
    this.chain.catch((error: unknown) => (this.failure ??= { error }));
    return this.chain;
  }
}
