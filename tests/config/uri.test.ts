import { describe, expect, it } from 'vitest';
import { parseDestUri, parseSourceUri } from '../../src/config/index.js';

describe('parseSourceUri', () => {
  it('reads token and region with defaults', () => {
    expect(parseSourceUri('intercom://?access_token=dG9rOmFi+Yw%3D%3D&region=eu')).toEqual({
      name: 'intercom',
      accessToken: 'dG9rOmFi+Yw==', // '+' stays a plus
      region: 'eu',
      apiVersion: '2.14',
      concurrency: 256,
      headroom: 0,
    });
  });

  it('reads every optional parameter', () => {
    expect(
      parseSourceUri(
        'intercom://?access_token=t&api_version=2.16&base_url=http%3A%2F%2F127.0.0.1%3A8080&concurrency=4&search_slices=4&headroom=0.5&max_attempts=2&lookback=1h&request_timeout_seconds=45',
      ),
    ).toEqual({
      name: 'intercom',
      accessToken: 't',
      region: 'us',
      apiVersion: '2.16',
      baseUrl: 'http://127.0.0.1:8080',
      concurrency: 4,
      headroom: 0.5,
      maxAttempts: 2,
      searchSlices: 4,
      requestTimeoutSeconds: 45,
      lookbackSeconds: 3600,
    });
  });

  it("an unencoded '&' in the token: names access_token, never the part after it", () => {
    const tail = 'Zm9vYmFyLXNlY3JldA';
    for (const uri of [
      `intercom://?access_token=abc&${tail}&region=eu`,
      `intercom://?access_token=abc&${tail}=&region=eu`,
      `intercom://?access_token=abc&${tail}%ZZ`,
    ]) {
      let message = '';
      try {
        parseSourceUri(uri);
      } catch (e) {
        message = (e as Error).message;
      }
      expect(message).toContain('--source-uri: access_token:');
      expect(message).toContain('%26');
      expect(message).not.toContain(tail);
    }
  });
});

describe('parseDestUri', () => {
  it('duckdb: three slashes relative to cwd, four absolute', () => {
    expect(parseDestUri('duckdb:///out/w.duckdb', '/home/me')).toEqual({ type: 'duckdb', name: 'duckdb', path: '/home/me/out/w.duckdb' });
    expect(parseDestUri('duckdb:////var/w.duckdb', '/home/me')).toEqual({ type: 'duckdb', name: 'duckdb', path: '/var/w.duckdb' });
  });

  it('postgres and postgresql, with encoded credentials, port, sslmode and schema', () => {
    const want = {
      type: 'postgres',
      name: 'postgres',
      host: 'db.example.com',
      port: 6432,
      database: 'analytics',
      username: 'loader',
      password: 'p@ss:w/rd',
      sslMode: 'verify-full',
      schema: 'raw',
    };
    expect(parseDestUri('postgresql://loader:p%40ss%3Aw%2Frd@db.example.com:6432/analytics?sslmode=verify-full&schema=raw', '/')).toEqual(want);
    expect(parseDestUri('postgres://loader:p%40ss%3Aw%2Frd@db.example.com:6432/analytics?sslmode=verify-full&schema=raw', '/')).toEqual(want);
    expect(parseDestUri('postgres://loader@localhost/analytics', '/')).toEqual({
      type: 'postgres',
      name: 'postgres',
      host: 'localhost',
      port: 5432,
      database: 'analytics',
      username: 'loader',
      sslMode: 'prefer',
    });
  });

  it('snowflake with password, or with a key file', () => {
    expect(parseDestUri('snowflake://LOADER:pw@xy12345.eu-central-1/RAW/INTERCOM?warehouse=LOADING&role=LOADER', '/')).toEqual({
      type: 'snowflake',
      name: 'snowflake',
      account: 'xy12345.eu-central-1',
      username: 'LOADER',
      password: 'pw',
      database: 'RAW',
      schema: 'INTERCOM',
      warehouse: 'LOADING',
      role: 'LOADER',
    });
    expect(parseDestUri('snowflake://LOADER@myorg-acct/RAW?private_key_path=keys/k.p8', '/work')).toEqual({
      type: 'snowflake',
      name: 'snowflake',
      account: 'myorg-acct',
      username: 'LOADER',
      database: 'RAW',
      privateKeyPath: '/work/keys/k.p8',
    });
  });
});
