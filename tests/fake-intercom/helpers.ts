/** Shared helpers for the fake Intercom tests: a tiny HTTP client on loopback. */
import { request } from 'undici';
import { type FakeIntercom, type FakeIntercomOptions, startFakeIntercom } from '../../src/fake-intercom/index.js';

export type Json = Record<string, any>;

export interface Res {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Json;
}

export interface Client {
  get(path: string, version?: string, headers?: Record<string, string>): Promise<Res>;
  post(path: string, body?: unknown, version?: string, headers?: Record<string, string>): Promise<Res>;
  del(path: string): Promise<Res>;
}

export function client(url: string, token = 'fake-token'): Client {
  const send = async (
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    body: unknown,
    version: string | undefined,
    extra: Record<string, string> = {},
  ): Promise<Res> => {
    const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: 'application/json', ...extra };
    if (version) headers['intercom-version'] = version;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const r = await request(url + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await r.body.text();
    return { status: r.statusCode, headers: r.headers, body: text ? JSON.parse(text) : {} };
  };
  return {
    get: (p, v, h) => send('GET', p, undefined, v, h),
    post: (p, b, v, h) => send('POST', p, b ?? {}, v, h),
    del: (p) => send('DELETE', p, undefined, undefined),
  };
}

export async function withFake<T>(opts: FakeIntercomOptions, fn: (f: FakeIntercom, c: Client) => Promise<T>): Promise<T> {
  const f = await startFakeIntercom({ rateLimitPerMinute: null, ...opts });
  try {
    return await fn(f, client(f.url));
  } finally {
    await f.close();
  }
}

/** Reads an NDJSON export. */
export async function exportTable(url: string, table: string, version?: string): Promise<Json[]> {
  const r = await request(`${url}/_fake/export/${table}`, { headers: version ? { 'intercom-version': version } : {} });
  const text = await r.body.text();
  if (r.statusCode !== 200) throw new Error(`export ${table}: ${r.statusCode} ${text}`);
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
}

export const ALL = { field: 'updated_at', operator: '>', value: 0 };
