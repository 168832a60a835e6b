/**
 * Row transforms between extraction and Arrow: what an asset asks to change in the rows before
 * they reach the destination (column selection and masking, typed custom-attribute columns).
 * Applied in order, per destination table, before batches are built — so excluded values never
 * reach staging.
 */
import { protectionTransform } from './protect/index.js';
import { customAttributeTransform } from './custom-attributes.js';
import type { RowTransform, TransformContext } from './types.js';

export type { DataAttributeLike, RowTransform, TransformChildTable, TransformContext, TransformTable } from './types.js';

/** The transforms an asset needs, in order: protection first, so typed columns never see excluded data. */
export function buildTransforms(ctx: TransformContext): RowTransform[] {
  const out: RowTransform[] = [];
  const protect = protectionTransform(ctx.asset, ctx.table, ctx.env);
  if (protect) out.push(protect);
  const typed = customAttributeTransform(ctx);
  if (typed) out.push(typed);
  return out;
}
