/**
 * ingestr's one-shot URIs (`--source-uri`, `--dest-uri`). Errors name the flag and the part at
 * fault and never echo the URI: it carries a token or a password.
 */
import { readApiVersion, readBaseUrl, resolvePath, REGIONS, SSL_MODES, DEFAULT_CONCURRENCY, INTERCOM_KEYS } from './connections.js';
import { parseDuration } from './duration.js';
import { fail, show } from './reader.js';
import { suggestion } from '../core/suggest.js';
import type { DestinationConnection, IntercomConnection, PostgresConnection, SnowflakeConnection } from './types.js';

const SOURCE = '--source-uri';
const DEST = '--dest-uri';

/**
 * The query string as name -> value. `+` stays a plus (Intercom tokens are base64 and may hold
 * one; URLSearchParams would turn it into a space); percent-escapes are decoded.
 */
function query(search: string, flag: string, allowed: readonly string[], secret: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  // the parameter before this part, when it holds a secret: an unencoded '&' in a token splits
  // it, and the part after the '&' is the token's tail, never to be echoed
  let afterSecret: string | undefined;
  for (const part of search.replace(/^\?/, '').split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const rawName = eq < 0 ? part : part.slice(0, eq);
    const tail = afterSecret;
    afterSecret = undefined;
    const splitSecret = () => fail(flag, tail!, `is followed by a part that is not a known parameter: if the ${tail} holds '&', percent-encode it as %26`);
    const name = tail === undefined ? decode(rawName, flag, 'query') : safeDecode(rawName);
    if (name === undefined || (tail !== undefined && !allowed.includes(name))) throw splitSecret();
    const value = decode(eq < 0 ? '' : part.slice(eq + 1), flag, secret.includes(name) ? name : `query parameter ${name}`);
    if (secret.includes(name)) afterSecret = name;
    if (!allowed.includes(name)) throw fail(flag, name, `unknown query parameter${suggestion(name, allowed)}`);
    if (out.has(name)) throw fail(flag, name, 'given twice');
    out.set(name, value);
  }
  return out;
}

function decode(s: string, flag: string, field: string): string {
  const d = safeDecode(s);
  if (d === undefined) throw fail(flag, field, 'invalid percent-encoding');
  return d;
}

function safeDecode(s: string): string | undefined {
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
}

/** Scheme and the rest, without parsing the rest (a URL parser would choke on `:memory:` etc.). */
function scheme(uri: string, flag: string, expected: readonly string[]): { scheme: string; rest: string } {
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/(.*)$/s.exec(uri.trim());
  if (!m) throw fail(flag, 'scheme', `not a URI; expected ${expected.map((e) => `${e}://`).join(', ')}`);
  const s = m[1]!.toLowerCase();
  if (!expected.includes(s))
    throw fail(
      flag,
      'scheme',
      `unsupported scheme ${show(s + '://')}${suggestion(
        `${s}://`,
        expected.map((e) => `${e}://`),
      )}`,
    );
  return { scheme: s, rest: m[2]! };
}

/** `intercom://?access_token=…&region=eu[&api_version=2.14&base_url=…&concurrency=…&search_slices=…&headroom=…&max_attempts=…&lookback=…&timeout_seconds=…&request_timeout_seconds=…]` */
export function parseSourceUri(uri: string): IntercomConnection {
  const { rest } = scheme(uri, SOURCE, ['intercom']);
  const q = rest.indexOf('?');
  const host = q < 0 ? rest : rest.slice(0, q);
  if (host !== '' && host !== '/') throw fail(SOURCE, 'host', 'intercom:// takes no host: use intercom://?access_token=…&region=us');
  const params = query(
    q < 0 ? '' : rest.slice(q),
    SOURCE,
    INTERCOM_KEYS.filter((k) => k !== 'name'),
    ['access_token'],
  );
  const token = params.get('access_token')?.trim();
  if (token === undefined) throw fail(SOURCE, 'access_token', 'is required (intercom://?access_token=…)');
  if (token === '' || /\s/.test(token)) throw fail(SOURCE, 'access_token', token === '' ? 'must not be empty' : 'must not contain spaces');
  const region = params.get('region')?.trim().toLowerCase() ?? 'us';
  if (!(REGIONS as readonly string[]).includes(region)) {
    throw fail(SOURCE, 'region', `unknown value ${show(params.get('region'))}${suggestion(region, REGIONS)}`);
  }
  const conn: IntercomConnection = {
    name: 'intercom',
    accessToken: token,
    region: region as IntercomConnection['region'],
    apiVersion: readApiVersion(params.get('api_version'), SOURCE, 'api_version'),
    concurrency: int(params.get('concurrency'), SOURCE, 'concurrency', 1, 256) ?? DEFAULT_CONCURRENCY,
    headroom: num(params.get('headroom'), SOURCE, 'headroom', 0, 0.9) ?? 0,
  };
  const baseUrl = params.get('base_url');
  if (baseUrl !== undefined) conn.baseUrl = readBaseUrl(baseUrl, SOURCE, 'base_url');
  const maxAttempts = int(params.get('max_attempts'), SOURCE, 'max_attempts', 1, 20);
  if (maxAttempts !== undefined) conn.maxAttempts = maxAttempts;
  const slices = int(params.get('search_slices'), SOURCE, 'search_slices', 1, 32);
  if (slices !== undefined) conn.searchSlices = slices;
  const timeout = num(params.get('timeout_seconds'), SOURCE, 'timeout_seconds', 1, 3600);
  if (timeout !== undefined) conn.timeoutSeconds = timeout;
  const deadline = num(params.get('request_timeout_seconds'), SOURCE, 'request_timeout_seconds', 1, 3600);
  if (deadline !== undefined) conn.requestTimeoutSeconds = deadline;
  const lookback = params.get('lookback');
  if (lookback !== undefined) conn.lookbackSeconds = parseDuration(lookback, SOURCE, 'lookback');
  return conn;
}

function num(v: string | undefined, flag: string, field: string, min: number, max: number): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+(\.\d+)?$/.test(v.trim())) throw fail(flag, field, `must be a number, got ${show(v)}`);
  const n = Number(v);
  if (n < min || n > max) throw fail(flag, field, `must be between ${min} and ${max}, got ${n}`);
  return n;
}

