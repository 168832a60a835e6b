/**
 * Issue #17 items 5-7, through the real CLI into DuckDB and Postgres with typed custom-attribute
 * columns on: integers beyond 2^53 keep every digit (JSON column and typed column), a custom
 * attribute nested 100,000 levels deep stays complete, and a top-level field named like a typed
 * column fails the run naming both instead of being overwritten. Cases: plan.ts VALUE_CASES.
 */
import { afterAll, describe, expect, test } from 'vitest';
import { appendFileSync } from 'node:fs';
import path from 'node:path';
import { startFakeIntercom, type FakeIntercom } from '../../src/fake-intercom/index.js';
import { ingest, ingestOk, openTarget, project, stateOf, type Target } from './harness.js';
import { DEEP_VALUE_FAILS, DEEP_VALUE_LEVELS, VALUE_TARGETS } from './plan.js';

const TOKEN = 'tok-rel-values-2c7f40';
const open: Array<{ close(): Promise<void> }> = [];
afterAll(async () => {
  for (const o of open.reverse()) await o.close();
});

/** `{"d":[{"d":[…{"leaf":"end"}…]}]}`: objects and arrays alternating, `levels` deep. */
function deep(levels: number): unknown {
  let v: unknown = { leaf: 'end' };
  for (let i = 0; i < levels; i++) v = i % 2 ? [v] : { d: v };
  return v;
}

/** The depth of JSON text and whether its innermost value is the leaf (read without recursion). */
function depthOf(text: string): { depth: number; leaf: boolean } {
  let depth = 0;
  let max = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '{' || c === '[') max = Math.max(max, ++depth);
    else if (c === '}' || c === ']') depth--;
  }
  return { depth: max, leaf: /"leaf": ?"end"/.test(text) };
}

describe.each(VALUE_TARGETS)('values kept exact, complete and apart, into %s', (kind) => {
  let fake: FakeIntercom;
  let target: Target;
  let p: ReturnType<typeof project>;
  let big: string;

  test('setup: a workspace with hostile values, typed custom-attribute columns on', async () => {
    fake = await startFakeIntercom({ seed: 57, token: TOKEN, contacts: 5, companies: 1, conversations: 1, tickets: 0 });
    open.push(fake);
    fake.createDataAttribute({ model: 'contact', name: 'big count', data_type: 'integer' });
    big = fake.createContact({ custom_attributes: { 'big count': 9007199254740993n, neg: -9007199254740993n, huge: 123456789012345678901234567890n } }).id;
    fake.clock.advance(120); // past the settle lag
    target = await openTarget(kind, () => p.duckdbPath);
    open.push(target);
    p = project(fake, TOKEN, target, ['contacts'], { maxAttempts: 2 });
    appendFileSync(path.join(p.assetsDir, 'contacts.asset.yml'), '  custom_attribute_columns: true\n');
    await ingestOk(p, target);
  }, 120_000);

  test('integers beyond 2^53 keep every digit in the JSON column and the typed column', async () => {
    const [row] = await target.query(
      `SELECT ${target.text('custom_attributes')} AS ca, ${target.text('ca_big_count')} AS typed FROM intercom.contacts WHERE id = '${big}'`,
    );
    const ca = String(row!['ca']);
    expect(ca).toMatch(/"big count": ?9007199254740993[,}]/);
    expect(ca).toMatch(/"neg": ?-9007199254740993[,}]/);
    expect(ca).toMatch(/"huge": ?123456789012345678901234567890[,}]/);
    expect(String(row!['typed'])).toBe('9007199254740993');
  });

  test(`a custom attribute ${DEEP_VALUE_LEVELS.toLocaleString('en')} levels deep is kept complete, or the run fails naming the limit`, async () => {
    const id = fake.createContact({ custom_attributes: { deep: deep(DEEP_VALUE_LEVELS) } }).id;
    fake.clock.advance(120);
    const before = (await stateOf(target)).get('intercom.contacts')!;
    const r = await ingest(p, target);
    const out = r.stdout + r.stderr;
    if (DEEP_VALUE_FAILS[kind]) {
      // jsonb parsing recurses: past max_stack_depth the load fails, saying so; nothing is dropped or committed
      expect(r.code, out).toBe(1);
      expect(out).toMatch(DEEP_VALUE_FAILS[kind]!);
      expect((await stateOf(target)).get('intercom.contacts')!['cursor']).toBe(before['cursor']);
      expect(await target.query(`SELECT id FROM intercom.contacts WHERE id = '${id}'`)).toEqual([]);
    } else {
      expect(r.code, out).toBe(0);
      const [row] = await target.query(`SELECT ${target.text('custom_attributes')} AS ca FROM intercom.contacts WHERE id = '${id}'`);
      expect(row!['ca'], 'custom_attributes is NULL').not.toBeNull();
      // the leaf, custom_attributes and the levels between
      expect(depthOf(String(row!['ca']))).toEqual({ depth: DEEP_VALUE_LEVELS + 2, leaf: true });
      expect(out).not.toMatch(/values_coerced/);
    }
    fake.deleteContact(id); // the next runs read the workspace without it
    await ingestOk(p, target);
  }, 120_000);

  test('a top-level field named like a typed column fails the run naming both; the stored row is untouched', async () => {
    // the generated workspace's custom attribute `plan_tier` has the typed column ca_plan_tier
    const [stored] = await target.query(`SELECT ca_plan_tier FROM intercom.contacts WHERE id = '${big}'`);
    fake.clock.advance(60);
    fake.updateContact(big, { ca_plan_tier: 'from the top level' });
    fake.clock.advance(120);
    const before = (await stateOf(target)).get('intercom.contacts')!;
    const r = await ingest(p, target);
    const out = r.stdout + r.stderr;
    expect(r.code, out).toBe(1);
    expect(out).toMatch(/top-level field 'ca_plan_tier'.*custom attribute "plan_tier"/);
    expect(out).not.toMatch(/^\s+at /m);
    expect((await stateOf(target)).get('intercom.contacts')!['cursor']).toBe(before['cursor']);
    const [row] = await target.query(`SELECT ca_plan_tier FROM intercom.contacts WHERE id = '${big}'`);
    expect(row!['ca_plan_tier']).toBe(stored!['ca_plan_tier']);
  }, 120_000);
});
