/**
 * Every malformed input ends in one ConfigError line, `file: field: problem`, that names the
 * field and never echoes a secret.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';
import { intercomConnection, loadProject, parseDestUri, parseSourceUri } from '../../src/config/index.js';
import { BASE_CONNECTIONS, SECRETS, fakeCatalog, tempProject } from './helpers.js';

interface FileCase {
  name: string;
  connections?: string;
  assets?: Record<string, string>;
  env?: NodeJS.ProcessEnv;
  environment?: string;
  /** The exact message; `<dir>` is the project folder, `<c>` its connections.yml. */
  message: string;
}

const E = 'environments.default.connections';
const contacts = 'parameters:\n  source_table: contacts\n';

const fileCases: FileCase[] = [
  {
    name: 'bad YAML reports line:col and does not quote the line',
    connections: `connections:\n  intercom:\n    - name: intercom\n      access_token: tok_SECRET: oops\n`,
    message: '<c>: line 4:21: invalid YAML: Nested mappings are not allowed in compact mappings',
  },
  {
    name: 'bad YAML: tab indentation',
    connections: `connections:\n\tintercom: []\n`,
    message: '<c>: line 2:1: invalid YAML: Tabs are not allowed as indentation',
  },
  {
    name: 'duplicate YAML key',
    connections: `connections:\n  duckdb: []\n  duckdb: []\n`,
    message: '<c>: line 3:3: invalid YAML: Map keys must be unique',
  },
  {
    name: 'empty token from an empty variable',
    env: { INTERCOM_ACCESS_TOKEN: '' },
    message: `<c>: ${E}.intercom[0].access_token: must not be empty (environment variable INTERCOM_ACCESS_TOKEN is empty)`,
  },
  {
    name: 'literal empty token',
    connections: `connections:\n  intercom:\n    - name: intercom\n      access_token: ""\n`,
    message: '<c>: connections.intercom[0].access_token: must not be empty',
  },
  {
    name: 'token with a Bearer prefix',
    connections: `connections:\n  intercom:\n    - name: intercom\n      access_token: Bearer tok_SECRET_x\n`,
    message: '<c>: connections.intercom[0].access_token: remove the "Bearer " prefix: give the token only',
  },
  {
    name: 'unterminated ${ in a password is not echoed',
    connections: `connections:\n  postgres:\n    - name: pg\n      host: h\n      database: d\n      username: u\n      password: "pg_SECRET\${oops"\n`,
    message: '<c>: connections.postgres[0].password: unterminated "${" (write "$${" for a literal "${")',
  },
  {
    name: 'unknown key with did-you-mean',
    connections: `connections:\n  intercom:\n    - name: intercom\n      acess_token: tok_SECRET_1\n`,
    message: '<c>: connections.intercom[0].acess_token: unknown key; did you mean "access_token"?',
  },
  {
    name: 'unknown key from another tool (alias)',
    connections: `connections:\n  postgres:\n    - name: pg\n      host: h\n      database: d\n      user: u\n`,
    message: '<c>: connections.postgres[0].user: unknown key; did you mean "username"?',
  },
  {
    name: 'bad region',
    connections: `connections:\n  intercom:\n    - name: intercom\n      access_token: tok_SECRET_1\n      region: europe\n`,
    message: '<c>: connections.intercom[0].region: unknown value "europe" (expected one of: us, eu, au)',
  },
  {
    name: 'api_version out of range',
    connections: `connections:\n  intercom:\n    - name: i\n      access_token: tok_SECRET_1\n      api_version: "2.9"\n`,
    message: '<c>: connections.intercom[0].api_version: unsupported API version "2.9" (supported: 2.11 to 2.16)',
  },
  {
    name: 'api_version not MAJOR.MINOR',
    connections: `connections:\n  intercom:\n    - name: i\n      access_token: tok_SECRET_1\n      api_version: latest\n`,
    message: '<c>: connections.intercom[0].api_version: invalid API version "latest": use MAJOR.MINOR like "2.14" (supported: 2.11 to 2.16)',
  },
  {
    name: 'api_version unquoted 2.10 (YAML reads 2.1)',
    connections: `connections:\n  intercom:\n    - name: i\n      access_token: tok_SECRET_1\n      api_version: 2.10\n`,
    message:
      '<c>: connections.intercom[0].api_version: unsupported API version "2.1" (YAML read an unquoted number; quote it: "2.1") (supported: 2.11 to 2.16)',
  },
  {
    name: 'wrong type: a string where an integer is needed',
    connections: `connections:\n  intercom:\n    - name: i\n      access_token: tok_SECRET_1\n      concurrency: many\n`,
    message: '<c>: connections.intercom[0].concurrency: must be an integer, got a string "many"',
  },
  {
    name: 'search_slices out of range',
    connections: `connections:\n  intercom:\n    - name: i\n      access_token: tok_SECRET_1\n      search_slices: 0\n`,
    message: '<c>: connections.intercom[0].search_slices: must be between 1 and 32, got 0',
  },
  {
    name: 'headroom out of range',
    connections: `connections:\n  intercom:\n    - name: i\n      access_token: tok_SECRET_1\n      headroom: 1.5\n`,
    message: '<c>: connections.intercom[0].headroom: must be between 0 and 0.9, got 1.5',
  },
  {
    name: 'wrong type: a number where a string is needed (password), value not echoed',
    connections: `connections:\n  postgres:\n    - name: pg\n      host: h\n      database: d\n      username: u\n      password: 987654321\n`,
    message: '<c>: connections.postgres[0].password: must be a string, got an integer (quote it: password: "…")',
  },
  {
    name: 'wrong type: a list where a string is needed',
    connections: `connections:\n  duckdb:\n    - name: [a, b]\n      path: x.duckdb\n`,
    message: '<c>: connections.duckdb[0].name: must be a string, got a list',
  },
  {
    name: 'postgres port is not a number',
    connections: `connections:\n  postgres:\n    - name: pg\n      host: h\n      port: http\n      database: d\n      username: u\n`,
    message: '<c>: connections.postgres[0].port: must be an integer, got a string "http"',
  },
  {
    name: 'postgres bad ssl_mode',
    connections: `connections:\n  postgres:\n    - name: pg\n      host: h\n      database: d\n      username: u\n      ssl_mode: requir\n`,
    message: '<c>: connections.postgres[0].ssl_mode: unknown value "requir"; did you mean "require"?',
  },
  {
    name: 'postgres missing database',
    connections: `connections:\n  postgres:\n    - name: pg\n      host: h\n      username: u\n      password: \${PG_PASSWORD}\n`,
    message: '<c>: connections.postgres[0].database: is required',
  },
  {
    name: 'snowflake with two kinds of credentials',
    connections: `connections:\n  snowflake:\n    - name: sf\n      account: xy1\n      username: u\n      database: RAW\n      password: \${SF_PASSWORD}\n      private_key_path: key.p8\n`,
    message: '<c>: connections.snowflake[0].private_key_path: set only one of password, private_key_path, private_key (found password and private_key_path)',
  },
  {
    name: 'snowflake without credentials',
    connections: `connections:\n  snowflake:\n    - name: sf\n      account: xy1\n      username: u\n      database: RAW\n`,
    message: '<c>: connections.snowflake[0]: needs one of password, private_key_path or private_key',
  },
  {
    name: 'base_url is not http(s), and is not echoed',
    connections: `connections:\n  intercom:\n    - name: i\n      access_token: tok_SECRET_1\n      base_url: ftp://user:SECRET@host/\n`,
    message: '<c>: connections.intercom[0].base_url: must be an http(s) URL, got scheme "ftp:"',
  },
  {
    name: 'connection lookback is not a duration',
    connections: `connections:\n  intercom:\n    - name: i\n      access_token: tok_SECRET_1\n      lookback: 10 minutes\n`,
    message:
      '<c>: connections.intercom[0].lookback: invalid duration "10 minutes": use whole seconds or a number with a unit s, m, h or d (e.g. 30s, 10m, 2h, 1d, 1h30m)',
  },
  {
    name: 'duplicate connection names across types',
    connections: `connections:\n  intercom:\n    - name: main\n      access_token: tok_SECRET_1\n  duckdb:\n    - name: main\n      path: x.duckdb\n`,
    message: '<c>: connections.duckdb[0].name: duplicate connection name "main" (also connections.intercom[0])',
  },
  {
    name: 'connection without a name',
    connections: `connections:\n  duckdb:\n    - path: x.duckdb\n`,
    message: '<c>: connections.duckdb[0].name: is required',
  },
  {
    name: 'misspelt connection type',
    connections: `connections:\n  postgress:\n    - name: pg\n`,
    message: '<c>: connections.postgress: unknown connection type; did you mean "postgres"?',
  },
  {
    name: 'connection type given a mapping instead of a list',
    connections: `connections:\n  duckdb:\n    name: warehouse\n    path: x.duckdb\n`,
    message: '<c>: connections.duckdb: must be a list of connections (each starting with "- name:"), got a mapping',
  },
  {
    name: 'unknown top-level key',
    connections: `default_enviroment: prod\nconnections: {}\n`,
    message: '<c>: default_enviroment: unknown key; did you mean "default_environment"?',
  },
  {
    name: 'unknown environment (-e) with did-you-mean',
    connections: `environments:\n  default:\n    connections: {}\n  production:\n    connections: {}\n`,
    environment: 'prodution',
    message: '<c>: environments: no environment "prodution"; did you mean "production"?',
  },
  {
    name: 'unknown default_environment',
    connections: `default_environment: staging\nenvironments:\n  default:\n    connections: {}\n`,
    message: '<c>: default_environment: no environment "staging" (expected one of: default)',
  },
  {
    name: 'bare connections with another environment selected',
    connections: `connections: {}\n`,
    environment: 'prod',
    message: '<c>: connections: no environment "prod": a top-level "connections:" is the only environment, "default"',
  },
  {
    name: 'both environments and bare connections',
    connections: `environments:\n  default:\n    connections: {}\nconnections: {}\n`,
    message: '<c>: connections: use either "environments:" or a top-level "connections:", not both',
  },
  {
    name: 'empty connections file',
    connections: `# nothing yet\n`,
    message: '<c>: (file): is empty: add "environments:" (Bruin layout) or a top-level "connections:"',
  },
  // ---- assets ----
  {
    name: 'bad asset YAML',
    assets: { 'contacts.asset.yml': 'parameters:\n  source_table: [contacts\n' },
    message: '<dir>/assets/contacts.asset.yml: line 3:1: invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]',
  },
  {
    name: 'unknown strategy',
    assets: { 'contacts.asset.yml': contacts + '  incremental_strategy: upsert\n' },
    message:
      '<dir>/assets/contacts.asset.yml: parameters.incremental_strategy: unknown value "upsert" (expected one of: merge, replace, append, delete+insert, create+replace)',
  },
  {
    name: 'unknown source table with did-you-mean',
    assets: { 'x.asset.yml': 'parameters:\n  source_table: contact\n' },
    message: '<dir>/assets/x.asset.yml: parameters.source_table: unknown Intercom table "contact"; did you mean "contacts"?',
  },
  {
    name: 'no source table and a file name that is not a table',
    assets: { 'people.asset.yml': 'tags: [core]\n' },
    message:
      '<dir>/assets/people.asset.yml: parameters.source_table: is required: name the Intercom table to read (expected one of: contacts, conversations, teams, events)',
  },
  {
    name: 'merge without a primary key',
    assets: { 'events.asset.yml': 'parameters:\n  source_table: events\n  incremental_strategy: merge\n' },
    message:
      '<dir>/assets/events.asset.yml: parameters.incremental_strategy: strategy merge needs a primary key: mark a column with primary_key: true (table events has none by default)',
  },
  {
    name: 'delete+insert on a table without an incremental key',
    assets: { 'teams.asset.yml': 'materialization:\n  strategy: delete+insert\n' },
    message:
      '<dir>/assets/teams.asset.yml: materialization.strategy: strategy delete+insert needs an incremental key and table teams has none; use replace or merge',
  },
  {
    name: 'an incremental key the table cannot use',
    assets: { 'contacts.asset.yml': contacts + '  incremental_key: created_at\n' },
    message: '<dir>/assets/contacts.asset.yml: parameters.incremental_key: table contacts is read incrementally by "updated_at" only, got "created_at"',
  },
  {
    name: 'strategy set in two places that disagree',
    assets: { 'contacts.asset.yml': contacts + '  incremental_strategy: merge\nmaterialization:\n  strategy: append\n' },
    message: '<dir>/assets/contacts.asset.yml: materialization.strategy: conflicts with parameters.incremental_strategy; set it in one place',
  },
  {
    name: 'unknown source connection',
    assets: { 'contacts.asset.yml': contacts + '  source_connection: intercon\n' },
    message: '<dir>/assets/contacts.asset.yml: parameters.source_connection: unknown intercom connection "intercon"; did you mean "intercom"?',
  },
  {
    name: 'source connection that is a destination',
    assets: { 'contacts.asset.yml': contacts + '  source_connection: warehouse\n' },
    message: '<dir>/assets/contacts.asset.yml: parameters.source_connection: "warehouse" is a duckdb connection, not an intercom connection',
  },
  {
    name: 'unknown destination connection',
    assets: { 'contacts.asset.yml': contacts + '  destination_connection: warehous\n' },
    message: '<dir>/assets/contacts.asset.yml: parameters.destination_connection: unknown destination connection "warehous"; did you mean "warehouse"?',
  },
  {
    name: 'destination type without a connection of that type',
    assets: { 'contacts.asset.yml': contacts + '  destination: postgres\n' },
    message: '<dir>/assets/contacts.asset.yml: parameters.destination: no postgres connection is defined in connections.yml',
  },
  {
    name: 'duplicate asset names',
    assets: { 'a.asset.yml': 'name: intercom.contacts\n' + contacts, 'intercom/contacts.asset.yml': contacts },
    message: '<dir>/assets/intercom/contacts.asset.yml: name: duplicate asset name "intercom.contacts" (also in <dir>/assets/a.asset.yml)',
  },
  {
    name: 'bad lookback duration',
    assets: { 'contacts.asset.yml': contacts + '  lookback: 10x\n' },
    message:
      '<dir>/assets/contacts.asset.yml: parameters.lookback: invalid duration "10x": use whole seconds or a number with a unit s, m, h or d (e.g. 30s, 10m, 2h, 1d, 1h30m)',
  },
  {
    name: 'bad start_date',
    assets: { 'contacts.asset.yml': contacts + 'start_date: "2024-02-30"\n' },
    message: '<dir>/assets/contacts.asset.yml: start_date: invalid date "2024-02-30": no such date or time',
  },
  {
    name: 'start_date of the wrong type',
    assets: { 'contacts.asset.yml': contacts + 'start_date: 20240101\n' },
    message: '<dir>/assets/contacts.asset.yml: start_date: must be an ISO date or datetime string like "2024-01-01" or "2024-01-01T00:00:00Z", got an integer',
  },
  {
    name: 'unknown asset key',
    assets: { 'contacts.asset.yml': 'paramaters:\n  source_table: contacts\n' },
    message: '<dir>/assets/contacts.asset.yml: paramaters: unknown key; did you mean "parameters"?',
  },
  {
    name: 'unknown parameter',
    assets: { 'contacts.asset.yml': contacts + '  incremental_stratgy: merge\n' },
    message: '<dir>/assets/contacts.asset.yml: parameters.incremental_stratgy: unknown key; did you mean "incremental_strategy"?',
  },
  {
    name: 'tags of the wrong type',
    assets: { 'contacts.asset.yml': contacts + 'tags: 5\n' },
    message: '<dir>/assets/contacts.asset.yml: tags: must be a list of strings, got an integer',
  },
  {
    name: 'custom_attribute_columns not a boolean',
    assets: { 'contacts.asset.yml': contacts + '  custom_attribute_columns: "yes"\n' },
    message: '<dir>/assets/contacts.asset.yml: parameters.custom_attribute_columns: must be true or false, got a string "yes"',
  },
  {
    name: 'a name with three parts',
    assets: { 'contacts.asset.yml': 'name: db.intercom.contacts\n' + contacts },
    message: '<dir>/assets/contacts.asset.yml: name: must be "schema.table" or "table", got "db.intercom.contacts"',
  },
  {
    name: 'a column without a name',
    assets: { 'contacts.asset.yml': contacts + 'columns:\n  - primary_key: true\n' },
    message: '<dir>/assets/contacts.asset.yml: columns[0].name: is required',
  },
  {
    name: 'an asset that is a list',
    assets: { 'contacts.asset.yml': '- name: intercom.contacts\n' },
    message: '<dir>/assets/contacts.asset.yml: (top level): must be an asset (a mapping of keys), got a list',
  },
  {
    name: 'an inferred name that is not an identifier',
    assets: { 'intercom-raw/contacts.asset.yml': contacts },
    message:
      '<dir>/assets/intercom-raw/contacts.asset.yml: name (inferred from the file path): invalid schema name "intercom-raw": use letters, digits and _, not starting with a digit',
  },
];

