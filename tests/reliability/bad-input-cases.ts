/**
 * Issue #7, bad input: every case the suite feeds the real CLI, declared once. Each must end with
 * exit 1 and one clear line naming the file and field (config errors) or the connection and
 * endpoint (runtime failures), no stack trace without --debug, and no secret anywhere.
 * bad-input.test.ts runs them; docs/reliability.md lists `name` and `expect`.
 *
 * A case edits a good project: connections.yml (`conn`), the asset files (`assets`), the CLI
 * arguments (`args`, which replace `--config <file>` when they hold --config or --source-uri)
 * and the environment (`env`). Values that exist only at run time (ports, URLs) come from `ctx`.
 */
import { execFileSync } from 'node:child_process';
import { symlinkSync } from 'node:fs';
import path from 'node:path';
import { asset as assetOf } from '../helpers/project.js';

/** What the test knows once its servers are up. */
export interface CaseContext {
  /** The fake Intercom's URL (it accepts only `TOKEN`). */
  intercomUrl: string;
  /** A proxy in front of the fake answering /contacts/search with 403 api_plan_restricted. */
  restrictedUrl: string;
  /** A Postgres port nothing listens on. */
  closedPort: number;
  /** A DuckDB file path on a read-only mount (undefined when mount is not permitted). */
  readOnlyDuckdb?: string;
  /** A DuckDB file path on a nearly full tmpfs (undefined when mount is not permitted). */
  fullDiskDuckdb?: string;
}

export interface BadInputCase {
  name: string;
  /** Substrings the one error line must contain. */
  expect: string[];
  conn?: (yml: string, ctx: CaseContext) => string;
  assets?: Record<string, string>;
  args?: (ctx: CaseContext) => string[];
  env?: Record<string, string>;
  /** Runs needing a mount: the test prepares the mount and the previous run itself. */
  special?: 'read-only-duckdb' | 'full-disk';
  /** Makes what a string cannot say (a FIFO, a link to a device) in the project folder. */
  setup?: (dir: string) => void;
  /**
   * The plain and the --debug run one after the other: both reach the same destination table, and
   * the second would meet the first's asset lock instead of the error under test.
   */
  serial?: boolean;
}

/** Distinctive secrets: grepped for in every output, file and table. */
export const TOKEN = 'tok-rel-bad-8d41c7f2e9a3';
export const TOKEN_ENV = 'REL_BAD_INTERCOM_TOKEN';
export const WRONG_TOKEN = 'tok-rel-wrong-5e90b1d3a6c4';
export const PG_PASSWORD = 'pgpw-rel-3b7f1c9e0d52';
export const PG_PASSWORD_ENV = 'REL_BAD_PG_PASSWORD';
export const WRONG_PG_PASSWORD = 'pgpw-rel-wrong-71c0e8a4';
export const PG_NO_CREATE_PASSWORD = 'pgpw-rel-nocreate-9a2d4e61';
export const WRONG_SF_PASSWORD = 'sfpw-rel-wrong-2f6b8d03';
/** The part after an unencoded '&' in a --source-uri token (issue 17 item 10): a secret too. */
export const SPLIT_TOKEN_TAIL = 'tail-rel-amp-6c1e93b0f7';
export const SECRETS = [TOKEN, WRONG_TOKEN, PG_PASSWORD, WRONG_PG_PASSWORD, PG_NO_CREATE_PASSWORD, WRONG_SF_PASSWORD, SPLIT_TOKEN_TAIL];

/** An asset loading into the project's DuckDB file unless it names another destination. */
export const asset = (table: string, params: Record<string, string> = {}): string => assetOf(table, { destination_connection: 'duckdb', ...params });
const source = (ctx: CaseContext, query = '') => `intercom://?access_token=${TOKEN}&base_url=${encodeURIComponent(ctx.intercomUrl)}${query}`;
const oneShot =
  (dest: string, extra: string[] = []) =>
  (ctx: CaseContext): string[] => ['--source-uri', source(ctx), '--source-table', 'contacts', '--dest-uri', dest, ...extra];
const destAsset = (destination: string) => ({ contacts: asset('contacts', { destination_connection: destination }) });

