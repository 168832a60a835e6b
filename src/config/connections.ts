/**
 * connections.yml: Bruin's layout (`environments.<env>.connections.<type>: [ … ]`) or a bare
 * top-level `connections:` (the `default` environment). Only the selected environment is expanded
 * and validated, so a missing production secret does not break a development run.
 */
import { homedir } from 'node:os';
import path from 'node:path';
import { parseDuration } from './duration.js';
import { ConfigError } from '../core/errors.js';
import { interpolateTree, unsetVariable, type UnsetVars, type VarsUsed } from './interpolate.js';
import { MapReader, fail, join, kind, show } from './reader.js';
import { closest, suggestion } from '../core/suggest.js';
import type {
  DestinationConnection,
  DuckDbConnection,
  IntercomConnection,
  PostgresConnection,
  PostgresSslMode,
  Project,
  SnowflakeConnection,
  SecretField,
  UnavailableConnection,
  WithoutSecrets,
} from './types.js';
import { readYamlFile } from './yaml.js';
import type { Region } from '../core/schema.js';

export const REGIONS: readonly Region[] = ['us', 'eu', 'au'];
export const DEFAULT_API_VERSION = '2.14';
/** Versions whose behaviour the tables are written and tested against (shared/intercom-api-notes.md §1.3). */
export const MIN_API_VERSION = '2.11';
export const MAX_API_VERSION = '2.16';
/** The cap of in-flight requests; the limiter sizes below it from latency and budget (Little's law). */
export const DEFAULT_CONCURRENCY = 256;
/**
 * Search slices read at once (contacts, conversations, tickets): contacts need ~13 search pages a
 * second to spend 166.7 requests/s (each page brings ~12 hydration requests), i.e. 13 chains at
 * 1,000 ms a page; 16 leaves room for the tail.
 */
export const DEFAULT_SEARCH_SLICES = 16;
export const SSL_MODES: readonly PostgresSslMode[] = ['disable', 'prefer', 'require', 'verify-ca', 'verify-full'];
/** The destination types connections.yml (and an asset's `destination:`) can name. */
export const DESTINATION_TYPES = ['duckdb', 'postgres', 'snowflake'] as const;
export const CONNECTION_TYPES = ['intercom', ...DESTINATION_TYPES] as const;

const TOP_KEYS = ['default_environment', 'environments', 'connections'];
/** The keys of an Intercom connection (intercom:// URIs take the same, without `name`). */
export const INTERCOM_KEYS = [
  'name',
  'access_token',
  'region',
  'api_version',
  'base_url',
  'concurrency',
  'search_slices',
  'headroom',
  'max_attempts',
  'lookback',
  'timeout_seconds',
  'request_timeout_seconds',
];
const DUCKDB_KEYS = ['name', 'path'];
const POSTGRES_KEYS = ['name', 'host', 'port', 'database', 'username', 'password', 'ssl_mode', 'schema', 'pool_max_conns'];
const SNOWFLAKE_KEYS = [
  'name',
  'account',
  'region',
  'username',
  'password',
  'private_key_path',
  'private_key',
  'database',
  'schema',
  'warehouse',
  'role',
  'access_url',
  'lock_lease_seconds',
];

type Connections = Pick<Project, 'configFile' | 'environment' | 'intercom' | 'destinations' | 'unavailable'>;
type ConnectionType = (typeof CONNECTION_TYPES)[number];
const isConnectionType = (t: string): t is ConnectionType => (CONNECTION_TYPES as readonly string[]).includes(t);

