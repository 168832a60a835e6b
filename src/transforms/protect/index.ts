/**
 * Column selection, exclusion and masking per asset (issue #9). Runs first among the row
 * transforms, before Arrow batches are built: an excluded or masked value never reaches a
 * batch, a staging table, a JSON column or a typed custom-attribute column.
 *
 * Order per row: select (keep only the listed columns/paths plus the keys), then exclude, then
 * masks (paths inside a column before the column itself).
 */
import type { AssetConfig } from '../../config/index.js';
import type { ColumnDef, Row } from '../../core/schema.js';
import { MASKS } from './masks.js';
import { mapAt, project, removeAt } from './paths.js';
import { parseProtection, type TableRules } from './rules.js';
import type { RowTransform, TransformTable } from '../types.js';

export { parseProtection, MASK_SALT_ENV, type Protection, type TableRules } from './rules.js';
export { hashValue, partialValue, MASKS, MASK_KINDS, type Mask, type MaskKind } from './masks.js';

interface TablePlan {
  columns(declared: ColumnDef[]): ColumnDef[];
  row(r: Row): Row;
}

function plan(rules: TableRules, salt: string | undefined): TablePlan {
  // select: whole columns, and columns of which only some JSON paths are kept
  const whole = rules.select && new Set([...rules.keep, ...rules.select.filter((p) => p.length === 1).map((p) => p[0]!)]);
  const partial = new Map<string, string[][]>();
  for (const p of rules.select ?? []) {
    if (p.length > 1 && !whole!.has(p[0]!)) partial.set(p[0]!, [...(partial.get(p[0]!) ?? []), p.slice(1)]);
  }
  const dropped = new Set(rules.excludes.filter((p) => p.length === 1).map((p) => p[0]!));
  const removals = rules.excludes.filter((p) => p.length > 1);
  const masks = rules.masks
    .map((m) => ({ col: m.path[0]!, rest: m.path.slice(1), kind: m.kind, fn: MASKS[m.kind].apply(salt ?? '') }))
    // paths inside a column first: masking `custom_attributes.ssn` after hashing `custom_attributes` would find nothing
    .sort((a, b) => b.rest.length - a.rest.length);
  const retyped = new Set(masks.filter((m) => m.rest.length === 0 && !MASKS[m.kind].keepsType).map((m) => m.col));

  return {
    columns(declared) {
      return declared
        .filter((c) => !dropped.has(c.name) && (!whole || whole.has(c.name) || partial.has(c.name)))
        .map((c) => (retyped.has(c.name) ? { ...c, type: 'string' as const } : c));
    },
    row(r) {
      let out: Row;
      if (whole) {
        out = {};
        for (const key of Object.keys(r)) {
          if (whole.has(key)) out[key] = r[key];
          else if (partial.has(key)) out[key] = r[key] === null || r[key] === undefined ? r[key] : project(r[key], partial.get(key)!);
        }
      } else {
        out = { ...r };
      }
      for (const col of dropped) delete out[col];
      for (const p of removals) if (p[0]! in out) out[p[0]!] = removeAt(out[p[0]!], p.slice(1));
      for (const m of masks) {
        if (!(m.col in out)) continue;
        out[m.col] = m.rest.length === 0 ? m.fn(out[m.col]) : mapAt(out[m.col], m.rest, m.fn);
      }
      return out;
    },
  };
}

/**
 * The asset's protection as a row transform, or undefined when the asset sets no rule. `table` is
 * the asset's Intercom table, `env` holds the salt's variables. Throws ConfigError on a bad rule
 * (callers validate early by calling it before a run).
 */
export function protectionTransform(asset: AssetConfig, table: TransformTable, env: NodeJS.ProcessEnv): RowTransform | undefined {
  const p = parseProtection(asset, table, env);
  if (!p) return undefined;
  const plans = new Map<string, TablePlan>();
  for (const [key, rules] of p.tables) {
    if (rules.select || rules.excludes.length > 0 || rules.masks.length > 0) plans.set(key, plan(rules, p.salt));
  }
  return {
    columns: (key, declared) => plans.get(key)?.columns(declared) ?? declared,
    rows: (key, rows) => {
      const pl = plans.get(key);
      return pl ? rows.map((r) => pl.row(r)) : rows;
    },
  };
}
