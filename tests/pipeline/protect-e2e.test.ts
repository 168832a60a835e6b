/**
 * Issue #9 end to end: real ingests from the fake Intercom into each destination, then proof that
 * excluded and masked values appear nowhere — not in any table (data, `_elt_*`, leftover staging)
 * and not in the database files' bytes — that hashes equal SHA-256(salt || value) computed
 * separately, across runs and assets (so masked columns still join), and that partial masks look
 * as documented. Loops over destinations: DuckDB, a real Postgres server, and Snowflake through the
 * real snowflake-sdk against the protocol-level fake Snowflake (tests/snowflake/fake).
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DuckDBInstance } from '@duckdb/node-api';
import { createTestDatabase, pgClient, pgOptions } from '../destinations/harness.js';
import type { FakeSnowflake } from '../snowflake/fake/server.js';
import { fakeSnowflake, options as sfOptions, PASSWORD as SF_PASSWORD } from '../snowflake/helpers.js';
import { loadProject, type DestinationConnection, type Project } from '../../src/config/index.js';
import { startFakeIntercom, type FakeIntercom } from '../../src/fake-intercom/index.js';
import { tableCatalog } from '../../src/intercom/tables/index.js';
import { runAssets } from '../../src/pipeline/run.js';
import { makeProject, type TestProject } from '../helpers/project.js';
import { exportTable } from '../helpers/truth.js';

type Row = Record<string, unknown>;

/** A destination under test: how assets name it, how to read back everything it stored. */
interface Target {
  name: string;
  /** connections.yml lines added under `connections:` (makeProject already declares duckdb `duckdb`). */
  extraConnections: string;
  /** The connection assets load into. */
  connection: string;
  /** Rows of one table, JSON columns parsed. */
  rows(p: TestProject, schema: string, table: string): Promise<Row[]>;
  columns(p: TestProject, schema: string, table: string): Promise<Map<string, string>>;
  /** Every row of every table the destination holds (data, `_elt_*`, staging leftovers) as text. */
  dump(p: TestProject): Promise<string>;
  /** Files holding the stored bytes, when the engine keeps them where a test can read them. */
  files(p: TestProject): string[];
  /** Prepare the destination before the project is written (e.g. a fresh database). */
  setup?(): Promise<void>;
  /** Adjust the loaded project (e.g. point a connection at a local server). */
  prepare?(project: Project): void;
  teardown?(): Promise<void>;
}

async function duckQuery(file: string, sql: string): Promise<Row[]> {
  const db = await DuckDBInstance.create(file, { access_mode: 'READ_ONLY' });
  const conn = await db.connect();
  try {
    return (await conn.runAndReadAll(sql)).getRowObjectsJS() as Row[];
  } finally {
    conn.closeSync();
    db.closeSync();
  }
}

const text = (v: unknown): string => JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x));
const q = (s: string) => `"${s.replace(/"/g, '""')}"`;

const duckdb: Target = {
  name: 'duckdb',
  extraConnections: '',
  connection: 'duckdb',
  async rows(p, schema, table) {
    const rows = await duckQuery(p.duckdbPath, `SELECT * FROM ${q(schema)}.${q(table)}`);
    const types = await this.columns(p, schema, table);
    return rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, types.get(k) === 'JSON' && typeof v === 'string' ? JSON.parse(v) : v])));
  },
  async columns(p, schema, table) {
    const cols = await duckQuery(
      p.duckdbPath,
      `SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = '${schema}' AND table_name = '${table}' ORDER BY ordinal_position`,
    );
    return new Map(cols.map((c) => [String(c['column_name']), String(c['data_type'])]));
  },
  async dump(p) {
    const tables = await duckQuery(
      p.duckdbPath,
      `SELECT table_schema, table_name FROM information_schema.tables WHERE table_schema NOT IN ('information_schema', 'pg_catalog')`,
    );
    expect(tables.length).toBeGreaterThan(2);
    let out = '';
    for (const t of tables) {
      const rows = await duckQuery(p.duckdbPath, `SELECT * FROM ${q(String(t['table_schema']))}.${q(String(t['table_name']))}`);
      out += `${t['table_schema']}.${t['table_name']}\n${rows.map(text).join('\n')}\n`;
    }
    return out;
  },
  files: (p) => [p.duckdbPath, `${p.duckdbPath}.wal`].filter((f) => existsSync(f)),
};