async function errorOf(p: Promise<unknown>): Promise<ConfigError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, 'expected a ConfigError').toBeInstanceOf(ConfigError);
  return err as ConfigError;
}

function expectOneSafeLine(message: string): void {
  expect(message).not.toMatch(/[\r\n]/);
  expect(message).toMatch(/^[^:\n]+: \S[^\n]*?: \S[^\n]*$/);
  expect(message).not.toContain('SECRET');
  for (const v of Object.values(SECRETS)) expect(message).not.toContain(v);
  expect(message).not.toContain('987654321');
}

describe('malformed configuration', () => {
  it('has at least 25 file cases', () => expect(fileCases.length).toBeGreaterThanOrEqual(25));

  it('missing environment variable: the project loads; using the connection is the one-line error', async () => {
    const dir = await tempProject({ 'connections.yml': BASE_CONNECTIONS });
    const configFile = path.join(dir, 'connections.yml');
    const project = await loadProject({ configFile, assetsDir: path.join(dir, 'assets'), env: {}, catalog: fakeCatalog });
    let err: unknown;
    try {
      intercomConnection(project, 'intercom');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).message).toBe(`${configFile}: ${E}.intercom[0].access_token: environment variable INTERCOM_ACCESS_TOKEN is not set`);
    expectOneSafeLine((err as ConfigError).message);
  });

  it.each(fileCases)('$name', async (c) => {
    const dir = await tempProject({
      'connections.yml': c.connections ?? BASE_CONNECTIONS,
      ...Object.fromEntries(Object.entries(c.assets ?? {}).map(([rel, text]) => [path.join('assets', rel), text])),
    });
    const configFile = path.join(dir, 'connections.yml');
    const err = await errorOf(
      loadProject({ configFile, assetsDir: path.join(dir, 'assets'), environment: c.environment, env: c.env ?? SECRETS, catalog: fakeCatalog }),
    );
    expect(err.message).toBe(c.message.replaceAll('<c>', configFile).replaceAll('<dir>', dir));
    expectOneSafeLine(err.message);
  });

  it('a missing connections file', async () => {
    const dir = await tempProject({});
    const configFile = path.join(dir, 'nope.yml');
    const err = await errorOf(loadProject({ configFile, assetsDir: path.join(dir, 'assets'), env: SECRETS, catalog: fakeCatalog }));
    expect(err.message).toBe(`${configFile}: (file): not found`);
  });

  it('a missing assets folder', async () => {
    const dir = await tempProject({ 'connections.yml': BASE_CONNECTIONS });
    const assetsDir = path.join(dir, 'no-assets');
    const err = await errorOf(loadProject({ configFile: path.join(dir, 'connections.yml'), assetsDir, env: SECRETS, catalog: fakeCatalog }));
    expect(err.message).toBe(`${assetsDir}: (folder): assets folder not found`);
  });
});

