/**
 * Issue #7, hostile data: custom attribute names and values with quotes, backslashes, `;`,
 * control characters, emoji, 300-character names, SQL keywords, names differing only in case
 * or normalising alike, 150-level JSON and 1 MiB strings (tests/reliability/hostile-cases.ts)
 * go through the real CLI into DuckDB, Postgres and Snowflake (real snowflake-sdk, fake
 * Snowflake) and land intact: the `custom_attributes` JSON column parses back to exactly what
 * Intercom sent, every typed `ca_` column holds its own attribute's value, contact names and
 * emails, conversation titles and part bodies are byte-equal, and no value is run as SQL.
 */
import { afterAll, describe, expect, test } from 'vitest';
import { appendFileSync } from 'node:fs';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { startFakeIntercom, type FakeIntercom } from '../../src/fake-intercom/index.js';
import { getTable } from '../../src/intercom/tables/index.js';
import { customAttributeColumns, type DataAttributeLike } from '../../src/transforms/custom-attributes.js';
import { duckDbDialect } from '../../src/destinations/duckdb/sql.js';
import { postgresDialect } from '../../src/destinations/postgres/sql.js';
import { snowflakeDialect } from '../../src/destinations/snowflake/sql.js';
import { exportTable } from '../helpers/truth.js';
import { expectEqualsExport, ingestOk, openTarget, project, TARGETS, type Target, type TargetKind } from './harness.js';
import { BIG_STRING, deepJson, HOSTILE_NAMES, HOSTILE_VALUES } from './hostile-cases.js';

const TOKEN = 'tok-rel-hostile-4b2e91';
const ASSETS = ['contacts', 'companies', 'conversations'] as const;
const BIG_ATTR = 'big; "1 MiB" \\ 🚀';
const MAX_IDENTIFIER: Record<TargetKind, number> = {
  duckdb: duckDbDialect.capabilities.maxIdentifierLength,
  postgres: postgresDialect.capabilities.maxIdentifierLength,
  snowflake: snowflakeDialect('intercom').capabilities.maxIdentifierLength,
};

const open: Array<{ close(): Promise<void> }> = [];
afterAll(async () => {
  for (const o of open.reverse()) await o.close();
});

type Rec = Record<string, unknown>;

/** Equality that, on failure, names the row and column and shows where the text first differs (no 1 MiB diffs). */
function same(label: string, got: unknown, want: unknown): void {
  if (isDeepStrictEqual(got, want)) return;
  const g = typeof got === 'string' ? got : (JSON.stringify(got) ?? String(got));
  const w = typeof want === 'string' ? want : (JSON.stringify(want) ?? String(want));
  let i = 0;
  while (i < g.length && i < w.length && g[i] === w[i]) i++;
  const at = (s: string) => JSON.stringify(s.slice(Math.max(0, i - 20), i + 40));
  expect.fail(`${label}: differs at char ${i} (lengths ${g.length} vs ${w.length}): got ${at(g)}, want ${at(w)}`);
}

/** The hostile world: every name declared as a string attribute, every value in every string place. */
function populate(fake: FakeIntercom): void {
  for (const n of HOSTILE_NAMES) fake.createDataAttribute({ model: 'contact', name: n.attribute, data_type: 'string' });
  fake.createDataAttribute({ model: 'contact', name: BIG_ATTR, data_type: 'string' });
  // attribute k holds the value tagged with its own name (a swapped column would show); the first holds it bare
  const attrs = (value: string) => Object.fromEntries(HOSTILE_NAMES.map((n, k) => [n.attribute, k === 0 ? value : `${value}|${n.name}`]));
  for (const v of HOSTILE_VALUES) {
    fake.createContact({ name: v.value, email: `${v.value}@hostile.test`, custom_attributes: attrs(v.value) });
    fake.createCompany({ name: v.value, custom_attributes: attrs(v.value) });
    const conv = fake.createConversation({ title: v.value, custom_attributes: attrs(v.value) }) as { id: string };
    fake.addConversationParts(conv.id, 1, { body: v.value });
  }
  // 1 MiB in a typed attribute, the name and a part body; 150 levels of JSON in an undeclared key and in a string attribute (a mismatch: JSON only)
  fake.createContact({ name: BIG_STRING, custom_attributes: { [BIG_ATTR]: BIG_STRING, deep: deepJson(), [HOSTILE_NAMES[1]!.attribute]: deepJson(3) } });
  const conv = fake.createConversation({ title: 'big', custom_attributes: { deep: deepJson() } }) as { id: string };
  fake.addConversationParts(conv.id, 1, { body: BIG_STRING });
}

/** Rows of a table by id, with `cols` read as they are and `json` columns read as text and parsed. */
async function rowsById(target: Target, table: string, cols: string[], json: string[] = []): Promise<Map<string, Rec>> {
  const sel = [`${target.text('"id"')} AS "id"`, ...cols.map((c) => `"${c}"`), ...json.map((c) => `${target.text(`"${c}"`)} AS "${c}"`)];
  const rows = await target.query(`SELECT ${sel.join(', ')} FROM "intercom"."${table}"`);
  return new Map(
    rows.map((r) => {
      for (const c of json) r[c] = r[c] == null ? null : JSON.parse(String(r[c]));
      return [String(r['id']), r];
    }),
  );
}