let pgDb: { name: string; drop(): Promise<void> } | undefined;
async function pgQuery(sql: string): Promise<Row[]> {
  const c = await pgClient(pgDb!.name);
  try {
    return (await c.query(sql)).rows as Row[];
  } finally {
    await c.end();
  }
}

const postgres: Target = {
  name: 'postgres',
  get extraConnections() {
    const o = pgOptions(pgDb!.name);
    return [
      '      postgres:',
      '        - name: pg',
      `          host: ${o.host}`,
      `          port: ${o.port}`,
      `          database: ${o.database}`,
      `          username: ${o.user}`,
      `          password: "${o.password}"`,
      '          ssl_mode: disable',
    ].join('\n');
  },
  connection: 'pg',
  async setup() {
    pgDb = await createTestDatabase();
  },
  async rows(p, schema, table) {
    const rows = await pgQuery(`SELECT * FROM ${q(schema)}.${q(table)}`);
    const types = await this.columns(p, schema, table);
    // the harness client returns jsonb as text
    return rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, types.get(k) === 'jsonb' && typeof v === 'string' ? JSON.parse(v) : v])));
  },
  async columns(_p, schema, table) {
    const cols = await pgQuery(
      `SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = '${schema}' AND table_name = '${table}' ORDER BY ordinal_position`,
    );
    return new Map(cols.map((c) => [String(c['column_name']), String(c['data_type'])]));
  },
  async dump() {
    const tables = await pgQuery(
      `SELECT table_schema, table_name FROM information_schema.tables WHERE table_schema NOT IN ('information_schema', 'pg_catalog', 'pg_toast') AND table_type = 'BASE TABLE'`,
    );
    expect(tables.length).toBeGreaterThan(2);
    let out = '';
    for (const t of tables) {
      const rows = await pgQuery(`SELECT * FROM ${q(String(t['table_schema']))}.${q(String(t['table_name']))}`);
      out += `${t['table_schema']}.${t['table_name']}\n${rows.map(text).join('\n')}\n`;
    }
    return out;
  },
  // a server engine: the full table dump is the proof
  files: () => [],
};

let sfFake: FakeSnowflake | undefined;
const snowflake: Target = {
  name: 'snowflake (real snowflake-sdk, fake server)',
  get extraConnections() {
    return [
      '      snowflake:',
      '        - name: sf',
      '          account: xy12345',
      '          username: loader',
      `          password: "${SF_PASSWORD}"`,
      '          database: analytics',
      '          warehouse: load_wh',
    ].join('\n');
  },
  connection: 'sf',
  async setup() {
    sfFake = await fakeSnowflake();
  },
  prepare(project) {
    // connections.yml has no key for a custom Snowflake URL: point the loaded connection at the fake
    const conn = project.destinations.get('sf')!;
    project.destinations.set('sf', { ...conn, ...sfOptions(sfFake!) } as DestinationConnection);
  },
  async teardown() {
    await sfFake?.close();
  },
  async rows(p, schema, table) {
    const rows = (await sfFake!.query(`SELECT * FROM ${q(schema)}.${q(table)}`)) as Row[];
    const types = await this.columns(p, schema, table);
    // VARIANT columns (JSON in the fake's engine) come back as JSON text
    const isJson = (k: string) => /JSON|VARIANT/i.test(types.get(k) ?? '');
    return rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, isJson(k) && typeof v === 'string' ? JSON.parse(v) : v])));
  },
  async columns(_p, schema, table) {
    const cols = (await sfFake!.query(
      `SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = '${schema}' AND table_name = '${table}' ORDER BY ordinal_position`,
    )) as Row[];
    return new Map(cols.map((c) => [String(c['column_name']), String(c['data_type'])]));
  },
  async dump() {
    const tables = (await sfFake!.query(
      `SELECT table_schema, table_name FROM information_schema.tables WHERE table_schema NOT IN ('information_schema', 'pg_catalog')`,
    )) as Row[];
    expect(tables.length).toBeGreaterThan(2);
    let out = '';
    for (const t of tables) {
      const rows = (await sfFake!.query(`SELECT * FROM ${q(String(t['table_schema']))}.${q(String(t['table_name']))}`)) as Row[];
      out += `${t['table_schema']}.${t['table_name']}\n${rows.map(text).join('\n')}\n`;
    }
    return out;
  },
  // the stage files are purged after COPY; the table dump is the proof
  files: () => [],
};

