/** Issue #4: the naming rule of typed custom-attribute columns (pure, no I/O). */
import { createHash } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { customAttributeColumns, snakeCase, type DataAttributeLike } from '../../src/transforms/custom-attributes.js';

const h8 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex').slice(0, 8);
const bytes = (s: string) => Buffer.byteLength(s, 'utf8');
const attr = (name: string, data_type = 'string', custom = true): DataAttributeLike => ({ name, data_type, custom });
const map = (attrs: DataAttributeLike[], max = 63, reserved: string[] = []) =>
  Object.fromEntries(customAttributeColumns(attrs, { maxIdentifierLength: max, reserved }).map((c) => [c.attribute, c.column]));

/** The fake Intercom's hostile names and more. */
const HOSTILE = [
  'plan_tier',
  'seats',
  'Account_Name',
  'account_name',
  'say "hello"',
  "it's; DROP TABLE contacts; --",
  'préférence_名前_🚀',
  `long_${'x'.repeat(295)}`,
  `long_${'x'.repeat(294)}y`,
  'Plan Type',
  'plan_type',
  'PlanType',
  'Tier',
  'tier',
  'TIER',
  '🚀',
  '!!!',
  '名'.repeat(40),
  'Escalation level',
  'ca',
  '_elt_load_id',
  'custom_attributes',
].map((n, i) => attr(n, ['string', 'integer', 'float', 'boolean', 'date'][i % 5]));