function int(v: string | undefined, flag: string, field: string, min: number, max: number): number | undefined {
  const n = num(v, flag, field, min, max);
  if (n !== undefined && !Number.isInteger(n)) throw fail(flag, field, `must be an integer, got ${n}`);
  return n;
}

/**
 * `duckdb:///relative.duckdb` (relative to `cwd`), `duckdb:////abs/path.duckdb`,
 * `postgresql://user:pass@host:port/db?sslmode=…&schema=…` (or `postgres://`),
 * `snowflake://user:pass@account/db[/schema]?warehouse=…&role=…[&private_key_path=…]`.
 */
export function parseDestUri(uri: string, cwd: string): DestinationConnection {
  const { scheme: s, rest } = scheme(uri, DEST, Object.keys(DEST_SCHEMES));
  return DEST_SCHEMES[s]!(rest, cwd);
}

/** The parser of each `--dest-uri` scheme. */
const DEST_SCHEMES: Record<string, (rest: string, cwd: string) => DestinationConnection> = {
  duckdb: parseDuckDb,
  postgresql: parsePostgres,
  postgres: parsePostgres,
  snowflake: parseSnowflake,
};

function parseDuckDb(rest: string, cwd: string): DestinationConnection {
  if (rest.includes('?')) throw fail(DEST, 'query', 'duckdb:// takes no query parameters');
  // SQLAlchemy's convention, as ingestr: three slashes then a relative path, four for an absolute one.
  if (!rest.startsWith('/')) throw fail(DEST, 'path', 'use duckdb:///relative/file.duckdb or duckdb:////absolute/file.duckdb');
  const p = decode(rest.slice(1), DEST, 'path');
  if (p === '') throw fail(DEST, 'path', 'is required (duckdb:///file.duckdb)');
  return { type: 'duckdb', name: 'duckdb', path: resolvePath(p, cwd) };
}