const TARGETS: Target[] = [duckdb, postgres, snowflake];

const TOKEN = 'tok-protect-51c2';
const SALT = 'pr0tect-salt-e2e';
const sha = (v: string) =>
  createHash('sha256')
    .update(SALT + v, 'utf8')
    .digest('hex');

const ZELDA = {
  email: 'zelda.sentinel@acme-secret.io',
  phone: '+1 555 010 4242',
  name: 'Zelda Sentinelova',
  account: 'ACCT-SECRET-9931',
  city: 'Hafnarfjordur-Secretville',
  externalId: 'EXT-SECRET-5120',
  body: 'my card is 4111-SECRET-BODY',
};

const contactsAsset = `name: intercom.contacts
parameters:
  source_table: contacts
  destination_connection: CONN
  mask_salt: \${PROTECT_TEST_SALT}
  custom_attribute_columns: true   # typed columns are built from the protected JSON
columns:
  - name: id
    primary_key: true
  - name: email
    mask: hash
  - name: phone
    mask: partial
  - name: name
    exclude: true
  - name: external_id
    mask: redact
  - name: custom_attributes.account_name
    exclude: true
  - name: location.city
    exclude: true
`;
const slimAsset = `name: slim.contacts_slim
parameters:
  source_table: contacts
  destination_connection: CONN
  select_columns: [email, custom_attributes.plan_tier]
columns:
  - name: email
    mask: hash
`;
const conversationsAsset = `name: intercom.conversations
parameters:
  source_table: conversations
  destination_connection: CONN
  mask_salt: \${PROTECT_TEST_SALT}
columns:
  - name: source.author.email
    mask: hash
  - name: source.body
    exclude: true
  - name: source.author.name
    exclude: true
  - name: conversation_parts.body
    exclude: true
  - name: conversation_parts.author.email
    mask: hash
  - name: conversation_parts.author.name
    exclude: true
`;

let fake: FakeIntercom;
let zeldaId: string;

beforeAll(async () => {
  // the asset files reference ${PROTECT_TEST_SALT}; contacts_slim falls back to INTERCOM_ELT_MASK_SALT
  process.env['PROTECT_TEST_SALT'] = SALT;
  process.env['INTERCOM_ELT_MASK_SALT'] = SALT;
  fake = await startFakeIntercom({ seed: 9, token: TOKEN, contacts: 120, companies: 5, conversations: 40, tickets: 2 });
  const zelda = fake.createContact({
    email: ZELDA.email,
    phone: ZELDA.phone,
    name: ZELDA.name,
    external_id: ZELDA.externalId,
    custom_attributes: { account_name: ZELDA.account, plan_tier: 'enterprise' },
    location: { type: 'location', country: 'Iceland', region: 'Capital', city: ZELDA.city, country_code: 'IS', continent_code: 'EU' },
  }) as unknown as { id: string };
  zeldaId = zelda.id;
  fake.createConversation({
    source: {
      type: 'conversation',
      id: '499999999',
      delivered_as: 'customer_initiated',
      subject: '',
      body: `<p>${ZELDA.body}</p>`,
      author: { type: 'user', id: zeldaId, name: ZELDA.name, email: ZELDA.email },
      attachments: [],
      url: null,
      redacted: false,
    },
  });
  fake.clock.advance(300); // past the search settle lag
});

