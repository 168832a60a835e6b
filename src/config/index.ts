export type {
  AssetConfig,
  DestinationConnection,
  DestinationType,
  DuckDbConnection,
  IntercomConnection,
  PostgresConnection,
  PostgresSslMode,
  Project,
  SnowflakeConnection,
  TableCatalog,
  UnavailableConnection,
} from './types.js';
export { loadConnections, parseConnections, DEFAULT_API_VERSION, DESTINATION_TYPES, MIN_API_VERSION, MAX_API_VERSION, REGIONS } from './connections.js';
export { COLUMN_CHECKS, type Check, type CheckValue, type ColumnCheck, type ColumnCheckName, type CustomCheck } from './checks.js';
export { loadAssets, parseAsset, reservedTableName, STRATEGIES } from './assets.js';
export { destinationConnection, findConfigFile, intercomConnection, loadProject, noProjectError, PROJECT_FILES } from './project.js';
export { parseDuration, parseStartDate } from './duration.js';
export { parseSourceUri, parseDestUri } from './uri.js';
export { interpolateString } from './interpolate.js';
export { readProtection, maskSalt, ruleError, MASK_SALT_ENV, type ColumnRule, type ProtectionConfig, type RulePlace } from './protect.js';