/** user:pass@host:port/path?query, split by hand so a bad part is named without echoing the rest. */
function authority(rest: string): { user?: string; password?: string; host: string; port?: string; path: string; search: string } {
  const q = rest.indexOf('?');
  const beforeQuery = q < 0 ? rest : rest.slice(0, q);
  const search = q < 0 ? '' : rest.slice(q);
  const slash = beforeQuery.indexOf('/');
  const auth = slash < 0 ? beforeQuery : beforeQuery.slice(0, slash);
  const pathPart = slash < 0 ? '' : beforeQuery.slice(slash);
  const at = auth.lastIndexOf('@');
  const userinfo = at < 0 ? undefined : auth.slice(0, at);
  const hostport = at < 0 ? auth : auth.slice(at + 1);
  const out: ReturnType<typeof authority> = { host: hostport, path: pathPart, search };
  const hp = /^(\[[^\]]*\]|[^:]*)(?::(.*))?$/.exec(hostport)!;
  out.host = hp[1]!;
  if (hp[2] !== undefined) out.port = hp[2];
  if (userinfo !== undefined) {
    const colon = userinfo.indexOf(':');
    out.user = decode(colon < 0 ? userinfo : userinfo.slice(0, colon), DEST, 'username');
    if (colon >= 0) out.password = decode(userinfo.slice(colon + 1), DEST, 'password');
  }
  return out;
}

function parsePostgres(rest: string): PostgresConnection {
  const a = authority(rest);
  if (a.host === '') throw fail(DEST, 'host', 'is required (postgresql://user:password@host:5432/database)');
  if (!a.user) throw fail(DEST, 'username', 'is required (postgresql://user:password@host:5432/database)');
  let port = 5432;
  if (a.port !== undefined) {
    if (!/^\d+$/.test(a.port) || Number(a.port) < 1 || Number(a.port) > 65535) throw fail(DEST, 'port', `must be 1 to 65535, got ${show(a.port)}`);
    port = Number(a.port);
  }
  const database = decode(a.path.replace(/^\//, ''), DEST, 'database');
  if (database === '' || database.includes('/')) throw fail(DEST, 'database', 'is required: one path segment (postgresql://…@host:5432/database)');
  const params = query(a.search, DEST, ['sslmode', 'schema'], []);
  const ssl = params.get('sslmode')?.toLowerCase() ?? 'prefer';
  if (!(SSL_MODES as readonly string[]).includes(ssl)) throw fail(DEST, 'sslmode', `unknown value ${show(params.get('sslmode'))}${suggestion(ssl, SSL_MODES)}`);
  const conn: PostgresConnection = {
    type: 'postgres',
    name: 'postgres',
    host: decode(a.host.replace(/^\[(.*)\]$/, '$1'), DEST, 'host'),
    port,
    database,
    username: a.user,
    sslMode: ssl as PostgresConnection['sslMode'],
  };
  if (a.password) conn.password = a.password;
  const schema = params.get('schema');
  if (schema) conn.schema = schema;
  return conn;
}

function parseSnowflake(rest: string, cwd: string): SnowflakeConnection {
  const a = authority(rest);
  const example = '(snowflake://user:password@account/database[/schema]?warehouse=…&role=…)';
  if (a.host === '') throw fail(DEST, 'account', `is required ${example}`);
  if (a.port !== undefined) throw fail(DEST, 'account', 'takes no port');
  if (!a.user) throw fail(DEST, 'username', `is required ${example}`);
  const segs = a.path
    .replace(/^\//, '')
    .split('/')
    .filter((x) => x !== '');
  if (segs.length === 0 || segs.length > 2) throw fail(DEST, 'database', `is required: database or database/schema ${example}`);
  const params = query(a.search, DEST, ['warehouse', 'role', 'private_key_path', 'private_key'], ['private_key']);
  const conn: SnowflakeConnection = {
    type: 'snowflake',
    name: 'snowflake',
    account: decode(a.host, DEST, 'account').replace(/\.snowflakecomputing\.com$/i, ''),
    username: a.user,
    database: decode(segs[0]!, DEST, 'database'),
  };
  if (segs[1] !== undefined) conn.schema = decode(segs[1], DEST, 'schema');
  const auth = [
    a.password ? 'password' : undefined,
    params.get('private_key_path') ? 'private_key_path' : undefined,
    params.get('private_key') ? 'private_key' : undefined,
  ].filter((x): x is string => x !== undefined);
  if (auth.length === 0) throw fail(DEST, 'password', 'is required, or give private_key_path= or private_key=');
  if (auth.length > 1) throw fail(DEST, auth[1]!, `set only one of password, private_key_path, private_key (found ${auth.join(' and ')})`);
  if (a.password) conn.password = a.password;
  const keyPath = params.get('private_key_path');
  if (keyPath) conn.privateKeyPath = resolvePath(keyPath, cwd);
  const key = params.get('private_key');
  if (key) conn.privateKey = key;
  const warehouse = params.get('warehouse');
  if (warehouse) conn.warehouse = warehouse;
  const role = params.get('role');
  if (role) conn.role = role;
  return conn;
}
