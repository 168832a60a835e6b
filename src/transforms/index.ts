/**
 * Row transforms between extraction and Arrow: what an asset asks to change in the rows before
 * they reach the destination (column selection and masking, typed custom-attribute columns).
 * Applied in order, per destination table, before batches are built — so excluded values never
 * reach staging.
 */
import type { AssetConfig } from '../config/index.js';
import type { DestinationCapabilities } from '../destinations/types.js';
import type { ColumnDef, Row } from '../core/schema.js';
import type { TableSpec } from '../intercom/tables/spec.js';
import type { IntercomClient } from '../intercom/types.js';
import { protectionTransform } from './protect/index.js';
import { customAttributeTransform } from './custom-attributes.js';

/** One transform: may add/remove declared columns and rewrite rows of each destination table. */
export interface RowTransform {
  columns(tableKey: string, declared: ColumnDef[]): ColumnDef[];
  rows(tableKey: string, rows: Row[]): Row[];
  /** Counters for the run summary (e.g. typed values that did not fit). */
  counters?(): Record<string, number>;
}

export interface TransformContext {
  asset: AssetConfig;
  table: TableSpec;
  client: IntercomClient;
  apiVersion: string;
  capabilities: DestinationCapabilities;
}

/** The transforms an asset needs, in order: protection first, so typed columns never see excluded data. */
export async function buildTransforms(ctx: TransformContext): Promise<RowTransform[]> {
  const out: RowTransform[] = [];
  const protect = protectionTransform(ctx.asset);
  if (protect) out.push(protect);
  const typed = await customAttributeTransform(ctx);
  if (typed) out.push(typed);
  return out;
}
