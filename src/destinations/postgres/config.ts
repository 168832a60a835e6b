/** Postgres connection options, the mapping from `connections.yml`, TLS modes, and secret scrubbing. */
import type { ConnectionOptions } from 'node:tls';
import type { PostgresConnection, PostgresSslMode } from '../../config/index.js';

/** How to reach the server and where to write. */
export interface PostgresOptions {
  host: string;
  port?: number;
  database: string;
  user: string;
  password?: string;
  /** libpq's sslmode (default 'prefer': TLS when the server offers it). */
  sslMode?: PostgresSslMode;
  /** Schema of `_elt_state` and `_elt_loads` (default 'intercom'). */
  schema?: string;
  /**
   * How long a run waits for another run of the same asset to finish before failing
   * (default 0: fail at once with "another run of <asset> holds the lock").
   */
  lockWaitMs?: number;
  /** Connect timeout (default 15 s). */
  connectTimeoutMs?: number;
}

/** The subset of config's PostgresConnection we read (the registry passes the parsed connection). */
export type PostgresConnectionLike = Pick<PostgresConnection, 'host' | 'port' | 'database' | 'username' | 'password' | 'sslMode' | 'schema'>;

export function optionsFromConnection(conn: PostgresConnectionLike): PostgresOptions {
  return {
    host: conn.host,
    port: conn.port,
    database: conn.database,
    user: conn.username,
    password: conn.password,
    sslMode: conn.sslMode,
    schema: conn.schema,
  };
}

/**
 * node-postgres's `ssl` option for a libpq sslmode. 'prefer' starts with TLS (without
 * verification, as libpq) and the connector falls back to plain when the server has no TLS.
 */
export function sslOption(mode: PostgresSslMode): false | ConnectionOptions {
  switch (mode) {
    case 'disable':
      return false;
    case 'prefer':
    case 'require':
      return { rejectUnauthorized: false };
    case 'verify-ca':
      // the chain must verify; the host name need not match (libpq's verify-ca)
      return { rejectUnauthorized: true, checkServerIdentity: () => undefined };
    case 'verify-full':
      return { rejectUnauthorized: true };
  }
}

/**
 * Remove secrets from a driver message: the password wherever it appears, and the password of
 * any `scheme://user:password@` URI (node-postgres and TLS errors may quote a connection string).
 */
export function scrub(message: string, password: string | undefined): string {
  let out = message.replace(/([a-z][a-z0-9+.-]*:\/\/[^:/?#@\s]*:)[^@\s]*@/gi, '$1***@');
  if (password) out = out.split(password).join('***');
  return out;
}
