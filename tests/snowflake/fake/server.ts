/**
 * A protocol-level fake Snowflake that the real snowflake-sdk connects to over loopback HTTP
 * (`accessUrl: fake.url`). It speaks the endpoints the SDK uses (lib/services/sf.js,
 * lib/connection/statement.js): login (password or key-pair JWT), query requests answered in
 * the JSON result format, PUT answered with a LOCAL_FS stage (the SDK then copies the file into
 * the stage folder itself, lib/file_transfer_agent/local_util.js), session delete, heartbeat,
 * token renewal, telemetry. Statements run on an in-process DuckDB (engine.ts, rewrite.ts).
 *
 * What it does not prove: Snowflake's own SQL acceptance, type coercions, S3/Azure/GCS
 * uploads, encryption, result chunking/Arrow results, multi-cluster behaviour.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { verify, createHash, createPublicKey, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { AddressInfo } from 'node:net';
import { Engine, type FakeSession } from './engine.js';
import { decodeName, SnowflakeSqlError, testSqlToDuck } from './rewrite.js';
import { tableResult } from './results.js';

export interface FakeSnowflakeUser {
  password?: string;
  /** PEM public key for key-pair (SNOWFLAKE_JWT) logins. */
  publicKey?: string;
}

export interface FakeSnowflakeOptions {
  /** Account name the SDK must present (case-insensitive). */
  account?: string;
  users?: Record<string, FakeSnowflakeUser>;
  /** DuckDB file of the account (default: in memory). */
  dbPath?: string;
  /**
   * A detached transaction (its client gone) that blocks another's lock and is idle this long is
   * rolled back, as Snowflake does after 5 minutes (default 300,000 ms).
   */
  detachedAbortMs?: number;
}

export interface FakeSnowflake {
  url: string;
  account: string;
  engine: Engine;
  /** Run SQL directly on the account's DuckDB (a separate connection, UTC); rows as JS values. */
  query(sql: string): Promise<Array<Record<string, unknown>>>;
  stats(): { logins: number; failedLogins: number; openSessions: number; statements: number; implicitCommits: number; puts: number };
  close(): Promise<void>;
}

interface Token {
  session: FakeSession;
  expired: boolean;
}

function plain(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row))
    out[k] = typeof v === 'bigint' && v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(v) : v;
  return out;
}

function b64url(s: string): Buffer {
  return Buffer.from(s.replaceAll('-', '+').replaceAll('_', '/'), 'base64');
}

/** Verify a key-pair login JWT (RS256) against the user's public key and the claims Snowflake checks. */
function verifyJwt(jwt: string, publicKeyPem: string, account: string, user: string): boolean {
  const [h, p, sig] = jwt.split('.');
  if (!h || !p || !sig) return false;
  const key = createPublicKey(publicKeyPem);
  if (!verify('RSA-SHA256', Buffer.from(`${h}.${p}`), key, b64url(sig))) return false;
  const claims = JSON.parse(b64url(p).toString('utf8')) as { iss?: string; sub?: string; exp?: number };
  const fingerprint =
    'SHA256:' +
    createHash('sha256')
      .update(key.export({ type: 'spki', format: 'der' }))
      .digest('base64');
  const sub = `${account}.${user}`.toUpperCase();
  return claims.sub === sub && claims.iss === `${sub}.${fingerprint}` && (claims.exp ?? 0) * 1000 > Date.now();
}

