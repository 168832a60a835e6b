/** The words the row transforms share: a transform, and what an asset's transforms are built from. */
import type { AssetConfig } from '../config/index.js';
import type { ColumnDef, Row } from '../core/schema.js';

/** One transform: may add/remove declared columns and rewrite rows of each destination table. */
export interface RowTransform {
  columns(tableKey: string, declared: ColumnDef[]): ColumnDef[];
  rows(tableKey: string, rows: Row[]): Row[];
  /** Counters for the run summary (e.g. typed values that did not fit). */
  counters?(): Record<string, number>;
}

/** A child table the asset's table feeds: its keys no rule may drop or change. */
export interface TransformChildTable {
  name: string;
  primaryKey: readonly string[];
  parentKey: readonly string[];
}

/** What the transforms need of the asset's Intercom table (an Intercom TableSpec has it). */
export interface TransformTable {
  name: string;
  /** Declared columns (typed custom-attribute columns never take their names). */
  columns: readonly ColumnDef[];
  incrementalKey?: string;
  children?: readonly TransformChildTable[];
}

/** The fields of a data attribute (or 2.16 conversation attribute) the typed columns read. */
export interface DataAttributeLike {
  name: string;
  data_type: string;
  custom?: boolean;
  archived?: boolean;
}

export interface TransformContext {
  asset: AssetConfig;
  table: TransformTable;
  /** Where `${VAR}` in `parameters.mask_salt` and INTERCOM_ELT_MASK_SALT are read. */
  env: NodeJS.ProcessEnv;
  /** The destination's longest identifier, in bytes (typed custom-attribute column names fit it). */
  maxIdentifierLength: number;
  /**
   * The table's data attributes as Intercom lists them, when the asset asks for typed
   * custom-attribute columns and its table has custom attributes; undefined otherwise.
   */
  customAttributes?: readonly DataAttributeLike[];
}
