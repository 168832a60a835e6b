/**
 * Snowflake connection config -> snowflake-sdk connection options. The fields match
 * config's SnowflakeConnection (connections.yml / `snowflake://` URIs), so a parsed
 * connection can be passed as is.
 */
import type { ConnectionOptions } from 'snowflake-sdk';

/** A Snowflake account; exactly one of password, privateKey, privateKeyPath authenticates. */
export interface SnowflakeOptions {
  /** Account identifier without `.snowflakecomputing.com` (e.g. `xy12345.eu-central-1`). */
  account: string;
  username: string;
  password?: string;
  /** PEM text of a PKCS#8 private key (key-pair JWT authentication). */
  privateKey?: string;
  /** Path of a PKCS#8 PEM file (key-pair JWT authentication). */
  privateKeyPath?: string;
  /** Passphrase of an encrypted private key. */
  privateKeyPass?: string;
  /** Database, resolved by Snowflake's usual rules (unquoted: case-insensitive). */
  database: string;
  /** Schema of `_elt_state`/`_elt_loads`, the staging tables and the file stage (default 'intercom', quoted). */
  schema?: string;
  warehouse?: string;
  role?: string;
  /** Replaces the account's URL (tests: a fake Snowflake on loopback, `http://127.0.0.1:PORT`). */
  accessUrl?: string;
  /** Folder for the Parquet file of a batch between writing and PUT (default: the OS temp folder). */
  tmpDir?: string;
  /**
   * Lease of a run's lock on its asset, in seconds (default 600): renewed at each checkpoint
   * and while staging; a run killed without releasing it blocks the asset until it expires.
   */
  lockLeaseSeconds?: number;
}

/** Default lease of the asset lock: long against a checkpoint interval (30 s), short against a day. */
export const DEFAULT_LEASE_SECONDS = 600;

/** The snowflake-sdk options of a connection; throws a message naming the field, never a secret. */
export function sdkOptions(o: SnowflakeOptions): ConnectionOptions {
  const auth = [o.password, o.privateKey, o.privateKeyPath].filter((v) => v !== undefined && v !== '').length;
  if (auth !== 1) throw new Error('exactly one of password, private_key, private_key_path must be set');
  const opts: ConnectionOptions = {
    account: o.account,
    username: o.username,
    database: o.database,
    // the session's schema is not set: every statement names its schema, quoted
    application: 'intercom-elt',
    // a long backfill keeps one session for hours between checkpoints
    clientSessionKeepAlive: true,
  };
  if (o.warehouse) opts.warehouse = o.warehouse;
  if (o.role) opts.role = o.role;
  if (o.accessUrl) opts.accessUrl = o.accessUrl;
  if (o.password) opts.password = o.password;
  else {
    opts.authenticator = 'SNOWFLAKE_JWT';
    if (o.privateKey) opts.privateKey = o.privateKey;
    if (o.privateKeyPath) opts.privateKeyPath = o.privateKeyPath;
    if (o.privateKeyPass) opts.privateKeyPass = o.privateKeyPass;
  }
  return opts;
}
