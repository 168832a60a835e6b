/** An asset as `ingest` builds it from a minimal `<table>.asset.yml`: the table's defaults, overridable. */
import type { AssetConfig } from '../../src/config/index.js';
import { tableCatalog } from '../../src/intercom/tables/index.js';

export function assetConfig(table: string, overrides: Partial<AssetConfig> = {}): AssetConfig {
  const d = tableCatalog.defaults(table);
  if (!d) throw new Error(`unknown table ${table}`);
  return {
    name: `intercom.${table}`,
    schema: 'intercom',
    table,
    file: `${table}.asset.yml`,
    sourceConnection: 'intercom',
    sourceTable: table,
    destination: 'duckdb',
    strategy: d.strategy,
    primaryKey: d.primaryKey,
    incrementalKey: d.incrementalKey,
    tags: [],
    customAttributeColumns: false,
    columns: [],
    raw: {},
    ...overrides,
  };
}