afterAll(async () => {
  await fake?.close();
  delete process.env['PROTECT_TEST_SALT'];
  delete process.env['INTERCOM_ELT_MASK_SALT'];
});

describe.each(TARGETS)('$name: protected columns', (target) => {
  afterAll(async () => {
    await target.teardown?.();
  });
  let p: TestProject;
  let project: Project;
  let contactsTruth: Row[];
  let conversationsTruth: Row[];

  const run = async () => {
    const r = await runAssets(project, project.assets);
    for (const s of r.summaries) if (s.error) throw s.error;
    expect(r.ok).toBe(true);
  };

  /** Every original value that must not be stored anywhere. */
  const secrets = (): string[] => {
    const out: string[] = Object.values(ZELDA);
    for (const c of contactsTruth) {
      out.push(String(c['email']));
      if (typeof c['phone'] === 'string') out.push(c['phone'], c['phone'].replace(/\D/g, ''));
    }
    for (const v of conversationsTruth) {
      const source = v['source'] as { author: { email: string }; body: string };
      out.push(source.author.email, source.body);
    }
    // conversation parts (child table): bodies and author emails
    out.push('I need help with', ZELDA.phone.replace(/\D/g, ''), '<p>Part 1: ', 'New reply 1', 'user@example.com', '.example.com');
    return [...new Set(out)];
  };

  beforeAll(async () => {
    await target.setup?.();
    const fill = (yaml: string) => yaml.replace('CONN', target.connection);
    p = makeProject({
      url: fake.url,
      token: TOKEN,
      extraConnections: target.extraConnections,
      assets: { contacts: fill(contactsAsset), contacts_slim: fill(slimAsset), conversations: fill(conversationsAsset) },
    });
    project = await loadProject({ configFile: p.configFile, assetsDir: p.assetsDir, env: process.env, catalog: tableCatalog });
    target.prepare?.(project);
    contactsTruth = await exportTable(fake.url, 'contacts');
    conversationsTruth = await exportTable(fake.url, 'conversations');
    expect(contactsTruth.some((c) => c['email'] === ZELDA.email)).toBe(true);
    await run();
  });

  test('no excluded or masked value is stored in any table', async () => {
    const dump = await target.dump(p);
    // the dump holds the data (a check that cannot pass vacuously)
    expect(dump).toContain(zeldaId);
    expect(dump).toContain(sha(ZELDA.email));
    expect(dump).toContain('Iceland');
    const found = secrets().filter((s) => dump.includes(s));
    expect(found).toEqual([]);
  });

  test('no excluded or masked value is in the database files’ bytes', () => {
    const files = target.files(p);
    if (files.length === 0) return; // a server engine: the table dump above is the proof
    const bytes = Buffer.concat(files.map((f) => readFileSync(f)));
    const found = secrets().filter((s) => bytes.includes(Buffer.from(s, 'utf8')));
    expect(found).toEqual([]);
  });

  test('excluded columns and paths are gone; masked columns are strings; keys kept', async () => {
    const cols = await target.columns(p, 'intercom', 'contacts');
    expect(cols.has('name')).toBe(false);
    expect(cols.has('id') && cols.has('updated_at') && cols.has('location')).toBe(true);
    expect(cols.get('email')).toMatch(/VARCHAR|TEXT|STRING/i);
    const zelda = (await target.rows(p, 'intercom', 'contacts')).find((r) => r['id'] === zeldaId)!;
    expect(zelda['external_id']).toBeNull();
    expect(zelda['location']).toEqual({ type: 'location', country: 'Iceland', region: 'Capital', country_code: 'IS', continent_code: 'EU' });
    expect(zelda['custom_attributes']).toMatchObject({ plan_tier: 'enterprise' });
    expect(Object.keys(zelda['custom_attributes'] as object)).not.toContain('account_name');
    // typed custom-attribute columns see the protected JSON: the excluded attribute's column is empty
    expect(zelda['ca_plan_tier']).toBe('enterprise');
    expect(cols.has('ca_account_name')).toBe(true);
    expect(zelda['ca_account_name']).toBeNull();

    const slim = await target.columns(p, 'slim', 'contacts_slim');
    expect([...slim.keys()].sort()).toEqual(['_elt_load_id', '_elt_loaded_at', 'custom_attributes', 'email', 'id', 'updated_at']);
    for (const r of await target.rows(p, 'slim', 'contacts_slim')) {
      expect(Object.keys((r['custom_attributes'] as object | null) ?? {}).filter((k) => k !== 'plan_tier')).toEqual([]);
    }
  });

  test('hash = SHA-256(salt || value), equal across assets, so masked columns join', async () => {
    const contacts = await target.rows(p, 'intercom', 'contacts');
    expect(contacts).toHaveLength(contactsTruth.length);
    const truthEmail = new Map(contactsTruth.map((c) => [String(c['id']), String(c['email'])]));
    for (const c of contacts) expect(c['email']).toBe(sha(truthEmail.get(String(c['id']))!));

    const slim = new Map((await target.rows(p, 'slim', 'contacts_slim')).map((r) => [r['id'], r['email']]));
    expect(slim.get(zeldaId)).toBe(sha(ZELDA.email));

    // join conversations to contacts on the hashed email
    const byEmail = new Map(contacts.map((c) => [c['email'], c['id']]));
    const convs = await target.rows(p, 'intercom', 'conversations');
    const joined = convs.filter((v) => byEmail.get((v['source'] as { author: { email: string } }).author.email) === zeldaId);
    expect(joined).toHaveLength(1);
    expect(Object.keys(joined[0]!['source'] as object)).not.toContain('body');

    // the child table got its own rules: bodies gone, author emails hashed
    const parts = await target.rows(p, 'intercom', 'conversation_parts');
    expect(parts.length).toBeGreaterThan(conversationsTruth.length);
    expect((await target.columns(p, 'intercom', 'conversation_parts')).has('body')).toBe(false);
    for (const part of parts) {
      const email = (part['author'] as { email?: string } | null)?.email;
      if (email != null) expect(email).toMatch(/^[0-9a-f]{64}$/);
    }
  });

  test('partial keeps the last 4 digits of a phone number', async () => {
    const truthPhone = new Map(contactsTruth.map((c) => [String(c['id']), c['phone'] as string | null]));
    const rows = await target.rows(p, 'intercom', 'contacts');
    expect(rows.find((r) => r['id'] === zeldaId)!['phone']).toBe('***4242');
    let phones = 0;
    for (const r of rows) {
      const truth = truthPhone.get(String(r['id']));
      if (truth == null) expect(r['phone']).toBeNull();
      else {
        phones++;
        expect(r['phone']).toBe(`***${truth.replace(/\D/g, '').slice(-4)}`);
      }
    }
    expect(phones).toBeGreaterThan(10);
  });

  test('a second run keeps the same hashes and still stores no secret', async () => {
    const before = (await target.rows(p, 'intercom', 'contacts')).find((r) => r['id'] === zeldaId)!;
    fake.updateContact(zeldaId, { name: 'Zelda Renamed-Secret' });
    fake.clock.advance(300);
    await run();
    const zelda = (await target.rows(p, 'intercom', 'contacts')).find((r) => r['id'] === zeldaId)!;
    expect(zelda['_elt_load_id']).not.toBe(before['_elt_load_id']); // the row was loaded again
    expect(zelda['email']).toBe(sha(ZELDA.email));
    const dump = await target.dump(p);
    expect(dump).not.toContain('Zelda Renamed-Secret');
    expect(secrets().filter((s) => dump.includes(s))).toEqual([]);
  });
});

test('the documented DuckDB SQL computes the same hash (joins with data hashed in the warehouse)', async () => {
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  try {
    const [row] = (await conn.runAndReadAll(`SELECT sha256('${SALT}' || '${ZELDA.email}') AS h`)).getRowObjectsJS();
    expect(row!['h']).toBe(sha(ZELDA.email));
  } finally {
    conn.closeSync();
    db.closeSync();
  }
});
