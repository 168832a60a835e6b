import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { destinationConnection, intercomConnection, loadConnections } from '../../src/config/index.js';
import { SECRETS, tempProject } from './helpers.js';

const BRUIN = `
default_environment: default
environments:
  default:
    connections:
      intercom:
        - name: intercom
          access_token: \${INTERCOM_ACCESS_TOKEN}
          region: eu
          api_version: "2.16"
          base_url: http://127.0.0.1:8080/
          concurrency: 8
          headroom: 0.2
          max_attempts: 3
          request_timeout_seconds: 90
          lookback: 15m
      duckdb:
        - name: warehouse
          path: ./data/warehouse.duckdb
      postgres:
        - name: pg
          host: localhost
          port: 5433
          database: analytics
          username: loader
          password: \${PG_PASSWORD}
          ssl_mode: verify-full
          schema: intercom_raw
      snowflake:
        - name: sf
          account: xy12345.eu-central-1.snowflakecomputing.com
          username: LOADER
          private_key_path: keys/loader.p8
          database: RAW
          schema: INTERCOM
          warehouse: LOADING
          role: LOADER
      bigquery:
        - name: other-tool-connection
          project_id: ignored
          credentials_json: \${GCP_CREDENTIALS_NOT_SET}
  production:
    connections:
      intercom:
        - name: intercom
          access_token: \${PROD_TOKEN}
      postgres:
        - name: pg
          host: db.internal
          database: analytics
          username: loader
          password: \${PG_PASSWORD:-}
`;

