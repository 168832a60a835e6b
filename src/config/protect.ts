/**
 * An asset's protection keys (issue #9) as its file writes them: `columns[].exclude`,
 * `columns[].mask`, `parameters.select_columns` and `parameters.mask_salt`, checked for shape into
 * one-line ConfigErrors naming the file and field. What the rules mean — which mask kinds exist,
 * which columns no rule may touch, that a hash needs a salt — is checked where they are applied
 * (src/transforms/protect/), which knows the kinds and the table; its errors come from `ruleError`
 * here, so both name the field the same way.
 *
 * A rule names a column (`email`), a path inside a JSON column (`custom_attributes.ssn`), or a
 * child table's column (`conversation_parts.body`, when the asset's table feeds that child).
 */
import { ConfigError } from '../core/errors.js';
import { interpolateString } from './interpolate.js';
import { show } from './reader.js';

/** Env var holding the hash salt when the asset sets no `parameters.mask_salt`. */
export const MASK_SALT_ENV = 'INTERCOM_ELT_MASK_SALT';

/** One `columns[]` entry that excludes or masks. */
export interface ColumnRule {
  /** Its index in `columns:` (errors name `columns[index].<key>`). */
  index: number;
  /** The column or path as written. */
  name: string;
  /** `name` split at its dots. */
  path: string[];
  /** The key that sets the rule. */
  key: 'exclude' | 'mask';
  /** With `key: 'mask'`: the mask as written (a non-string value as its JSON text, never a kind); the transform checks the kind. */
  mask?: string;
}

/** The protection keys of one asset; absent from an asset that sets no rule. */
export interface ProtectionConfig {
  columns: ColumnRule[];
  /** `parameters.select_columns` as paths, in order; undefined keeps every column. */
  select?: string[][];
  /** `parameters.mask_salt` as written: its `${VAR}` is read by `maskSalt`, with the environment the caller passes. */
  maskSalt?: string;
}

/** Where a rule's error points (the salt: `parameters.mask_salt`). */
export type RulePlace = Pick<ColumnRule, 'index' | 'name' | 'key'> | { select: number; item: unknown } | 'salt';

/**
 * The error of a rule. The one-shot (ingestr) form builds its asset from flags and names its file
 * after a flag (`--dest-table`): its errors name the flag and the value instead.
 */
export function ruleError(file: string, place: RulePlace, problem: string): ConfigError {
  const oneShot = file.startsWith('--');
  if (place === 'salt') return new ConfigError(oneShot ? MASK_SALT_ENV : file, oneShot ? 'value' : 'parameters.mask_salt', problem);
  if ('select' in place) {
    return oneShot
      ? new ConfigError('--select-columns', String(place.item ?? ''), problem)
      : new ConfigError(file, `parameters.select_columns[${place.select}]`, problem);
  }
  if (oneShot) return new ConfigError(place.key === 'mask' ? '--mask' : '--exclude-columns', place.name, problem);
  return new ConfigError(file, `columns[${place.index}].${place.key}`, problem);
}

function selectList(v: unknown): unknown[] {
  if (v === undefined || v === null) return [];
  // ingestr habit: one comma-separated string
  if (typeof v === 'string')
    return v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  return Array.isArray(v) ? v : [v];
}

/** `a.b.c` -> ['a','b','c']; undefined when a segment is empty. */
function splitPath(s: string): string[] | undefined {
  const segs = s.trim().split('.');
  return segs.every((x) => x.trim() !== '') ? segs.map((x) => x.trim()) : undefined;
}

/**
 * The protection keys of an asset's `columns` and `parameters`, or undefined when it sets no rule
 * (a `mask_salt` without any rule is an error: nothing would use it). Throws ConfigError on a key
 * of the wrong shape.
 */
export function readProtection(
  file: string,
  columns: ReadonlyArray<{ name: string; [k: string]: unknown }>,
  parameters: Record<string, unknown>,
): ProtectionConfig | undefined {
  const rules: ColumnRule[] = [];
  columns.forEach((col, index) => {
    const { exclude, mask } = col as { exclude?: unknown; mask?: unknown };
    if (exclude === undefined && mask === undefined) return;
    if (exclude !== undefined && typeof exclude !== 'boolean') {
      throw ruleError(file, { index, name: col.name, key: 'exclude' }, `must be true or false, got ${show(exclude)}`);
    }
    const masked = mask !== undefined && mask !== null;
    if (exclude === true && masked) {
      throw ruleError(file, { index, name: col.name, key: 'mask' }, `column ${show(col.name)} is excluded; set exclude or mask, not both`);
    }
    if (exclude !== true && !masked) return;
    const rule: ColumnRule = { index, name: col.name, path: [], key: exclude === true ? 'exclude' : 'mask' };
    if (masked) rule.mask = typeof mask === 'string' ? mask : typeof mask === 'object' ? JSON.stringify(mask) : String(mask);
    const segs = splitPath(col.name);
    if (!segs) throw ruleError(file, rule, `invalid column path ${show(col.name)}: use column or column.key.key`);
    rule.path = segs;
    rules.push(rule);
  });

  let select: string[][] | undefined;
  const rawSelect = parameters['select_columns'];
  if (rawSelect !== undefined && rawSelect !== null) {
    if (typeof rawSelect !== 'string' && !Array.isArray(rawSelect)) {
      throw new ConfigError(file, 'parameters.select_columns', 'must be a list of column names');
    }
    const list = selectList(rawSelect);
    if (list.length === 0) throw new ConfigError(file, 'parameters.select_columns', 'is empty; list the columns to keep or remove it');
    select = list.map((item, index) => {
      const segs = typeof item === 'string' ? splitPath(item) : undefined;
      if (!segs) throw ruleError(file, { select: index, item }, `must be a column name or column.key.key, got ${show(item)}`);
      return segs;
    });
  }
  const givenSalt = parameters['mask_salt'];
  if (rules.length === 0 && select === undefined) {
    if (givenSalt !== undefined && givenSalt !== null) throw ruleError(file, 'salt', 'no column is masked; remove it or set mask: hash on a column');
    return undefined;
  }

  const out: ProtectionConfig = { columns: rules };
  if (select !== undefined) out.select = select;
  if (givenSalt !== undefined && givenSalt !== null) {
    // Never echo it: the salt is a secret.
    if (typeof givenSalt !== 'string') throw ruleError(file, 'salt', 'must be a string, e.g. ${MY_SALT}');
    out.maskSalt = givenSalt;
  }
  return out;
}

/**
 * The hash salt: `parameters.mask_salt` with its `${VAR}` read from `env`, else `env`'s
 * INTERCOM_ELT_MASK_SALT; undefined when neither is set. Throws ConfigError on an unset variable
 * or an empty salt.
 */
export function maskSalt(file: string, protection: ProtectionConfig, env: NodeJS.ProcessEnv): string | undefined {
  if (protection.maskSalt !== undefined) {
    const v = interpolateString(protection.maskSalt, env, file, 'parameters.mask_salt');
    if (v === '') throw ruleError(file, 'salt', 'is empty');
    return v;
  }
  const fromEnv = env[MASK_SALT_ENV];
  return fromEnv === undefined || fromEnv === '' ? undefined : fromEnv;
}