export const BAD_INPUT_CASES: BadInputCase[] = [
  // --- connections.yml
  { name: 'malformed YAML in connections.yml', conn: (c) => c + '\n  : [unclosed', expect: ['connections.yml'] },
  { name: 'a tab in the indentation of connections.yml', conn: (c) => c.replace('      region: us', '\t  region: us'), expect: ['connections.yml'] },
  {
    name: 'environment variable not set',
    conn: (c) => c.replace(`\${${TOKEN_ENV}}`, '${NOT_SET_ANYWHERE_XYZ}'),
    expect: ['connections.yml', 'access_token', 'NOT_SET_ANYWHERE_XYZ'],
  },
  { name: 'bad region', conn: (c) => c.replace('region: us', 'region: mars'), expect: ['connections.yml', 'region'] },
  {
    name: 'unknown key with a "did you mean"',
    conn: (c) => c.replace('access_token', 'acess_token'),
    expect: ['connections.yml', 'acess_token', 'did you mean', 'access_token'],
  },
  {
    name: 'unknown key in a Postgres connection',
    conn: (c) => c.replace('      host:', '      hots:'),
    expect: ['connections.yml', 'hots', 'did you mean', 'host'],
  },
  { name: 'bad api_version', conn: (c) => c.replace('region: us', 'region: us\n      api_version: "3.9"'), expect: ['connections.yml', 'api_version'] },
  { name: 'region of the wrong type (a list)', conn: (c) => c.replace('region: us', 'region: [us]'), expect: ['connections.yml', 'region'] },
  { name: 'port of the wrong type (a word)', conn: (c) => c.replace(/port: \d+/, 'port: fivefourthreetwo'), expect: ['connections.yml', 'port'] },
  {
    name: 'timeout_seconds of the wrong type',
    conn: (c) => c.replace('region: us', 'region: us\n      timeout_seconds: soon'),
    expect: ['connections.yml', 'timeout_seconds'],
  },
  { name: 'empty access token', conn: (c) => c.replace(`\${${TOKEN_ENV}}`, '""'), expect: ['connections.yml', 'access_token', 'empty'] },
  { name: 'access token from an empty environment variable', env: { [TOKEN_ENV]: '' }, expect: ['connections.yml', 'access_token', TOKEN_ENV] },
  { name: 'missing access token', conn: (c) => c.replace(/ *access_token: .*\n/, ''), expect: ['connections.yml', 'access_token', 'required'] },
  { name: 'bad base_url', conn: (c, ctx) => c.replace(ctx.intercomUrl, 'ftp://example.com'), expect: ['connections.yml', 'base_url'] },
  { name: 'no intercom connection', conn: (c) => c.replace(/ {2}intercom:\n( {4}.*\n)+/, ''), expect: ['contacts.asset.yml', 'source_connection'] },
  { name: 'unknown environment', args: () => ['-e', 'staging'], expect: ['connections.yml', 'staging'] },
  { name: 'missing config file', args: () => ['--config', 'does-not-exist.yml'], expect: ['does-not-exist.yml'] },
  // --- assets
  { name: 'malformed YAML in an asset', assets: { contacts: 'name: [oops\n' }, expect: ['contacts.asset.yml'] },
  {
    name: 'unknown strategy',
    assets: { contacts: asset('contacts', { incremental_strategy: 'upsert' }) },
    expect: ['contacts.asset.yml', 'incremental_strategy'],
  },
  {
    name: 'unknown strategy in materialization',
    assets: { contacts: 'parameters:\n  source_table: contacts\n  destination_connection: duckdb\nmaterialization:\n  strategy: explode\n' },
    expect: ['contacts.asset.yml', 'strategy'],
  },
  {
    name: 'unknown asset key with a "did you mean"',
    assets: { contacts: asset('contacts', { incremental_stratgy: 'merge' }) },
    expect: ['contacts.asset.yml', 'incremental_stratgy', 'did you mean', 'incremental_strategy'],
  },
  { name: 'tags of the wrong type', assets: { contacts: asset('contacts') + 'tags: 5\n' }, expect: ['contacts.asset.yml', 'tags'] },
  {
    name: 'unknown source connection',
    assets: { contacts: asset('contacts', { source_connection: 'nope' }) },
    expect: ['contacts.asset.yml', 'source_connection'],
  },
  { name: 'unknown source table', assets: { x: asset('contactz') }, expect: ['x.asset.yml', 'source_table', 'contacts'] },
  { name: 'bad lookback duration', assets: { contacts: asset('contacts', { lookback: '10x' }) }, expect: ['contacts.asset.yml', 'lookback'] },
  { name: 'bad start_date', assets: { contacts: asset('contacts') + 'start_date: yesterday-ish\n' }, expect: ['contacts.asset.yml', 'start_date'] },
  { name: 'duplicate asset names', assets: { a: asset('contacts'), b: asset('contacts') }, expect: ['intercom.contacts'] },
  { name: 'unknown destination connection', assets: destAsset('warehouse9'), expect: ['contacts.asset.yml', 'destination'] },
  {
    name: "incremental_key that is not the table's key",
    assets: { contacts: asset('contacts', { incremental_key: 'favourite_colour' }) },
    expect: ['contacts.asset.yml', 'incremental_key', 'favourite_colour'],
  },
  {
    name: 'incremental_key on a table read in full',
    assets: { admins: asset('admins', { incremental_key: 'updated_at' }) },
    expect: ['admins.asset.yml', 'incremental_key'],
  },
  {
    name: 'delete+insert on a table without an incremental key',
    assets: { tags: asset('tags', { incremental_strategy: 'delete+insert' }) },
    expect: ['tags.asset.yml', 'incremental_strategy', 'incremental key'],
  },
  {
    name: 'primary key column that is not a column',
    assets: { contacts: asset('contacts') + 'columns:\n  - name: no_such_column\n    primary_key: true\n' },
    expect: ['contacts.asset.yml', 'columns[0].primary_key', 'no_such_column'],
  },
  // --- flags and the ingestr URI form
  {
    name: 'bad --source-uri (no token)',
    args: () => ['--source-uri', 'intercom://?region=eu', '--source-table', 'contacts', '--dest-uri', 'duckdb:///x.duckdb'],
    expect: ['--source-uri', 'access_token'],
  },
  {
    name: 'unknown --source-uri parameter with a "did you mean"',
    args: (ctx) => ['--source-uri', source(ctx, '&regoin=eu'), '--source-table', 'contacts', '--dest-uri', 'duckdb:///x.duckdb'],
    expect: ['--source-uri', 'regoin', 'region'],
  },
  { name: 'bad --dest-uri scheme', args: oneShot('mysql://u@h/db'), expect: ['--dest-uri'] },
  { name: 'bad --dest-uri port', args: oneShot(`postgresql://u:${PG_PASSWORD}@127.0.0.1:99999/db`), expect: ['--dest-uri', 'port'] },
  {
    name: 'unknown --source-table',
    args: (ctx) => ['--source-uri', source(ctx), '--source-table', 'contactz', '--dest-uri', 'duckdb:///x.duckdb'],
    expect: ['--source-table', 'contactz'],
  },
  {
    name: '--incremental-key that is not a column',
    args: oneShot('duckdb:///x.duckdb', ['--incremental-key', 'favourite_colour']),
    expect: ['--incremental-key', 'favourite_colour'],
  },
  {
    name: '--primary-key that is not a column',
    args: oneShot('duckdb:///x.duckdb', ['--primary-key', 'no_such_column']),
    expect: ['--primary-key', 'no_such_column'],
  },
  {
    name: 'merge with an empty --primary-key',
    args: oneShot('duckdb:///x.duckdb', ['--incremental-strategy', 'merge', '--primary-key', ',']),
    expect: ['--primary-key'],
  },
  { name: 'bad --interval-start', args: () => ['--interval-start', 'last tuesday'], expect: ['--interval-start'] },
  { name: 'bad --parallel', args: () => ['--parallel', '0'], expect: ['--parallel'] },
  { name: 'unknown asset selected', args: () => ['intercom.nope'], expect: ['intercom.nope'] },
  // --- runtime: Intercom
  { name: '401 from Intercom (wrong token)', env: { [TOKEN_ENV]: WRONG_TOKEN }, expect: ["connection 'intercom'", '401', 'unauthorized'] },
  {
    name: '403 api_plan_restricted from Intercom',
    conn: (c, ctx) => c.replace(ctx.intercomUrl, ctx.restrictedUrl),
    expect: ['intercom.contacts', '/contacts/search', '403', 'api_plan_restricted'],
  },
  // --- runtime: destinations
  { name: 'unreachable Postgres (closed port)', assets: destAsset('pg_closed'), expect: ['pg_closed', '127.0.0.1', 'ECONNREFUSED'] },
  { name: 'wrong Postgres password', assets: destAsset('pg_wrong_password'), expect: ['pg_wrong_password', 'password authentication failed'] },
  { name: 'Postgres role without CREATE on the database', assets: destAsset('pg_no_create'), expect: ['pg_no_create', 'permission denied'], serial: true },
  { name: 'wrong Snowflake password', assets: destAsset('sf_wrong_password'), expect: ['sf_wrong_password', 'Incorrect username or password'] },
  { name: 'DuckDB file in a folder that does not exist', assets: destAsset('duck_nowhere'), expect: ['duck_nowhere', 'No such file or directory'] },
  { name: 'read-only DuckDB file (read-only bind mount)', special: 'read-only-duckdb', expect: ['duck_ro', 'Read-only file system'] },
  { name: 'full disk (DuckDB on a nearly full tmpfs)', special: 'full-disk', expect: ['intercom.contacts', 'duck_full', 'No space left on device'] },
  // --- issue 17: hostile files and values
  {
    name: 'timeout_seconds: .nan (YAML not-a-number)',
    conn: (c) => c.replace('region: us', 'region: us\n      timeout_seconds: .nan'),
    expect: ['connections.yml', 'timeout_seconds', 'finite'],
  },
  { name: 'headroom: .nan', conn: (c) => c.replace('region: us', 'region: us\n      headroom: .nan'), expect: ['connections.yml', 'headroom', 'finite'] },
  {
    name: 'request_timeout_seconds: .inf',
    conn: (c) => c.replace('region: us', 'region: us\n      request_timeout_seconds: .inf'),
    expect: ['connections.yml', 'request_timeout_seconds', 'finite'],
  },
  {
    name: 'an asset named intercom._elt_state (the state table)',
    assets: { x: 'name: intercom._elt_state\n' + asset('contacts').split('\n').slice(1).join('\n') },
    expect: ['x.asset.yml', 'name', '_elt_state', 'reserved'],
  },
  {
    name: 'an asset named intercom._elt_loads (the load history)',
    assets: { x: 'name: intercom._ELT_LOADS\n' + asset('contacts').split('\n').slice(1).join('\n') },
    expect: ['x.asset.yml', 'name', '_ELT_LOADS', 'reserved'],
  },
  {
    name: '--dest-table naming a metadata table',
    args: oneShot('duckdb:///x.duckdb', ['--dest-table', 'intercom._elt_loads']),
    expect: ['--dest-table', '_elt_loads', 'reserved'],
  },
  {
    name: "an unencoded '&' in the --source-uri token",
    args: (ctx) => [
      '--source-uri',
      source(ctx).replace(`access_token=${TOKEN}`, `access_token=${TOKEN}&${SPLIT_TOKEN_TAIL}`),
      '--source-table',
      'contacts',
      '--dest-uri',
      'duckdb:///x.duckdb',
    ],
    expect: ['--source-uri', 'access_token', '%26'],
  },
  {
    name: 'an asset file that is a FIFO',
    setup: (dir) => execFileSync('mkfifo', [path.join(dir, 'assets', 'fifo.asset.yml')]),
    expect: ['fifo.asset.yml', 'FIFO', 'not a regular file'],
  },
  {
    name: 'an asset file linked to /dev/zero',
    setup: (dir) => symlinkSync('/dev/zero', path.join(dir, 'assets', 'zero.asset.yml')),
    expect: ['zero.asset.yml', 'character device'],
  },
  { name: '--config /dev/urandom', args: () => ['--config', '/dev/urandom'], expect: ['/dev/urandom', 'not a regular file'] },
  { name: 'an asset file over 1 MiB', assets: { contacts: asset('contacts'), big: `# ${'x'.repeat(1100 * 1024)}\n` }, expect: ['big.asset.yml', 'bytes'] },
];
