/**
 * The one-shot (ingestr) flags `--mask col:kind`, `--exclude-columns a,b`, `--select-columns a,b`
 * as the `columns`/`raw`/`protection` of a synthetic asset, so they run through the same code as
 * asset files.
 */
import { readProtection, type AssetConfig } from '../../config/index.js';
import { ConfigError } from '../../core/errors.js';
import { maskKindList } from './masks.js';

/** The one-shot asset's file: named after a flag, so that its errors name flags (config/protect.ts). */
const ONE_SHOT_FILE = '--dest-table';

/** Flag values already split on commas. */
export function oneShotProtection(masks: string[], excludes: string[], selects: string[]): Pick<AssetConfig, 'columns' | 'raw' | 'protection'> {
  const columns: AssetConfig['columns'] = excludes.map((name) => ({ name, exclude: true }));
  for (const m of masks) {
    // ingestr's form, column:algorithm; split at the last ':' so a JSON key with ':' still works
    const at = m.lastIndexOf(':');
    if (at <= 0 || at === m.length - 1) throw new ConfigError('--mask', m, `expected column:kind, e.g. email:hash (kinds: ${maskKindList(', ')})`);
    const name = m.slice(0, at).trim();
    const prior = columns.find((c) => c.name === name);
    if (prior) throw new ConfigError('--mask', name, prior['exclude'] === true ? 'is also in --exclude-columns; use one' : 'is masked twice; give one kind');
    columns.push({ name, mask: m.slice(at + 1).trim() });
  }
  const parameters = selects.length > 0 ? { select_columns: selects } : {};
  return { columns, raw: selects.length > 0 ? { parameters } : {}, protection: readProtection(ONE_SHOT_FILE, columns, parameters) };
}