const uriCases: Array<{ name: string; uri: string; dest?: boolean; message: string }> = [
  { name: 'source: no token', uri: 'intercom://?region=eu', message: '--source-uri: access_token: is required (intercom://?access_token=…)' },
  {
    name: 'source: bad region',
    uri: 'intercom://?access_token=tok_SECRET_1&region=mars',
    message: '--source-uri: region: unknown value "mars" (expected one of: us, eu, au)',
  },
  {
    name: 'source: misspelt parameter holding the token',
    uri: 'intercom://?acess_token=tok_SECRET_1',
    message: '--source-uri: acess_token: unknown query parameter; did you mean "access_token"?',
  },
  {
    name: 'source: bad api_version',
    uri: 'intercom://?access_token=tok_SECRET_1&api_version=3.0',
    message: '--source-uri: api_version: unsupported API version "3.0" (supported: 2.11 to 2.16)',
  },
  {
    name: 'source: token with bad percent-encoding',
    uri: 'intercom://?access_token=tok_SECRET_%ZZ',
    message: '--source-uri: access_token: invalid percent-encoding',
  },
  {
    name: 'source: wrong scheme',
    uri: 'intercon://?access_token=tok_SECRET_1',
    message: '--source-uri: scheme: unsupported scheme "intercon://"; did you mean "intercom://"?',
  },
  { name: 'source: not a URI', uri: 'tok_SECRET_1', message: '--source-uri: scheme: not a URI; expected intercom://' },
  {
    name: 'dest: postgres without a database',
    uri: 'postgresql://loader:pg_SECRET@localhost:5432',
    dest: true,
    message: '--dest-uri: database: is required: one path segment (postgresql://…@host:5432/database)',
  },
  {
    name: 'dest: postgres bad port',
    uri: 'postgres://loader:pg_SECRET@localhost:54x/db',
    dest: true,
    message: '--dest-uri: port: must be 1 to 65535, got "54x"',
  },
  {
    name: 'dest: postgres bad sslmode',
    uri: 'postgres://loader:pg_SECRET@localhost/db?sslmode=always',
    dest: true,
    message: '--dest-uri: sslmode: unknown value "always" (expected one of: disable, prefer, require, verify-ca, verify-full)',
  },
  {
    name: 'dest: password with bad percent-encoding',
    uri: 'postgres://loader:pg_SECRET%G1@localhost/db',
    dest: true,
    message: '--dest-uri: password: invalid percent-encoding',
  },
  {
    name: 'dest: unsupported scheme',
    uri: 'mysql://u:pg_SECRET@h/db',
    dest: true,
    message: '--dest-uri: scheme: unsupported scheme "mysql://" (expected one of: duckdb://, postgresql://, postgres://, snowflake://)',
  },
  {
    name: 'dest: snowflake without credentials',
    uri: 'snowflake://LOADER@xy12345/RAW?warehouse=W',
    dest: true,
    message: '--dest-uri: password: is required, or give private_key_path= or private_key=',
  },
  {
    name: 'dest: snowflake unknown parameter',
    uri: 'snowflake://LOADER:sf_SECRET@xy12345/RAW?warehose=W',
    dest: true,
    message: '--dest-uri: warehose: unknown query parameter; did you mean "warehouse"?',
  },
  {
    name: 'dest: duckdb without a path',
    uri: 'duckdb://',
    dest: true,
    message: '--dest-uri: path: use duckdb:///relative/file.duckdb or duckdb:////absolute/file.duckdb',
  },
];

describe('malformed URIs', () => {
  it.each(uriCases)('$name', ({ uri, dest, message }) => {
    let err: unknown;
    try {
      if (dest) parseDestUri(uri, '/tmp');
      else parseSourceUri(uri);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const m = (err as ConfigError).message;
    expect(m).toBe(message);
    expectOneSafeLine(m);
  });
});