/** Every export row's string and JSON columns equal the destination's. */
async function expectColumnsEqual(fake: FakeIntercom, target: Target, table: string, cols: string[], json: string[]): Promise<number> {
  const want = await exportTable(fake.url, table);
  const got = await rowsById(target, table, cols, json);
  let checked = 0;
  for (const w of want) {
    const id = String(w['id']);
    const g = got.get(id);
    expect(g, `${target.kind} ${table} ${id} missing`).toBeDefined();
    for (const c of [...cols, ...json]) {
      same(`${target.kind} ${table}.${c} of ${id}`, g![c] ?? null, w[c] ?? null);
      checked++;
    }
  }
  return checked;
}

describe.each(TARGETS)('hostile data into %s', (kind) => {
  test('names and values land intact, typed columns hold their own attribute, nothing runs as SQL', async () => {
    const fake = await startFakeIntercom({ seed: 77, token: TOKEN, contacts: 4, companies: 2, conversations: 2, tickets: 0, admins: 2 });
    open.push(fake);
    populate(fake);
    let p: ReturnType<typeof project> | undefined;
    const target = await openTarget(kind, () => p!.duckdbPath);
    open.push(target);
    p = project(fake, TOKEN, target, ASSETS);
    appendFileSync(path.join(p.assetsDir, 'contacts.asset.yml'), '  custom_attribute_columns: true\n');

    await ingestOk(p, target);
    // a second run over existing tables: the changed rows go through the staging MERGE path
    const contacts = (await exportTable(fake.url, 'contacts')).filter((c) => HOSTILE_VALUES.some((v) => v.value === c['name']));
    fake.clock.advance(120);
    HOSTILE_VALUES.forEach((v, k) => {
      const next = HOSTILE_VALUES[(k + 1) % HOSTILE_VALUES.length]!.value;
      const c = contacts.find((x) => x['name'] === v.value)!;
      fake.updateContact(String(c['id']), { name: next, custom_attributes: { [HOSTILE_NAMES[0]!.attribute]: next } });
    });
    fake.clock.advance(120); // past the 30 s settle lag of the next run's window
    await ingestOk(p, target);

    // keys and updated_at of every table equal the export, no duplicates: no row lost, no table dropped
    await expectEqualsExport(fake, target, ASSETS);

    // strings and JSON columns equal, value by value
    let checked = 0;
    checked += await expectColumnsEqual(fake, target, 'contacts', ['name', 'email'], ['custom_attributes']);
    checked += await expectColumnsEqual(fake, target, 'companies', ['name'], ['custom_attributes']);
    checked += await expectColumnsEqual(fake, target, 'conversations', ['title'], ['custom_attributes']);
    checked += await expectColumnsEqual(fake, target, 'conversation_parts', ['body'], []);

    // typed columns: the documented names, each holding its own attribute's value
    const declared = (await exportTable(fake.url, 'data_attributes')).filter((a) => a['model'] === 'contact') as unknown as DataAttributeLike[];
    const mapping = customAttributeColumns(declared, { maxIdentifierLength: MAX_IDENTIFIER[kind], reserved: getTable('contacts')!.columns.map((c) => c.name) });
    for (const n of [...HOSTILE_NAMES.map((h) => h.attribute), BIG_ATTR]) expect(mapping.map((m) => m.attribute)).toContain(n);
    const cols = await target.query(`SELECT column_name AS c FROM information_schema.columns WHERE table_schema = 'intercom' AND table_name = 'contacts'`);
    const have = new Set(cols.map((r) => String(r['c'])));
    expect(
      mapping.filter((m) => !have.has(m.column)).map((m) => `${m.attribute} -> ${m.column}`),
      `${kind}: typed columns missing`,
    ).toEqual([]);
    expect(new Set(mapping.map((m) => m.column.toLowerCase())).size).toBe(mapping.length);
    // values of the string attributes (all hostile ones; the generated typed ones are tests/pipeline's)
    const strings = mapping.filter((m) => m.type === 'string');
    const typed = await rowsById(
      target,
      'contacts',
      strings.map((m) => m.column),
    );
    let mismatches = 0;
    for (const c of await exportTable(fake.url, 'contacts')) {
      const ca = (c['custom_attributes'] ?? {}) as Rec;
      const row = typed.get(String(c['id']))!;
      for (const m of strings) {
        // a string attribute's column holds the string exactly; anything else stays in the JSON column only
        const raw = ca[m.attribute] ?? null;
        if (raw !== null && typeof raw !== 'string') mismatches++;
        same(
          `${kind} contacts.${m.column} (attribute ${JSON.stringify(m.attribute)}) of ${String(c['id'])}`,
          row[m.column] ?? null,
          typeof raw === 'string' ? raw : null,
        );
        checked++;
      }
    }
    expect(mismatches).toBe(1); // the nested object in a string attribute: JSON column only

    // the injection values stayed values: every table is there and the state table too
    const state = await target.query(`SELECT count(*) AS n FROM "intercom"."_elt_state"`);
    expect(Number(state[0]!['n'])).toBe(ASSETS.length);
    console.log(`hostile ${kind}: ${checked} cells compared, ${mapping.length} typed columns`);
  }, 120_000);
});
