/**
 * Reads an asset's protection rules (issue #9): `columns[].exclude`, `columns[].mask`,
 * `parameters.select_columns` and the hash salt, validated into one-line ConfigErrors.
 *
 * A rule names a column (`email`), a path inside a JSON column (`custom_attributes.ssn`), or a
 * child table's column (`conversation_parts.body`, when the asset's table feeds that child).
 */
import { interpolateString, type AssetConfig } from '../../config/index.js';
import { closest } from '../../core/suggest.js';
import { ConfigError } from '../../core/errors.js';
import { getTable } from '../../intercom/tables/index.js';
import { MASK_KINDS, type MaskKind } from './masks.js';

/** Env var holding the hash salt when the asset sets no `parameters.mask_salt`. */
export const MASK_SALT_ENV = 'INTERCOM_ELT_MASK_SALT';

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

type Place = { kind: 'column'; index: number; key: 'exclude' | 'mask' } | { kind: 'select'; index: number } | { kind: 'salt' };

const show = (v: unknown): string => JSON.stringify(String(v).length > 80 ? `${String(v).slice(0, 77)}...` : String(v));

/**
 * Where an error points. The one-shot (ingestr) form builds its asset from flags and names its
 * file after a flag (`--dest-table`): its errors name the flag and the value instead.
 */
function errorAt(asset: AssetConfig, place: Place, problem: string): ConfigError {
  const oneShot = asset.file.startsWith('--');
  if (place.kind === 'salt') return new ConfigError(oneShot ? MASK_SALT_ENV : asset.file, oneShot ? 'value' : 'parameters.mask_salt', problem);
  if (place.kind === 'select') {
    const list = selectList(asset);
    return oneShot
      ? new ConfigError('--select-columns', String(list[place.index] ?? ''), problem)
      : new ConfigError(asset.file, `parameters.select_columns[${place.index}]`, problem);
  }
  if (oneShot) return new ConfigError(place.key === 'mask' ? '--mask' : '--exclude-columns', asset.columns[place.index]?.name ?? '', problem);
  return new ConfigError(asset.file, `columns[${place.index}].${place.key}`, problem);
}

function parameters(asset: AssetConfig): Record<string, unknown> {
  const p = asset.raw['parameters'];
  return typeof p === 'object' && p !== null && !Array.isArray(p) ? (p as Record<string, unknown>) : {};
}

function selectList(asset: AssetConfig): unknown[] {
  const v = parameters(asset)['select_columns'];
  if (v === undefined || v === null) return [];
  // ingestr habit: one comma-separated string
  if (typeof v === 'string') return v.split(',').map((s) => s.trim()).filter(Boolean);
  return Array.isArray(v) ? v : [v];
}

/** `a.b.c` -> ['a','b','c']; undefined when a segment is empty. */
function splitPath(s: string): string[] | undefined {
  const segs = s.trim().split('.');
  return segs.every((x) => x.trim() !== '') ? segs.map((x) => x.trim()) : undefined;
}