/** Deterministic permutations (no Math.random: a failure must reproduce). */
function shuffled<T>(xs: T[], seed: number): T[] {
  const out = [...xs];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2147483648;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

describe('snakeCase', () => {
  test.each([
    ['Plan Type', 'plan_type'],
    ['PlanType', 'plan_type'],
    ['planType', 'plan_type'],
    ['HTTPServer', 'http_server'],
    ['MRR', 'mrr'],
    ['Account_Name', 'account_name'],
    ['  say "hello"  ', 'say_hello'],
    ["it's; DROP TABLE contacts; --", 'it_s_drop_table_contacts'],
    ['préférence_名前_🚀', 'préférence_名前'],
    ['Ｗｉｄｅ', 'wide'], // NFKC folds full-width letters
    ['🚀', ''],
  ])('%s -> %s', (name, snake) => {
    expect(snakeCase(name)).toBe(snake);
  });
});

describe('customAttributeColumns naming', () => {
  test('plain names get ca_<snake_case>', () => {
    expect(map([attr('plan_tier'), attr('Escalation level'), attr('PlanType2')])).toEqual({
      plan_tier: 'ca_plan_tier',
      'Escalation level': 'ca_escalation_level',
      PlanType2: 'ca_plan_type2',
    });
  });

  test('names that normalise alike: the one already in snake_case keeps the plain name, the others get a hash of their original name', () => {
    expect(map([attr('Plan Type'), attr('plan_type'), attr('PlanType')])).toEqual({
      plan_type: 'ca_plan_type',
      'Plan Type': `ca_plan_type_${h8('Plan Type')}`,
      PlanType: `ca_plan_type_${h8('PlanType')}`,
    });
  });

  test('names differing only in case (Tier vs tier, Account_Name vs account_name)', () => {
    expect(map([attr('Tier'), attr('tier'), attr('Account_Name'), attr('account_name')])).toEqual({
      tier: 'ca_tier',
      Tier: `ca_tier_${h8('Tier')}`,
      account_name: 'ca_account_name',
      Account_Name: `ca_account_name_${h8('Account_Name')}`,
    });
  });

  test('when no colliding name is canonical, every one of them is hashed', () => {
    expect(map([attr('Plan Type'), attr('PLAN-TYPE')])).toEqual({
      'Plan Type': `ca_plan_type_${h8('Plan Type')}`,
      'PLAN-TYPE': `ca_plan_type_${h8('PLAN-TYPE')}`,
    });
  });

  test('adding a colliding attribute later does not rename the canonical one', () => {
    expect(map([attr('plan_type')]).plan_type).toBe('ca_plan_type');
    expect(map([attr('plan_type'), attr('Plan Type')]).plan_type).toBe('ca_plan_type');
  });

  test('a name with nothing but symbols gets ca_<hash>', () => {
    expect(map([attr('🚀'), attr('!!!')])).toEqual({ '🚀': `ca_${h8('🚀')}`, '!!!': `ca_${h8('!!!')}` });
  });

  test('never collides with declared columns (case-insensitively) or the metadata columns', () => {
    const m = map([attr('seats'), attr('Plan'), attr('elt_load_id')], 63, ['id', 'CA_SEATS', 'ca_plan']);
    expect(m).toEqual({ seats: `ca_seats_${h8('seats')}`, Plan: `ca_plan_${h8('Plan')}`, elt_load_id: 'ca_elt_load_id' });
  });

  test('only custom attributes get columns', () => {
    expect(map([attr('email', 'string', false), attr('seats', 'integer', true)])).toEqual({ seats: 'ca_seats' });
  });

  test.each([63, 255])('300-character names fit %i bytes, stay distinct, and are cut + hashed', (max) => {
    const a = `long_${'x'.repeat(295)}`;
    const b = `long_${'x'.repeat(294)}y`;
    const m = map([attr(a), attr(b)], max);
    expect(bytes(m[a]!)).toBeLessThanOrEqual(max);
    expect(bytes(m[b]!)).toBeLessThanOrEqual(max);
    expect(m[a]).not.toBe(m[b]);
    expect(m[a]).toBe(`ca_long_${'x'.repeat(max - 17)}_${h8(a)}`);
    expect(m[a]!.length).toBe(max);
  });

  test('without a tight limit (DuckDB 4096) a long name stays whole', () => {
    const a = `long_${'x'.repeat(295)}`;
    expect(map([attr(a)], 4096)[a]).toBe(`ca_${a}`);
  });

  test('unicode names are cut by BYTES and never split a character', () => {
    const cjk = '名'.repeat(40); // 120 bytes
    const c63 = map([attr(cjk)], 63)[cjk]!;
    expect(bytes(c63)).toBeLessThanOrEqual(63);
    expect(c63).toBe(`ca_${'名'.repeat(17)}_${h8(cjk)}`); // 3 + 51 + 9 = 63 bytes
    expect(Buffer.from(c63, 'utf8').toString('utf8')).toBe(c63);
    // 58 bytes of 3-byte characters after the 3-byte prefix do not fit 63 - 9: the cut rounds down
    const mixed = `a${'名'.repeat(20)}`;
    const cm = map([attr(mixed)], 63)[mixed]!;
    expect(cm).toBe(`ca_a${'名'.repeat(16)}_${h8(mixed)}`);
    expect(map([attr('préférence_名前_🚀')], 63)['préférence_名前_🚀']).toBe('ca_préférence_名前');
  });

  test.each([63, 255])('hostile set at %i bytes: unique case-insensitively, within the limit, clear of reserved names', (max) => {
    const cols = customAttributeColumns(HOSTILE, { maxIdentifierLength: max, reserved: ['id', 'custom_attributes'] });
    expect(cols).toHaveLength(HOSTILE.length);
    const lower = cols.map((c) => c.column.toLowerCase());
    expect(new Set(lower).size).toBe(cols.length);
    for (const c of cols) {
      expect(bytes(c.column)).toBeLessThanOrEqual(max);
      expect(c.column).toMatch(/^ca_/);
      expect(['id', 'custom_attributes', '_elt_load_id', '_elt_loaded_at']).not.toContain(c.column.toLowerCase());
    }
  });

  test.each([63, 255, 4096])('the mapping does not depend on the order attributes are listed in (limit %i)', (max) => {
    const ref = customAttributeColumns(HOSTILE, { maxIdentifierLength: max });
    for (let seed = 1; seed <= 25; seed++) {
      expect(customAttributeColumns(shuffled(HOSTILE, seed), { maxIdentifierLength: max })).toEqual(ref);
    }
    expect(customAttributeColumns([...HOSTILE].reverse(), { maxIdentifierLength: max })).toEqual(ref);
  });

  test("a literal name that equals another one's hashed column escalates both to a longer hash", () => {
    const literal = `plan_type_${h8('Plan Type')}`;
    const cols = customAttributeColumns([attr('plan_type'), attr('Plan Type'), attr(literal)], { maxIdentifierLength: 63 });
    const m = Object.fromEntries(cols.map((c) => [c.attribute, c.column]));
    expect(m.plan_type).toBe('ca_plan_type');
    expect(m['Plan Type']).toMatch(/^ca_plan_type_[0-9a-f]{16}$/);
    expect(m[literal]).toMatch(new RegExp(`^ca_${literal}_[0-9a-f]{16}$`));
    expect(new Set(Object.values(m)).size).toBe(3);
  });

  test('each column carries its type from data_type', () => {
    const cols = customAttributeColumns(
      ['string', 'integer', 'float', 'boolean', 'date', 'datetime', 'decimal', 'list', 'relationship', 'files'].map((t) => attr(`a_${t}`, t)),
      { maxIdentifierLength: 63 },
    );
    expect(Object.fromEntries(cols.map((c) => [c.dataType, c.type]))).toEqual({
      string: 'string',
      integer: 'int64',
      float: 'float64',
      boolean: 'bool',
      date: 'timestamp',
      datetime: 'timestamp',
      decimal: 'float64',
      list: 'string',
      relationship: 'json',
      files: 'json',
    });
  });
});