describe('loadConnections', () => {
  it("reads Bruin's layout with every type, applying defaults and resolving paths", async () => {
    const dir = await tempProject({ 'connections.yml': BRUIN });
    const c = await loadConnections(path.join(dir, 'connections.yml'), { env: SECRETS });
    expect(c.configFile).toBe(path.join(dir, 'connections.yml'));
    expect(c.environment).toBe('default');
    expect([...c.intercom.values()]).toEqual([
      {
        name: 'intercom',
        accessToken: SECRETS.INTERCOM_ACCESS_TOKEN,
        region: 'eu',
        apiVersion: '2.16',
        baseUrl: 'http://127.0.0.1:8080',
        concurrency: 8,
        headroom: 0.2,
        maxAttempts: 3,
        requestTimeoutSeconds: 90,
        lookbackSeconds: 900,
      },
    ]);
    expect([...c.destinations.values()]).toEqual([
      { type: 'duckdb', name: 'warehouse', path: path.join(dir, 'data/warehouse.duckdb') },
      {
        type: 'postgres',
        name: 'pg',
        host: 'localhost',
        port: 5433,
        database: 'analytics',
        username: 'loader',
        password: SECRETS.PG_PASSWORD, // holds '#' and ':' — safe because expansion follows YAML parsing
        sslMode: 'verify-full',
        schema: 'intercom_raw',
      },
      {
        type: 'snowflake',
        name: 'sf',
        account: 'xy12345.eu-central-1',
        username: 'LOADER',
        privateKeyPath: path.join(dir, 'keys/loader.p8'),
        database: 'RAW',
        schema: 'INTERCOM',
        warehouse: 'LOADING',
        role: 'LOADER',
      },
    ]);
  });

  it('selects an environment; variables of other environments are not needed', async () => {
    const dir = await tempProject({ 'connections.yml': BRUIN });
    const file = path.join(dir, 'connections.yml');
    // default needs INTERCOM_ACCESS_TOKEN, production needs PROD_TOKEN: each loads with only its own.
    const prod = await loadConnections(file, { environment: 'production', env: { PROD_TOKEN: 'p' } });
    expect(prod.environment).toBe('production');
    expect(prod.intercom.get('intercom')).toEqual({ name: 'intercom', accessToken: 'p', region: 'us', apiVersion: '2.14', concurrency: 256, headroom: 0 });
    // ${PG_PASSWORD:-} unset -> empty -> no password (trust/peer auth)
    expect(prod.destinations.get('pg')).toEqual({
      type: 'postgres',
      name: 'pg',
      host: 'db.internal',
      port: 5432,
      database: 'analytics',
      username: 'loader',
      sslMode: 'prefer',
    });
    // an unset variable makes its connection unavailable: an error where it is used, not when the file loads
    const unset = await loadConnections(file, { environment: 'production', env: {} });
    expect(unset.intercom.has('intercom')).toBe(false);
    expect(unset.unavailable.get('intercom')).toMatchObject({ type: 'intercom', name: 'intercom', connection: { region: 'us', apiVersion: '2.14' } });
    expect(unset.unavailable.get('intercom')!.connection).not.toHaveProperty('accessToken');
    expect(() => intercomConnection(unset, 'intercom')).toThrow('PROD_TOKEN is not set');
    expect(destinationConnection(unset, 'pg')).toEqual(prod.destinations.get('pg'));
  });

  it('default_environment picks the environment when none is given', async () => {
    const dir = await tempProject({ 'connections.yml': BRUIN.replace('default_environment: default', 'default_environment: production') });
    const c = await loadConnections(path.join(dir, 'connections.yml'), { env: { PROD_TOKEN: 'p' } });
    expect(c.environment).toBe('production');
    expect(c.destinations.get('pg')).toMatchObject({ host: 'db.internal' });
  });

  it('reads a bare top-level connections: as the default environment', async () => {
    const dir = await tempProject({
      'connections.yml': `connections:\n  intercom:\n    - name: main\n      access_token: \${T}\n      region: AU\n  duckdb:\n    - name: local\n      path: /abs/x.duckdb\n`,
    });
    const c = await loadConnections(path.join(dir, 'connections.yml'), { env: { T: 't' } });
    expect(c.environment).toBe('default');
    expect(c.intercom.get('main')).toMatchObject({ accessToken: 't', region: 'au' });
    expect(c.destinations.get('local')).toEqual({ type: 'duckdb', name: 'local', path: '/abs/x.duckdb' });
    const explicit = await loadConnections(path.join(dir, 'connections.yml'), { environment: 'default', env: { T: 't' } });
    expect(explicit.environment).toBe('default');
  });

  it('interpolates ${VAR}, ${VAR:-default} and $$ after parsing', async () => {
    const dir = await tempProject({
      'connections.yml': [
        'connections:',
        '  postgres:',
        '    - name: pg',
        '      host: ${PG_HOST:-localhost}', // unset -> default
        '      port: ${PG_PORT:-5432}', // set -> value; a string of digits is a valid port
        '      database: ${DB:-fallback}', // set but empty -> default
        '      username: u-${USER_SUFFIX}', // embedded
        '      password: "a$$b$c#d: e"', // $$ -> $, lone $ kept, # and : are data
        '      schema: ${SCHEMA}', // a value containing ${...} text is not expanded again
      ].join('\n'),
    });
    const c = await loadConnections(path.join(dir, 'connections.yml'), {
      env: { PG_PORT: '6543', DB: '', USER_SUFFIX: 'x', SCHEMA: '${NOT_EXPANDED}' },
    });
    expect(c.destinations.get('pg')).toEqual({
      type: 'postgres',
      name: 'pg',
      host: 'localhost',
      port: 6543,
      database: 'fallback',
      username: 'u-x',
      password: 'a$b$c#d: e',
      schema: '${NOT_EXPANDED}',
      sslMode: 'prefer',
    });
  });

  it('accepts an unquoted supported api_version and snowflake region + password', async () => {
    const dir = await tempProject({
      'connections.yml': `connections:\n  intercom:\n    - name: i\n      access_token: t\n      api_version: 2.11\n  snowflake:\n    - name: sf\n      account: xy12345\n      region: eu-central-1\n      username: U\n      password: \${SF_PASSWORD}\n      database: RAW\n`,
    });
    const c = await loadConnections(path.join(dir, 'connections.yml'), { env: SECRETS });
    expect(c.intercom.get('i')?.apiVersion).toBe('2.11');
    expect(c.destinations.get('sf')).toEqual({
      type: 'snowflake',
      name: 'sf',
      account: 'xy12345.eu-central-1',
      username: 'U',
      password: SECRETS.SF_PASSWORD,
      database: 'RAW',
    });
  });
});
