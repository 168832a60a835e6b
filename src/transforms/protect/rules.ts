/**
 * An asset's protection rules (issue #9) checked against its table and the mask kinds: the rules
 * as config read them from the file (`asset.protection`, src/config/protect.ts) become rules per
 * destination table, or a one-line ConfigError naming the field.
 *
 * A rule names a column (`email`), a path inside a JSON column (`custom_attributes.ssn`), or a
 * child table's column (`conversation_parts.body`, when the asset's table feeds that child).
 */
import { maskSalt, ruleError, MASK_SALT_ENV, type AssetConfig, type ColumnRule, type RulePlace } from '../../config/index.js';
import { closest } from '../../core/suggest.js';
import { MASKS, MASK_KINDS, maskKind, maskKindList, type MaskKind } from './masks.js';
import type { TransformTable } from '../types.js';

export { MASK_SALT_ENV };

/** The rules of one destination table (the asset's table or one of its child tables). */
export interface TableRules {
  /** `select_columns` paths, or undefined to keep every column. */
  select?: string[][];
  excludes: string[][];
  masks: Array<{ path: string[]; kind: MaskKind }>;
  /** Columns no rule may drop or change: primary key, incremental key, parent key. */
  keep: string[];
}

/** Every rule of an asset, by destination table key. */
export interface Protection {
  tables: Map<string, TableRules>;
  salt?: string;
}

const show = (v: unknown): string => JSON.stringify(String(v).length > 80 ? `${String(v).slice(0, 77)}...` : String(v));

/** The kind a mask rule names; a ConfigError listing the kinds otherwise. */
function kindOf(file: string, rule: ColumnRule): MaskKind {
  const text = rule.mask ?? '';
  const kind = maskKind(text);
  if (kind !== undefined) return kind;
  const hit = closest(text.trim(), MASK_KINDS);
  throw ruleError(file, rule, `unknown mask ${show(text)}${hit ? `; did you mean "${hit}"?` : ''} (use ${maskKindList()})`);
}

/** The mask kinds that need a salt, for messages. */
function saltKinds(): string {
  return MASK_KINDS.filter((k) => MASKS[k].needsSalt).join(' or ');
}

/**
 * The asset's rules, or undefined when it has none. `table` is the asset's Intercom table (its
 * keys and child tables); `env` holds the salt's variables. Throws ConfigError on a bad rule.
 */
export function parseProtection(asset: AssetConfig, table: TransformTable, env: NodeJS.ProcessEnv): Protection | undefined {
  const config = asset.protection;
  if (config === undefined) return undefined;
  const main = asset.sourceTable;
  const tables = new Map<string, TableRules>();
  tables.set(main, { excludes: [], masks: [], keep: [...asset.primaryKey, ...[asset.incrementalKey ?? table.incrementalKey].filter((k): k is string => !!k)] });
  for (const c of table.children ?? []) tables.set(c.name, { excludes: [], masks: [], keep: [...c.primaryKey, ...c.parentKey] });

  /**
   * The tables and paths a rule reaches. A first segment naming a child table targets that
   * child; it also reaches a same-named field of the parent, should the parent carry one
   * (excluding or masking more is the safe side of the ambiguity).
   */
  const targets = (segs: string[], forSelect: boolean): Array<[string, string[]]> => {
    if (segs.length >= 2 && segs[0] !== main && tables.has(segs[0]!)) {
      const child: [string, string[]] = [segs[0]!, segs.slice(1)];
      return forSelect ? [child] : [child, [main, segs]];
    }
    return [[main, segs]];
  };

  let saltAt: { rule: RulePlace; kind: MaskKind } | undefined;
  for (const rule of config.columns) {
    const kind = rule.key === 'mask' ? kindOf(asset.file, rule) : undefined;
    for (const [name, path] of targets(rule.path, false)) {
      const rules = tables.get(name)!;
      if (path.length === 1 && rules.keep.includes(path[0]!)) {
        const what = name === main ? `the ${asset.primaryKey.includes(path[0]!) ? 'primary' : 'incremental'} key` : `a key of ${name}`;
        throw ruleError(asset.file, rule, `cannot ${rule.key} ${show(path[0])}: it is ${what} (merges and cursors need it as it is)`);
      }
      if (kind === undefined) rules.excludes.push(path);
      else rules.masks.push({ path, kind });
    }
    if (kind !== undefined && MASKS[kind].needsSalt) saltAt ??= { rule, kind };
  }
  for (const segs of config.select ?? []) {
    for (const [name, path] of targets(segs, true)) (tables.get(name)!.select ??= []).push(path);
  }

  if (config.maskSalt !== undefined && saltAt === undefined) {
    // a salt nothing uses is a mistake (a mask that was meant to be hash), never silently dropped
    throw ruleError(asset.file, 'salt', `no column uses a mask that needs it (${saltKinds()}); remove it or mask a column with ${saltKinds()}`);
  }
  const out: Protection = { tables };
  const salt = maskSalt(asset.file, config, env);
  if (salt !== undefined) out.salt = salt;
  if (saltAt !== undefined && !out.salt) {
    // Unsalted SHA-256 of an email or phone is reversed by hashing a list of candidates; and a salt
    // added later changes every hash (breaking joins with older rows), so decide before the first load.
    throw ruleError(asset.file, saltAt.rule, `mask ${saltAt.kind} needs a salt: set the ${MASK_SALT_ENV} environment variable or parameters.mask_salt`);
  }
  return out;
}