/** Read connections.yml; `environment` (CLI `-e`) overrides the file's `default_environment`. */
export async function loadConnections(file: string, opts: { environment?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Connections> {
  const doc = await readYamlFile(file);
  return parseConnections(doc, file, opts);
}

/** The parsed-YAML half of loadConnections (exported for tests and `init`). */
export function parseConnections(doc: unknown, file: string, opts: { environment?: string; env?: NodeJS.ProcessEnv } = {}): Connections {
  const env = opts.env ?? process.env;
  if (doc === null || doc === undefined) throw fail(file, '(file)', 'is empty: add "environments:" (Bruin layout) or a top-level "connections:"');
  const top = MapReader.of(doc, file, '', 'a mapping with "environments:" or "connections:"').allow(TOP_KEYS);

  let environment: string;
  let connsPath: string;
  let connsRaw: unknown;
  if (top.has('environments')) {
    if (top.has('connections')) throw top.error('connections', 'use either "environments:" or a top-level "connections:", not both');
    const envs = top.mapping('environments', 'a mapping of environment names')!;
    const names = Object.keys(envs.obj);
    environment = opts.environment ?? top.string('default_environment') ?? 'default';
    if (!names.includes(environment)) {
      const where = opts.environment === undefined && top.has('default_environment') ? 'default_environment' : 'environments';
      throw fail(file, where, `no environment ${show(environment)}${suggestion(environment, names)}`);
    }
    const envReader = envs.mapping(environment, 'an environment (a mapping with "connections:")');
    if (envReader === undefined) throw envs.error(environment, 'is empty: add "connections:"');
    envReader.allow(['connections']);
    connsPath = envReader.field('connections');
    connsRaw = envReader.get('connections');
    if (connsRaw === undefined) throw envReader.error('connections', 'is required');
  } else if (top.has('connections')) {
    if (top.has('default_environment')) throw top.error('default_environment', 'only applies with "environments:"');
    environment = opts.environment ?? 'default';
    if (environment !== 'default') {
      throw fail(file, 'connections', `no environment ${show(environment)}: a top-level "connections:" is the only environment, "default"`);
    }
    connsPath = 'connections';
    connsRaw = top.get('connections');
  } else {
    throw fail(file, '(top level)', 'has no connections: add "environments:" (Bruin layout) or a top-level "connections:"');
  }

  const used: VarsUsed = new Map();
  const conns = MapReader.of(connsRaw, file, connsPath, 'a mapping of connection types');
  const ctx: Ctx = { file, dir: path.dirname(path.resolve(file)), used };
  const intercom = new Map<string, IntercomConnection>();
  const destinations = new Map<string, DestinationConnection>();
  const seen = new Map<string, string>();
  const unavailable = new Map<string, UnavailableConnection>();

  for (const key of Object.keys(conns.obj)) {
    if (!isConnectionType(key)) {
      const type = key;
      // Other Bruin types (bigquery, slack, …) are skipped so a .bruin.yml works as is; a near miss is a typo.
      const near = closest(type, CONNECTION_TYPES);
      if (near !== undefined) throw conns.error(type, `unknown connection type; did you mean "${near}"?`);
      continue;
    }
    const type = key;
    // Expanded per supported type: a skipped type's variables need not be set. An unset variable
    // makes its connection unavailable (an error only for a command that uses it), not the file invalid.
    const unset: UnsetVars = new Map();
    const items = interpolateTree(conns.get(type) ?? [], env, file, conns.field(type), used, { placeholder: 'unset', fields: unset });
    if (!Array.isArray(items)) throw conns.error(type, `must be a list of connections (each starting with "- name:"), got ${kind(items)}`);
    items.forEach((item, i) => {
      const r = MapReader.of(item, file, join(conns.field(type), i), `a ${type} connection`);
      const unsetName = unset.get(r.field('name'));
      if (unsetName) throw unsetVariable(file, r.field('name'), unsetName[0]!);
      const name = r.requireString('name');
      const prior = seen.get(name);
      if (prior !== undefined) throw r.error('name', `duplicate connection name ${show(name)} (also ${prior})`);
      seen.set(name, r.path);
      const missing = [...unset].find(([field]) => field.startsWith(`${r.path}.`));
      let conn: IntercomConnection | DestinationConnection | undefined;
      try {
        conn = readConnection(type, r, name, ctx);
      } catch (err) {
        // a value made of the placeholder fails its own field: that field's variable is the problem
        if (!(missing && err instanceof ConfigError && unset.has(String(err.meta['field'])))) throw err;
      }
      if (missing)
        unavailable.set(name, { type, name, error: unsetVariable(file, missing[0], missing[1][0]!), ...(conn && { connection: withoutSecrets(conn) }) });
      else if (type === 'intercom') intercom.set(name, conn as IntercomConnection);
      else destinations.set(name, conn as DestinationConnection);
    });
  }
  return { configFile: path.resolve(file), environment, intercom, destinations, unavailable };
}

/** A connection without its secret fields (an unavailable one keeps only what assets need to know about it). */
function withoutSecrets<T extends IntercomConnection | DestinationConnection>(conn: T): WithoutSecrets<T> {
  const { accessToken: _t, password: _p, privateKey: _k, ...rest } = conn as T & Partial<Record<SecretField, string>>;
  return rest as WithoutSecrets<T>;
}

/** The reader of each connection type's entries (one per type: the compiler checks none is missing). */
const READERS: Record<ConnectionType, (r: MapReader, name: string, ctx: Ctx) => IntercomConnection | DestinationConnection> = {
  intercom: readIntercom,
  duckdb: readDuckDb,
  postgres: readPostgres,
  snowflake: readSnowflake,
};

function readConnection(type: ConnectionType, r: MapReader, name: string, ctx: Ctx): IntercomConnection | DestinationConnection {
  return READERS[type](r, name, ctx);
}

interface Ctx {
  file: string;
  /** Folder of connections.yml: relative paths resolve against it. */
  dir: string;
  used: VarsUsed;
}

/** "must not be empty", naming the variable when an empty ${VAR} produced it. */
function nonEmptySecret(r: MapReader, key: string, ctx: Ctx): string {
  const v = r.string(key);
  if (v === undefined) throw r.error(key, 'is required');
  if (v.trim() === '') {
    const vars = ctx.used.get(r.field(key));
    throw r.error(key, vars ? `must not be empty (environment variable ${vars.join(', ')} is empty)` : 'must not be empty');
  }
  return v;
}

function readIntercom(r: MapReader, name: string, ctx: Ctx): IntercomConnection {
  r.allow(INTERCOM_KEYS);
  const accessToken = nonEmptySecret(r, 'access_token', ctx).trim();
  if (/^bearer\s/i.test(accessToken)) throw r.error('access_token', 'remove the "Bearer " prefix: give the token only');
  if (/\s/.test(accessToken)) throw r.error('access_token', 'must not contain spaces or line breaks');
  const conn: IntercomConnection = {
    name,
    accessToken,
    region: r.choice('region', REGIONS) ?? 'us',
    apiVersion: readApiVersion(r.get('api_version'), r.file, r.field('api_version')),
    concurrency: r.number('concurrency', { min: 1, max: 256, integer: true }) ?? DEFAULT_CONCURRENCY,
    headroom: r.number('headroom', { min: 0, max: 0.9 }) ?? 0,
  };
  const baseUrl = r.optionalString('base_url');
  if (baseUrl !== undefined) conn.baseUrl = readBaseUrl(baseUrl, r.file, r.field('base_url'));
  const maxAttempts = r.number('max_attempts', { min: 1, max: 20, integer: true });
  if (maxAttempts !== undefined) conn.maxAttempts = maxAttempts;
  const slices = r.number('search_slices', { min: 1, max: 32, integer: true });
  if (slices !== undefined) conn.searchSlices = slices;
  const timeout = r.number('timeout_seconds', { min: 1, max: 3600 });
  if (timeout !== undefined) conn.timeoutSeconds = timeout;
  const deadline = r.number('request_timeout_seconds', { min: 1, max: 3600 });
  if (deadline !== undefined) conn.requestTimeoutSeconds = deadline;
  const lookback = r.get('lookback');
  if (lookback !== undefined) conn.lookbackSeconds = parseDuration(lookback as string | number, r.file, r.field('lookback'));
  return conn;
}

/** "2.11" … "2.16". An unquoted 2.14 (a YAML number) is accepted: every supported version survives String(). */
export function readApiVersion(v: unknown, file: string, field: string): string {
  if (v === undefined || v === null) return DEFAULT_API_VERSION;
  if (typeof v !== 'string' && typeof v !== 'number') throw fail(file, field, `must be a string like "2.14", got ${kind(v)}`);
  const text = String(v).trim();
  const m = /^(\d+)\.(\d+)$/.exec(text);
  const range = `supported: ${MIN_API_VERSION} to ${MAX_API_VERSION}`;
  if (!m) throw fail(file, field, `invalid API version ${show(text)}: use MAJOR.MINOR like "2.14" (${range})`);
  const asNumber = (s: string) => {
    const [a, b] = s.split('.').map(Number) as [number, number];
    return a * 1000 + b;
  };
  const n = Number(m[1]) * 1000 + Number(m[2]);
  if (n < asNumber(MIN_API_VERSION) || n > asNumber(MAX_API_VERSION)) {
    const hint = typeof v === 'number' ? ` (YAML read an unquoted number; quote it: "${v}")` : '';
    throw fail(file, field, `unsupported API version ${show(text)}${hint} (${range})`);
  }
  return `${Number(m[1])}.${Number(m[2])}`;
}

/** An http(s) URL without credentials, trailing slash removed. Not echoed: it could carry a userinfo part. */
export function readBaseUrl(v: string, file: string, field: string): string {
  let url: URL;
  try {
    url = new URL(v.trim());
  } catch {
    throw fail(file, field, 'must be an http(s) URL like http://127.0.0.1:8080');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw fail(file, field, `must be an http(s) URL, got scheme ${show(url.protocol)}`);
  if (url.username || url.password) throw fail(file, field, 'must not contain a user name or password');
  if (url.search || url.hash) throw fail(file, field, 'must not contain a query or fragment');
  return url.toString().replace(/\/+$/, '');
}

/** `~/x` is the home folder; a relative path resolves against `dir`; ':memory:' stays. */
export function resolvePath(p: string, dir: string): string {
  if (p === ':memory:') return p;
  if (p === '~' || p.startsWith('~/')) return path.join(homedir(), p.slice(1));
  return path.resolve(dir, p);
}

function readDuckDb(r: MapReader, name: string, ctx: Ctx): DuckDbConnection {
  r.allow(DUCKDB_KEYS);
  return { type: 'duckdb', name, path: resolvePath(r.requireString('path').trim(), ctx.dir) };
}

function readPostgres(r: MapReader, name: string): PostgresConnection {
  r.allow(POSTGRES_KEYS);
  const conn: PostgresConnection = {
    type: 'postgres',
    name,
    host: r.requireString('host').trim(),
    port: r.number('port', { min: 1, max: 65535, integer: true }) ?? 5432,
    database: r.requireString('database'),
    username: r.requireString('username'),
    sslMode: r.choice('ssl_mode', SSL_MODES) ?? 'prefer',
  };
  const password = r.optionalString('password');
  if (password !== undefined) conn.password = password;
  const schema = r.optionalString('schema');
  if (schema !== undefined) conn.schema = schema;
  const pool = r.number('pool_max_conns', { min: 1, max: 1000, integer: true });
  if (pool !== undefined) conn.poolMaxConns = pool;
  return conn;
}

function readSnowflake(r: MapReader, name: string, ctx: Ctx): SnowflakeConnection {
  r.allow(SNOWFLAKE_KEYS);
  let account = r.requireString('account').trim();
  if (/[/:@]/.test(account)) throw r.error('account', 'must be an account identifier like "xy12345.eu-central-1" or "myorg-myaccount", not a URL');
  account = account.replace(/\.snowflakecomputing\.com$/i, '');
  const region = r.optionalString('region');
  // Bruin's `region`: legacy locator accounts (xy12345) need it appended.
  if (region !== undefined && !account.includes('.')) account = `${account}.${region.trim()}`;
  const conn: SnowflakeConnection = {
    type: 'snowflake',
    name,
    account,
    username: r.requireString('username'),
    database: r.requireString('database'),
  };
  const auth = ['password', 'private_key_path', 'private_key'].filter((k) => r.optionalString(k) !== undefined);
  if (auth.length === 0) throw fail(r.file, r.path, 'needs one of password, private_key_path or private_key');
  if (auth.length > 1) throw r.error(auth[1]!, `set only one of password, private_key_path, private_key (found ${auth.join(' and ')})`);
  const password = r.optionalString('password');
  if (password !== undefined) conn.password = password;
  const keyPath = r.optionalString('private_key_path');
  if (keyPath !== undefined) conn.privateKeyPath = resolvePath(keyPath.trim(), ctx.dir);
  const key = r.optionalString('private_key');
  if (key !== undefined) {
    if (!key.includes('-----BEGIN')) throw r.error('private_key', 'must be a PEM private key (-----BEGIN PRIVATE KEY----- …)');
    conn.privateKey = key;
  }
  for (const [k, field] of [
    ['schema', 'schema'],
    ['warehouse', 'warehouse'],
    ['role', 'role'],
  ] as const) {
    const v = r.optionalString(k);
    if (v !== undefined) conn[field] = v;
  }
  const lease = r.number('lock_lease_seconds', { min: 3, max: 86_400, integer: true });
  if (lease !== undefined) conn.lockLeaseSeconds = lease;
  const accessUrl = r.optionalString('access_url');
  if (accessUrl !== undefined) conn.accessUrl = readBaseUrl(accessUrl, r.file, r.field('access_url'));
  return conn;
}
