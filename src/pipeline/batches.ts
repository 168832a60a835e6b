/**
 * Rows -> Arrow batches for one asset run: a builder per destination table (the asset's own and
 * its child tables). A table's batch is taken when it holds `batchRows` rows, and at every
 * checkpoint and at the end; a child table's batch carries the parents it replaces.
 */
import { makeData, RecordBatch, Schema, Struct } from 'apache-arrow';
import { BatchBuilder, type BatchMeta } from '../arrow/index.js';
import { arrowField } from '../arrow/types.js';
import { EltError } from '../core/errors.js';
import type { Row } from '../core/schema.js';
import type { TableTarget } from '../destinations/types.js';

/** Parents whose rows in a child table are replaced as a set (delete by parent key, then insert). */
export interface ParentList {
  parentKey: string[];
  parents: unknown[][];
}

/** One batch for the destination table `key`, with the parents it replaces there. */
export interface TableBatch {
  key: string;
  batch: RecordBatch;
  parents?: ParentList;
}

export class Batches {
  private readonly builders: Map<string, BatchBuilder>;
  private readonly keys: Map<string, string[]>;
  /** Per table: the parents accumulated since its last batch. */
  private readonly pendingParents = new Map<string, ParentList>();

  /** `table`: the asset's table (its Intercom name), for errors. */
  constructor(
    private readonly table: string,
    targets: readonly TableTarget[],
    meta: BatchMeta,
    private readonly batchRows: number,
  ) {
    this.builders = new Map(targets.map((t) => [t.key, new BatchBuilder(t.columns, meta)]));
    this.keys = new Map(targets.map((t) => [t.key, t.primaryKey]));
  }

  /** Whether `key` is one of the run's destination tables. */
  has(key: string): boolean {
    return this.builders.has(key);
  }

  /** Rows (transformed) for the table `key`; every row must carry its primary key. */
  add(key: string, rows: readonly Row[]): void {
    const b = this.builders.get(key);
    if (!b) throw new EltError('internal', `table ${this.table} yielded rows for unknown table ${key}`);
    requireKeys(key, this.keys.get(key)!, rows);
    b.add(rows);
  }

  /** Parents whose rows in the table `key` the next batch of `key` replaces. */
  replaceChildren(key: string, r: ParentList): void {
    const p = this.pendingParents.get(key) ?? { parentKey: r.parentKey, parents: [] };
    p.parents.push(...r.parents);
    this.pendingParents.set(key, p);
  }

  /**
   * The batches to write now, in table order, their builders emptied: the tables holding
   * `batchRows` rows or more, or (`force`: at a checkpoint and at the end) every table with rows
   * or parents to replace.
   */
  take(force: boolean): TableBatch[] {
    const taken: TableBatch[] = [];
    for (const [key, b] of this.builders) {
      const parents = this.pendingParents.get(key);
      if (!force && b.length < this.batchRows) continue;
      // parents whose children all went away still need their old rows replaced: an empty
      // batch carries the parent list
      if (b.length === 0 && !parents?.parents.length) continue;
      const batch = b.flush() ?? emptyBatch(b.columns);
      this.pendingParents.delete(key);
      taken.push({ key, batch, parents });
    }
    return taken;
  }

  /** Values stored as NULL because they did not fit their column, over every table. */
  get coercions(): number {
    let n = 0;
    for (const b of this.builders.values()) n += b.coercions;
    return n;
  }
}

/** A batch with no rows and the builder's columns: carries a parent list to replace. */
function emptyBatch(columns: TableTarget['columns']): RecordBatch {
  const fields = columns.map((c) => arrowField(c.name, c.type));
  const children = fields.map((f) => makeData({ type: f.type, length: 0, nullCount: 0 }));
  return new RecordBatch(new Schema(fields), makeData({ type: new Struct(fields), length: 0, nullCount: 0, children }));
}

/**
 * A row without its primary key is never loaded (two would become one NULL-key row): the
 * pagination layer retries such pages; whatever still gets here fails the asset, the cursor kept.
 */
function requireKeys(table: string, key: readonly string[], rows: readonly Row[]): void {
  for (const row of rows) {
    for (const k of key) {
      const v = row[k];
      if (v === undefined || v === null || v === '') {
        throw new EltError('record_without_key', `${table}: a record without its primary key '${k}' cannot be a row; the asset stops with its cursor kept`);
      }
    }
  }
}
