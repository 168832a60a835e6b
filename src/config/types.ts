/**
 * What the configuration loader hands the CLI and the pipeline: resolved connections and assets,
 * every default applied, every path absolute. Field names follow the code's camelCase; the YAML
 * keys (Bruin's snake_case) are documented in docs/configuration.md.
 */
import type { ConfigError } from '../core/errors.js';
import type { Check } from './checks.js';
import type { ColumnType, Region, Strategy } from '../core/schema.js';
import type { ProtectionConfig } from './protect.js';

/** One Intercom app (one access token): one rate budget, one region. */
export interface IntercomConnection {
  name: string;
  accessToken: string;
  region: Region;
  /** `Intercom-Version` header, "2.11" … "2.16". */
  apiVersion: string;
  /** Overrides the region host (the fake Intercom); no trailing slash. */
  baseUrl?: string;
  /** Cap of in-flight requests (default 256); the limiter sizes in-flight below it by Little's law. */
  concurrency?: number;
  /** Search slices read at once for contacts, conversations and tickets (pipeline default 16; 1 = one serial chain). */
  searchSlices?: number;
  /** Fraction of the per-window budget left for other apps, 0 … 0.9 (default 0). */
  headroom?: number;
  /** Attempts per request including the first (client default 6). */
  maxAttempts?: number;
  /** Default lookback for this connection's assets, seconds (an asset's own lookback wins). */
  lookbackSeconds?: number;
  /** Seconds to wait for a response's headers and then for each chunk of its body (default 60). */
  timeoutSeconds?: number;
  /** Seconds one request may take in all, from sending it to the last byte of its body (default 300). */
  requestTimeoutSeconds?: number;
}

/** An embedded DuckDB file. */
export interface DuckDbConnection {
  type: 'duckdb';
  name: string;
  /** Absolute path, or ':memory:'. */
  path: string;
}

export type PostgresSslMode = 'disable' | 'prefer' | 'require' | 'verify-ca' | 'verify-full';

/** A Postgres server. */
export interface PostgresConnection {
  type: 'postgres';
  name: string;
  host: string;
  port: number;
  database: string;
  username: string;
  password?: string;
  sslMode: PostgresSslMode;
  /** Default schema for assets whose name has none; undefined = the asset name's schema. */
  schema?: string;
  /** Bruin's `pool_max_conns`: most connections the loader may open. */
  poolMaxConns?: number;
}

/** A Snowflake account; exactly one of password, privateKeyPath, privateKey is set. */
export interface SnowflakeConnection {
  type: 'snowflake';
  name: string;
  /** Account identifier without `.snowflakecomputing.com` (e.g. `xy12345.eu-central-1`). */
  account: string;
  username: string;
  password?: string;
  /** Absolute path to a PKCS#8 PEM file. */
  privateKeyPath?: string;
  /** PEM text. */
  privateKey?: string;
  database: string;
  schema?: string;
  warehouse?: string;
  role?: string;
  /** Overrides `https://<account>.snowflakecomputing.com` (PrivateLink, a proxy); no trailing slash. */
  accessUrl?: string;
  /** How long a run's lock on an asset lasts unrenewed, so a killed run blocks others at most this long (default 600). */
  lockLeaseSeconds?: number;
}

export type DestinationConnection = DuckDbConnection | PostgresConnection | SnowflakeConnection;
export type DestinationType = DestinationConnection['type'];

/** The defaults an Intercom table declares; injected so config does not import the table registry. */
export interface TableCatalog {
  names(): string[];
  /** `columns`: the table's declared columns, when known (a primary key must be one of them). */
  defaults(
    name: string,
  ): { primaryKey: string[]; incrementalKey?: string; strategy: Strategy; columns?: string[]; columnTypes?: Record<string, ColumnType> } | undefined;
}

/** One asset (one destination table), with the table's defaults applied. */
export interface AssetConfig {
  /** `schema.table`. */
  name: string;
  schema: string;
  table: string;
  /** The asset file, as found under the assets folder. */
  file: string;
  /** Name of an IntercomConnection. */
  sourceConnection: string;
  /** Name in the TableCatalog (e.g. 'contacts'). */
  sourceTable: string;
  /** Name of a DestinationConnection. */
  destination: string;
  strategy: Strategy;
  primaryKey: string[];
  incrementalKey?: string;
  /** Unix seconds: the first run reads from here. */
  startDate?: number;
  lookbackSeconds?: number;
  tags: string[];
  customAttributeColumns: boolean;
  columns: Array<{ name: string; primaryKey?: boolean; [k: string]: unknown }>;
  /** Data checks run after the final commit (`columns[].checks`, `custom_checks`), in file order. */
  checks?: Check[];
  /** Column selection, exclusion and masking (`columns[].exclude|mask`, `parameters.select_columns|mask_salt`); absent when the asset sets none. */
  protection?: ProtectionConfig;
  /** The parsed YAML, as written. */
  raw: Record<string, unknown>;
}

/**
 * A connection of connections.yml whose `${VAR}` is not set: known by name and type (assets may
 * name it), an error only for a command that uses it (`list` needs no Intercom token).
 */
export interface UnavailableConnection {
  type: 'intercom' | DestinationType;
  name: string;
  /** `connections.yml: <field>: environment variable X is not set`. */
  error: ConfigError;
  /** The connection as read with the variable's value missing, without its secrets, when it could be read (never used to connect). */
  connection?: WithoutSecrets<IntercomConnection> | WithoutSecrets<DestinationConnection>;
}

/** Fields that hold secrets (never kept where they are not needed). */
export type SecretField = 'accessToken' | 'password' | 'privateKey';
export type WithoutSecrets<T> = T extends unknown ? Omit<T, SecretField> : never;

/** connections.yml (one environment) plus the assets folder. */
export interface Project {
  /** Absolute path of connections.yml. */
  configFile: string;
  environment: string;
  intercom: Map<string, IntercomConnection>;
  destinations: Map<string, DestinationConnection>;
  /** Connections not usable in this shell (an unset `${VAR}`), by name. */
  unavailable: Map<string, UnavailableConnection>;
  assets: AssetConfig[];
}
