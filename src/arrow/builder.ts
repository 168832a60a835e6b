/**
 * Records -> Arrow record batches, with schema evolution: a key that no declared column
 * names becomes a new column, typed from its first non-null value (`inferType`).
 *
 * Each `add` converts its rows into column pieces at once instead of holding the records
 * until `flush`: a parsed page then dies young (a cheap scavenge) rather than surviving ~70
 * pages into the old generation, and a buffered row costs its Arrow bytes (~3 KB for a
 * contact) instead of its JS objects (several times that). Measured on real contact pages:
 * GC time and peak RSS of an ingest both drop (docs/benchmarks.md, "DuckDB loading").
 */
import { RecordBatch, Schema, Struct, makeData, type Data, type Field } from 'apache-arrow';
import type { ColumnDef, Row } from '../core/schema.js';
import { concatPieces, type ColumnPieces } from './concat.js';
import { constantTimestamp, constantUtf8, fillColumn, type Coercions } from './fill.js';
import { LOAD_ID_COLUMN, LOADED_AT_COLUMN, METADATA_COLUMNS } from '../core/schema.js';
import { arrowField, inferType } from './types.js';

/** What every row of a batch carries besides its own columns. */
export interface BatchMeta {
  loadId: string;
  loadedAt: Date;
}

/**
 * Buffers rows and turns them into one RecordBatch per `flush()`. Columns: the declared
 * ones first, then evolved ones in first-seen order, then `_elt_loaded_at`, `_elt_load_id`.
 * Row keys named like the metadata columns are ignored (reserved).
 */
export class BatchBuilder {
  private readonly cols: ColumnDef[] = [];
  private readonly known = new Set<string>(METADATA_COLUMNS);
  /** Pieces of each column (same order as `cols`) since the last flush. */
  private pieces: ColumnPieces[] = [];
  private rows = 0;
  private readonly coerced: Coercions = { count: 0 };

  constructor(
    columns: readonly ColumnDef[],
    private readonly meta: BatchMeta,
  ) {
    for (const c of columns) {
      if (this.known.has(c.name)) continue;
      this.known.add(c.name);
      this.cols.push({ ...c });
      this.pieces.push({ type: c.type, nullRows: 0, pieces: [] });
    }
  }

  /** Declared + evolved columns, in batch order (without the metadata columns). */
  get columns(): ColumnDef[] {
    return this.cols.map((c) => ({ ...c }));
  }

  /** Rows buffered since the last flush. */
  get length(): number {
    return this.rows;
  }

  /** Values stored as NULL because they did not fit their column (lossless conversions are not counted). */
  get coercions(): number {
    return this.coerced.count;
  }

  add(rows: readonly Row[]): void {
    if (rows.length === 0) return;
    const known = this.known;
    for (const row of rows) {
      for (const key in row) {
        if (known.has(key)) continue;
        const value = row[key];
        // a key seen only as null cannot be typed yet; it is added when a value arrives
        if (value === null || value === undefined) continue;
        known.add(key);
        const type = inferType(key, value);
        this.cols.push({ name: key, type });
        // the rows buffered before this one never had the key: NULL
        this.pieces.push({ type, nullRows: this.rows, pieces: [] });
      }
    }
    for (let i = 0; i < this.cols.length; i++) {
      const c = this.cols[i]!;
      this.pieces[i]!.pieces.push(fillColumn(c.type, rows, c.name, this.coerced));
    }
    this.rows += rows.length;
  }

  /** The buffered rows as one batch (undefined when empty); resets the buffer. */
  flush(): RecordBatch | undefined {
    const n = this.rows;
    if (n === 0) return undefined;
    const pieces = this.pieces;
    this.rows = 0;
    this.pieces = this.cols.map((c) => ({ type: c.type, nullRows: 0, pieces: [] }));
    const fields: Field[] = [];
    const children: Data[] = [];
    for (let i = 0; i < this.cols.length; i++) {
      const c = this.cols[i]!;
      fields.push(arrowField(c.name, c.type));
      children.push(concatPieces(pieces[i]!, n));
    }
    fields.push(arrowField(LOADED_AT_COLUMN, 'timestamp'), arrowField(LOAD_ID_COLUMN, 'string'));
    children.push(constantTimestamp(n, this.meta.loadedAt), constantUtf8(n, this.meta.loadId));
    const schema = new Schema(fields);
    const data = makeData({ type: new Struct(fields), length: n, nullCount: 0, children });
    return new RecordBatch(schema, data);
  }
}