export async function startFakeSnowflake(opts: FakeSnowflakeOptions = {}): Promise<FakeSnowflake> {
  const account = (opts.account ?? 'fakeacct').toUpperCase();
  const users = opts.users ?? { LOADER: { password: 'pw' } };
  const stageRoot = mkdtempSync(path.join(os.tmpdir(), 'fake-sf-stages-'));
  const engine = await Engine.create(opts.dbPath ?? ':memory:', stageRoot, opts.detachedAbortMs);
  const tokens = new Map<string, Token>();
  const sessions = new Set<FakeSession>();
  let logins = 0;
  let failedLogins = 0;
  let puts = 0;

  const send = (res: ServerResponse, body: unknown, status = 200): void => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  };
  const fail = (res: ServerResponse, code: string, message: string, data: Record<string, unknown> = {}): void =>
    send(res, { success: false, code, message, data: { ...data, errorCode: code } });

  const readJson = async (req: IncomingMessage): Promise<Record<string, unknown>> => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    let buf = Buffer.concat(chunks);
    if (req.headers['content-encoding'] === 'gzip') buf = gunzipSync(buf);
    return buf.length === 0 ? {} : (JSON.parse(buf.toString('utf8')) as Record<string, unknown>);
  };

  const newTokens = (session: FakeSession) => {
    const token = randomUUID();
    const masterToken = randomUUID();
    tokens.set(token, { session, expired: false });
    tokens.set(`master:${masterToken}`, { session, expired: false });
    return { token, masterToken, validityInSeconds: 3600, masterValidityInSeconds: 14400 };
  };

  const authed = (req: IncomingMessage): Token | undefined => {
    const m = /Snowflake Token="([^"]+)"/.exec(String(req.headers.authorization ?? ''));
    return m ? tokens.get(m[1]!) : undefined;
  };

  const login = async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    const body = (await readJson(req)) as { data?: Record<string, string> };
    const d = body.data ?? {};
    const user = String(d.LOGIN_NAME ?? '').toUpperCase();
    const u = users[user] ?? users[String(d.LOGIN_NAME ?? '')];
    const accountOk = String(d.ACCOUNT_NAME ?? '').toUpperCase() === account;
    let ok = false;
    if (u && accountOk) {
      if (d.AUTHENTICATOR === 'SNOWFLAKE_JWT') ok = u.publicKey !== undefined && typeof d.TOKEN === 'string' && verifyJwt(d.TOKEN, u.publicKey, account, user);
      else ok = u.password !== undefined && d.PASSWORD === u.password;
    }
    if (!ok) {
      failedLogins++;
      if (d.AUTHENTICATOR === 'SNOWFLAKE_JWT') return fail(res, '394304', 'JWT token is invalid.');
      return fail(res, '390100', 'Incorrect username or password was specified.', { nextAction: 'RETRY_LOGIN', authnMethod: 'USERNAME_PASSWORD' });
    }
    logins++;
    const session = await engine.openSession();
    sessions.add(session);
    send(res, {
      success: true,
      code: null,
      message: null,
      data: {
        ...newTokens(session),
        sessionId: session.id,
        parameters: [{ name: 'TIMEZONE', value: 'America/Los_Angeles' }],
        sessionInfo: {
          databaseName: url.searchParams.get('databaseName'),
          schemaName: url.searchParams.get('schemaName'),
          warehouseName: url.searchParams.get('warehouse'),
          roleName: url.searchParams.get('roleName') ?? 'PUBLIC',
        },
        serverVersion: '9.0.0-fake',
        firstLogin: false,
        displayUserName: user,
      },
    });
  };

  const queryRequest = async (req: IncomingMessage, res: ServerResponse, t: Token): Promise<void> => {
    const body = (await readJson(req)) as { sqlText?: string; bindings?: unknown };
    const queryId = randomUUID();
    if (body.bindings !== undefined) return fail(res, '001003', 'the fake Snowflake does not support bind variables', { queryId });
    try {
      const out = await engine.execute(t.session, String(body.sqlText ?? ''));
      if (out.kind === 'upload') {
        puts++;
        return send(res, {
          success: true,
          data: {
            queryId,
            command: 'UPLOAD',
            src_locations: [out.file],
            stageInfo: { locationType: 'LOCAL_FS', location: out.stageDir, path: '', region: null, creds: {} },
            autoCompress: out.autoCompress,
            sourceCompression: 'auto_detect',
            parallel: 1,
            overwrite: out.overwrite,
            ...tableResult([], []),
          },
        });
      }
      const { rowtype, rowset } = out.result;
      const statementTypeId = out.statementTypeId ?? 0x1000;
      send(res, {
        success: true,
        code: null,
        message: null,
        data: {
          queryId,
          parameters: [],
          rowtype,
          rowset,
          total: rowset.length,
          returned: rowset.length,
          version: 1,
          queryResultFormat: 'json',
          statementTypeId,
        },
      });
    } catch (err) {
      const e = err instanceof SnowflakeSqlError ? err : new SnowflakeSqlError('000603', err instanceof Error ? err.message : String(err), 'XX000');
      fail(res, e.code, e.message, { queryId, sqlState: e.sqlState, type: 'COMPILATION' });
    }
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    void (async () => {
      try {
        if (req.method === 'POST' && url.pathname === '/session/v1/login-request') return await login(req, res, url);
        if (req.method === 'POST' && url.pathname === '/session/token-request') {
          const body = (await readJson(req)) as { oldSessionToken?: string };
          const m = /Snowflake Token="([^"]+)"/.exec(String(req.headers.authorization ?? ''));
          const master = m ? tokens.get(`master:${m[1]}`) : undefined;
          if (!master) return fail(res, '390114', 'Authentication token has expired.  The user must authenticate again.');
          if (body.oldSessionToken) tokens.delete(body.oldSessionToken);
          return send(res, { success: true, data: { ...newTokens(master.session), sessionId: master.session.id } });
        }
        const t = authed(req);
        if (!t) return fail(res, '390112', 'Your session has expired. Please login again.');
        if (t.expired) return fail(res, '390112', 'Session token expired.');
        await readJsonIfAny(req, url, res, t);
      } catch (err) {
        send(res, { success: false, code: '000603', message: err instanceof Error ? err.message : String(err), data: {} }, 500);
      }
    })();
  });

  const readJsonIfAny = async (req: IncomingMessage, url: URL, res: ServerResponse, t: Token): Promise<void> => {
    if (req.method === 'POST' && url.pathname === '/queries/v1/query-request') return queryRequest(req, res, t);
    if (req.method === 'POST' && url.pathname === '/session' && url.searchParams.get('delete') === 'true') {
      await readJson(req);
      if (sessions.delete(t.session)) engine.closeSession(t.session);
      for (const [k, v] of tokens) if (v.session === t.session) tokens.delete(k);
      return send(res, { success: true, data: null });
    }
    if (
      req.method === 'POST' &&
      (url.pathname === '/session/heartbeat' || url.pathname === '/telemetry/send' || url.pathname === '/queries/v1/abort-request')
    ) {
      await readJson(req);
      return send(res, { success: true, data: null });
    }
    send(res, { success: false, code: '000404', message: `the fake Snowflake has no ${req.method} ${url.pathname}`, data: {} }, 404);
  };

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    account,
    engine,
    async query(sql) {
      const conn = await engine.instance.connect();
      try {
        await conn.run(`SET TimeZone = 'UTC'`);
        const rows = (await conn.runAndReadAll(testSqlToDuck(sql))).getRowObjectsJS().map(plain);
        return rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [decodeName(k), v])));
      } finally {
        conn.closeSync();
      }
    },
    stats: () => ({ logins, failedLogins, openSessions: sessions.size, statements: engine.statements.length, implicitCommits: engine.implicitCommits, puts }),
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      for (const s of sessions) engine.closeSession(s);
      sessions.clear();
      engine.instance.closeSync();
      rmSync(stageRoot, { recursive: true, force: true });
    },
  };
}