/** The asset's rules, or undefined when it has none. Throws ConfigError on a bad rule. */
export function parseProtection(asset: AssetConfig, env: NodeJS.ProcessEnv = process.env): Protection | undefined {
  const spec = getTable(asset.sourceTable);
  const main = asset.sourceTable;
  const tables = new Map<string, TableRules>();
  tables.set(main, { excludes: [], masks: [], keep: [...asset.primaryKey, ...[asset.incrementalKey ?? spec?.incrementalKey].filter((k): k is string => !!k)] });
  for (const c of spec?.children ?? []) tables.set(c.name, { excludes: [], masks: [], keep: [...c.primaryKey, ...c.parentKey] });

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

  let any = false;
  let hashAt: Place | undefined;
  asset.columns.forEach((col, index) => {
    const { exclude, mask } = col as { exclude?: unknown; mask?: unknown };
    if (exclude === undefined && mask === undefined) return;
    if (exclude !== undefined && typeof exclude !== 'boolean') {
      throw errorAt(asset, { kind: 'column', index, key: 'exclude' }, `must be true or false, got ${show(exclude)}`);
    }
    let kind: MaskKind | undefined;
    if (mask !== undefined && mask !== null) {
      const m = typeof mask === 'string' ? mask.trim().toLowerCase() : '';
      if (!(MASK_KINDS as readonly string[]).includes(m)) {
        const hit = typeof mask === 'string' ? closest(mask.trim(), MASK_KINDS) : undefined;
        throw errorAt(asset, { kind: 'column', index, key: 'mask' }, `unknown mask ${show(mask)}${hit ? `; did you mean "${hit}"?` : ''} (use hash, redact or partial)`);
      }
      kind = m as MaskKind;
    }
    if (exclude === true && kind !== undefined) {
      throw errorAt(asset, { kind: 'column', index, key: 'mask' }, `column ${show(col.name)} is excluded; set exclude or mask, not both`);
    }
    if (exclude !== true && kind === undefined) return;
    const key = exclude === true ? 'exclude' : 'mask';
    const place: Place = { kind: 'column', index, key };
    const segs = splitPath(col.name);
    if (!segs) throw errorAt(asset, place, `invalid column path ${show(col.name)}: use column or column.key.key`);
    for (const [table, path] of targets(segs, false)) {
      const rules = tables.get(table)!;
      if (path.length === 1 && rules.keep.includes(path[0]!)) {
        const what = table === main ? `the ${asset.primaryKey.includes(path[0]!) ? 'primary' : 'incremental'} key` : `a key of ${table}`;
        throw errorAt(asset, place, `cannot ${key} ${show(path[0])}: it is ${what} (merges and cursors need it as it is)`);
      }
      if (exclude === true) rules.excludes.push(path);
      else rules.masks.push({ path, kind: kind! });
    }
    if (kind === 'hash') hashAt ??= place;
    any = true;
  });

  const rawSelect = parameters(asset)['select_columns'];
  if (rawSelect !== undefined && rawSelect !== null) {
    if (typeof rawSelect !== 'string' && !Array.isArray(rawSelect)) {
      throw new ConfigError(asset.file, 'parameters.select_columns', 'must be a list of column names');
    }
    const list = selectList(asset);
    if (list.length === 0) throw new ConfigError(asset.file, 'parameters.select_columns', 'is empty; list the columns to keep or remove it');
    list.forEach((item, index) => {
      const segs = typeof item === 'string' ? splitPath(item) : undefined;
      if (!segs) throw errorAt(asset, { kind: 'select', index }, `must be a column name or column.key.key, got ${show(item)}`);
      for (const [table, path] of targets(segs, true)) (tables.get(table)!.select ??= []).push(path);
    });
    any = true;
  }
  if (!any) return undefined;

  const out: Protection = { tables };
  const salt = readSalt(asset, env);
  if (salt !== undefined) out.salt = salt;
  if (hashAt !== undefined && !out.salt) {
    // Unsalted SHA-256 of an email or phone is reversed by hashing a list of candidates; and a salt
    // added later changes every hash (breaking joins with older rows), so decide before the first load.
    throw errorAt(asset, hashAt, `mask hash needs a salt: set the ${MASK_SALT_ENV} environment variable or parameters.mask_salt`);
  }
  return out;
}

function readSalt(asset: AssetConfig, env: NodeJS.ProcessEnv): string | undefined {
  const given = parameters(asset)['mask_salt'];
  if (given !== undefined && given !== null) {
    // Never echo it: the salt is a secret.
    if (typeof given !== 'string') throw errorAt(asset, { kind: 'salt' }, 'must be a string, e.g. ${MY_SALT}');
    const v = interpolateString(given, env, asset.file, 'parameters.mask_salt');
    if (v === '') throw errorAt(asset, { kind: 'salt' }, 'is empty');
    return v;
  }
  const fromEnv = env[MASK_SALT_ENV];
  return fromEnv === undefined || fromEnv === '' ? undefined : fromEnv;
}
