/**
 * Records -> Arrow record batches, with schema evolution: a key that no declared column
 * names becomes a new column, typed from its first non-null value (`inferType`).
 */
import { RecordBatch, Schema, Struct, makeData, type Data, type Field } from 'apache-arrow';
import type { ColumnDef, Row } from '../intercom/tables/spec.js';
import { constantTimestamp, constantUtf8, fillColumn, type Coercions } from './fill.js';
import { arrowField, inferType, LOAD_ID_COLUMN, LOADED_AT_COLUMN, METADATA_COLUMNS } from './types.js';

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
  private rows: Row[] = [];
  private readonly coerced: Coercions = { count: 0 };

  constructor(
    columns: readonly ColumnDef[],
    private readonly meta: BatchMeta,
  ) {
    for (const c of columns) {
      if (this.known.has(c.name)) continue;
      this.known.add(c.name);
      this.cols.push({ ...c });
    }
  }

  /** Declared + evolved columns, in batch order (without the metadata columns). */
  get columns(): ColumnDef[] {
    return this.cols.map((c) => ({ ...c }));
  }

  /** Rows buffered since the last flush. */
  get length(): number {
    return this.rows.length;
  }

  /** Values stored as NULL because they did not fit their column (lossless conversions are not counted). */
  get coercions(): number {
    return this.coerced.count;
  }

  add(rows: readonly Row[]): void {
    const known = this.known;
    for (const row of rows) {
      for (const key in row) {
        if (known.has(key)) continue;
        const value = row[key];
        // a key seen only as null cannot be typed yet; it is added when a value arrives
        if (value === null || value === undefined) continue;
        known.add(key);
        this.cols.push({ name: key, type: inferType(key, value) });
      }
      this.rows.push(row);
    }
  }

  /** The buffered rows as one batch (undefined when empty); resets the buffer. */
  flush(): RecordBatch | undefined {
    const rows = this.rows;
    if (rows.length === 0) return undefined;
    this.rows = [];
    const n = rows.length;
    const fields: Field[] = [];
    const children: Data[] = [];
    for (const c of this.cols) {
      fields.push(arrowField(c.name, c.type));
      children.push(fillColumn(c.type, rows, c.name, this.coerced));
    }
    fields.push(arrowField(LOADED_AT_COLUMN, 'timestamp'), arrowField(LOAD_ID_COLUMN, 'string'));
    children.push(constantTimestamp(n, this.meta.loadedAt), constantUtf8(n, this.meta.loadId));
    const schema = new Schema(fields);
    const data = makeData({ type: new Struct(fields), length: n, nullCount: 0, children });
    return new RecordBatch(schema, data);
  }
}
