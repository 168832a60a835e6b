/**
 * Issue #9, the rules and the row transform without I/O: parsing/validation of asset rules,
 * the masks, JSON paths, select_columns, child-table targeting and the one-shot flag mapping.
 */
import { createHash } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { readProtection, type AssetConfig } from '../../src/config/index.js';
import { ConfigError } from '../../src/core/errors.js';
import { conversations } from '../../src/intercom/tables/conversations.js';
import { contacts } from '../../src/intercom/tables/contacts.js';
import { hashValue, partialValue, protectionTransform } from '../../src/transforms/protect/index.js';
import { oneShotProtection } from '../../src/transforms/protect/flags.js';
import { parseProtection } from '../../src/transforms/protect/rules.js';

const ENV = { INTERCOM_ELT_MASK_SALT: 'pepper' };
const sha = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

function asset(columns: AssetConfig['columns'], parameters: Record<string, unknown> = {}, over: Partial<AssetConfig> = {}): AssetConfig {
  return {
    name: 'intercom.contacts',
    schema: 'intercom',
    table: 'contacts',
    file: 'assets/contacts.asset.yml',
    sourceConnection: 'intercom',
    sourceTable: 'contacts',
    destination: 'duckdb',
    strategy: 'merge',
    primaryKey: ['id'],
    incrementalKey: 'updated_at',
    tags: [],
    customAttributeColumns: false,
    columns,
    raw: { parameters },
    protection: readProtection('assets/contacts.asset.yml', columns, parameters),
    ...over,
  };
}

function errorOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    const msg = (e as Error).message;
    expect(msg).not.toContain('\n');
    return msg;
  }
  throw new Error('expected a ConfigError');
}

const ROW = {
  id: 'c1',
  updated_at: 100,
  email: 'Alice@Example.com',
  phone: '+1 (555) 010-4242',
  name: 'Alice',
  location: { type: 'location', city: 'Springfield', country: 'US' },
  custom_attributes: { ssn: '123-45-6789', plan: 'pro', 'plan.tier': 'gold', nested: { secret: 's', keep: 'k' } },
  tags: {
    type: 'list',
    data: [
      { id: 't1', name: 'vip' },
      { id: 't2', name: 'beta' },
    ],
  },
};

describe('masks', () => {
  test('hash is hex SHA-256 of salt || value, stable, null stays null', () => {
    expect(hashValue('a@b.c', 'pepper')).toBe(sha('peppera@b.c'));
    expect(hashValue('a@b.c', 'pepper')).toMatch(/^[0-9a-f]{64}$/);
    expect(hashValue('a@b.c', 'salt2')).not.toBe(hashValue('a@b.c', 'pepper'));
    expect(hashValue(42, 'p')).toBe(sha('p42'));
    expect(hashValue({ a: 1 }, 'p')).toBe(sha('p{"a":1}'));
    expect(hashValue(null, 'p')).toBeNull();
  });

  test('partial keeps an email domain, a phone number’s last 4 digits, nothing of anything else', () => {
    expect(partialValue('alice@example.com')).toBe('***@example.com');
    expect(partialValue('+1 (555) 010-4242')).toBe('***4242');
    expect(partialValue('+15550104242')).toBe('***4242');
    expect(partialValue('12345')).toBe('***'); // too short for a phone number
    expect(partialValue('Alice Smith')).toBe('***');
    expect(partialValue('a@b@c')).toBe('***');
    expect(partialValue(12345678)).toBe('***');
    expect(partialValue(null)).toBeNull();
  });
});

describe('protectionTransform', () => {
  test('no rules: no transform', () => {
    expect(protectionTransform(asset([{ name: 'email', description: 'x' }]), contacts, ENV)).toBeUndefined();
  });

  test('exclude, mask and JSON paths rewrite rows without touching the input', () => {
    const t = protectionTransform(
      asset([
        { name: 'email', mask: 'hash' },
        { name: 'phone', mask: 'partial' },
        { name: 'name', exclude: true },
        { name: 'location.city', mask: 'redact' },
        { name: 'custom_attributes.ssn', exclude: true },
        { name: 'custom_attributes.plan.tier', exclude: true },
        { name: 'custom_attributes.nested.secret', mask: 'hash' },
        { name: 'tags.data.name', mask: 'partial' },
      ]),
      contacts,
      ENV,
    )!;
    const input = structuredClone(ROW);
    const [out] = t.rows('contacts', [input]);
    expect(input).toEqual(ROW); // copy-on-write
    expect(out).toEqual({
      id: 'c1',
      updated_at: 100,
      email: sha('pepperAlice@Example.com'),
      phone: '***4242',
      location: { type: 'location', city: null, country: 'US' },
      custom_attributes: { plan: 'pro', nested: { secret: sha('peppers'), keep: 'k' } },
      tags: {
        type: 'list',
        data: [
          { id: 't1', name: '***' },
          { id: 't2', name: '***' },
        ],
      },
    });
  });

  test('declared columns: excluded ones disappear, hashed/partial ones become strings, redacted keep their type', () => {
    const t = protectionTransform(
      asset([
        { name: 'name', exclude: true },
        { name: 'custom_attributes', mask: 'hash' },
        { name: 'created_at', mask: 'redact' },
        { name: 'location.city', mask: 'hash' },
      ]),
      contacts,
      ENV,
    )!;
    const cols = t.columns('contacts', contacts.columns);
    const byName = new Map(cols.map((c) => [c.name, c.type]));
    expect(byName.has('name')).toBe(false);
    expect(byName.get('custom_attributes')).toBe('string');
    expect(byName.get('created_at')).toBe('timestamp');
    expect(byName.get('location')).toBe('json'); // a path inside keeps the column's type
    expect(cols).toHaveLength(contacts.columns.length - 1);
  });

  test('select_columns keeps only the listed columns and paths, plus the primary and incremental keys', () => {
    const t = protectionTransform(
      asset([{ name: 'email', mask: 'partial' }], { select_columns: ['email', 'custom_attributes.plan', 'custom_attributes.nested.keep', 'tags.data.id'] }),
      contacts,
      ENV,
    )!;
    const [out] = t.rows('contacts', [ROW]);
    expect(out).toEqual({
      id: 'c1',
      updated_at: 100,
      email: '***@Example.com',
      custom_attributes: { plan: 'pro', nested: { keep: 'k' } },
      tags: { data: [{ id: 't1' }, { id: 't2' }] },
    });
    expect(
      t
        .columns('contacts', contacts.columns)
        .map((c) => c.name)
        .sort(),
    ).toEqual(['custom_attributes', 'email', 'id', 'tags', 'updated_at']);
    // ingestr habit: a comma-separated string
    const s = protectionTransform(asset([], { select_columns: 'email, phone' }), contacts, ENV)!;
    expect(Object.keys(s.rows('contacts', [ROW])[0]!).sort()).toEqual(['email', 'id', 'phone', 'updated_at']);
  });

  test('rules apply to the asset’s table only; a child table is named by prefix', () => {
    const t = protectionTransform(asset([{ name: 'email', exclude: true }]), contacts, ENV)!;
    expect(t.rows('conversation_parts', [{ id: 'p', email: 'x@y.z' }])).toEqual([{ id: 'p', email: 'x@y.z' }]);

    const child = { name: 'conversation_parts', primaryKey: ['id'], parentKey: ['conversation_id'], columns: [] };
    const rules = withChild(
      child,
      () =>
        parseProtection(
          asset(
            [
              { name: 'conversation_parts.body', exclude: true },
              { name: 'source.body', mask: 'redact' },
            ],
            { select_columns: ['conversation_parts.author'] },
            { sourceTable: 'conversations' },
          ),
          conversations,
          ENV,
        )!.tables,
    );
    expect(rules.get('conversation_parts')!.excludes).toEqual([['body']]);
    expect(rules.get('conversation_parts')!.select).toEqual([['author']]);
    expect(rules.get('conversations')!.select).toBeUndefined();
    // the parent's same-named field, should it carry one, is covered too
    expect(rules.get('conversations')!.excludes).toEqual([['conversation_parts', 'body']]);
    expect(rules.get('conversations')!.masks).toEqual([{ path: ['source', 'body'], kind: 'redact' }]);
    const err = errorOf(() =>
      withChild(child, () =>
        parseProtection(asset([{ name: 'conversation_parts.conversation_id', exclude: true }], {}, { sourceTable: 'conversations' }), conversations, ENV),
      ),
    );
    expect(err).toContain('columns[0].exclude: cannot exclude "conversation_id": it is a key of conversation_parts');
  });
});

/** The registry's conversations declares no child table yet: give it one for the duration of `f`. */
function withChild<T>(child: object, f: () => T): T {
  const spec = conversations as { children?: unknown };
  const original = spec.children;
  spec.children = [child];
  try {
    return f();
  } finally {
    spec.children = original;
  }
}

describe('validation: one-line ConfigErrors naming the field', () => {
  test('unknown mask kind, with a suggestion', () => {
    expect(errorOf(() => protectionTransform(asset([{ name: 'a' }, { name: 'email', mask: 'hsh' }]), contacts, ENV))).toBe(
      'assets/contacts.asset.yml: columns[1].mask: unknown mask "hsh"; did you mean "hash"? (use hash, redact or partial)',
    );
    expect(errorOf(() => protectionTransform(asset([{ name: 'email', mask: 3 }]), contacts, ENV))).toContain('columns[0].mask: unknown mask "3"');
  });

  test('exclude must be a boolean; exclude and mask together are refused', () => {
    expect(errorOf(() => protectionTransform(asset([{ name: 'email', exclude: 'yes' }]), contacts, ENV))).toBe(
      'assets/contacts.asset.yml: columns[0].exclude: must be true or false, got "yes"',
    );
    expect(errorOf(() => protectionTransform(asset([{ name: 'email', exclude: true, mask: 'hash' }]), contacts, ENV))).toContain(
      'columns[0].mask: column "email" is excluded',
    );
  });

  test('the primary key and the incremental key cannot be excluded or masked', () => {
    expect(errorOf(() => protectionTransform(asset([{ name: 'id', exclude: true }]), contacts, ENV))).toBe(
      'assets/contacts.asset.yml: columns[0].exclude: cannot exclude "id": it is the primary key (merges and cursors need it as it is)',
    );
    expect(errorOf(() => protectionTransform(asset([{ name: 'updated_at', mask: 'redact' }]), contacts, ENV))).toContain(
      'columns[0].mask: cannot mask "updated_at": it is the incremental key',
    );
    // a path inside is fine only for JSON columns; the key column itself is what is protected
    expect(protectionTransform(asset([{ name: 'id.x', exclude: true }]), contacts, ENV)).toBeDefined();
  });

  test('hash needs a salt; the salt is never echoed', () => {
    expect(
      errorOf(() =>
        protectionTransform(
          asset([
            { name: 'phone', mask: 'partial' },
            { name: 'email', mask: 'hash' },
          ]),
          contacts,
          {},
        ),
      ),
    ).toBe('assets/contacts.asset.yml: columns[1].mask: mask hash needs a salt: set the INTERCOM_ELT_MASK_SALT environment variable or parameters.mask_salt');
    // partial/redact need none
    expect(protectionTransform(asset([{ name: 'email', mask: 'partial' }]), contacts, {})).toBeDefined();
    // parameters.mask_salt, with ${VAR}; it wins over the env var
    const t = protectionTransform(asset([{ name: 'email', mask: 'hash' }], { mask_salt: '${MY_SALT}' }), contacts, {
      MY_SALT: 's3cret',
      INTERCOM_ELT_MASK_SALT: 'other',
    })!;
    expect(t.rows('contacts', [{ id: '1', email: 'e' }])[0]!.email).toBe(sha('s3crete'));
    const unset = errorOf(() => protectionTransform(asset([{ name: 'email', mask: 'hash' }], { mask_salt: '${MY_SALT}' }), contacts, {}));
    expect(unset).toBe('assets/contacts.asset.yml: parameters.mask_salt: environment variable MY_SALT is not set');
    const bad = errorOf(() => protectionTransform(asset([{ name: 'email', mask: 'hash' }], { mask_salt: 12345 }), contacts, {}));
    expect(bad).not.toContain('12345');
  });

  test('a mask_salt nothing uses is an error, not ignored', () => {
    // no rule at all
    expect(errorOf(() => protectionTransform(asset([], { mask_salt: '${MY_SALT}' }), contacts, { MY_SALT: 's' }))).toBe(
      'assets/contacts.asset.yml: parameters.mask_salt: no column is masked; remove it or set mask: hash on a column',
    );
    // rules, but none whose kind needs a salt
    expect(errorOf(() => protectionTransform(asset([{ name: 'email', mask: 'partial' }], { mask_salt: '${MY_SALT}' }), contacts, { MY_SALT: 's' }))).toBe(
      'assets/contacts.asset.yml: parameters.mask_salt: no column uses a mask that needs it (hash); remove it or mask a column with hash',
    );
  });

  test('bad paths and select lists', () => {
    expect(errorOf(() => protectionTransform(asset([{ name: 'custom_attributes..x', exclude: true }]), contacts, ENV))).toContain(
      'columns[0].exclude: invalid column path',
    );
    expect(errorOf(() => protectionTransform(asset([], { select_columns: ['email', 7] }), contacts, ENV))).toContain(
      'parameters.select_columns[1]: must be a column name',
    );
    expect(errorOf(() => protectionTransform(asset([], { select_columns: { a: 1 } }), contacts, ENV))).toContain('parameters.select_columns: must be a list');
    expect(errorOf(() => protectionTransform(asset([], { select_columns: [] }), contacts, ENV))).toContain('parameters.select_columns: is empty');
  });
});

describe('one-shot flags', () => {
  const oneShot = (masks: string[], excludes: string[], selects: string[]) =>
    asset([], {}, { file: '--dest-table', ...oneShotProtection(masks, excludes, selects) });

  test('map to the same rules as an asset file', () => {
    const t = protectionTransform(
      oneShot(['email:hash', 'phone:partial'], ['name', 'custom_attributes.ssn'], ['email', 'phone', 'name', 'custom_attributes']),
      contacts,
      ENV,
    )!;
    expect(t.rows('contacts', [ROW])[0]).toEqual({
      id: 'c1',
      updated_at: 100,
      email: sha('pepperAlice@Example.com'),
      phone: '***4242',
      custom_attributes: { plan: 'pro', 'plan.tier': 'gold', nested: { secret: 's', keep: 'k' } },
    });
  });

  test('errors name the flag', () => {
    expect(errorOf(() => oneShotProtection(['email'], [], []))).toBe('--mask: email: expected column:kind, e.g. email:hash (kinds: hash, redact, partial)');
    expect(errorOf(() => oneShotProtection(['email:hash'], ['email'], []))).toBe('--mask: email: is also in --exclude-columns; use one');
    expect(errorOf(() => protectionTransform(oneShot(['email:sha1'], [], []), contacts, ENV))).toBe(
      '--mask: email: unknown mask "sha1" (use hash, redact or partial)',
    );
    expect(errorOf(() => protectionTransform(oneShot([], ['id'], []), contacts, ENV))).toContain('--exclude-columns: id: cannot exclude "id"');
    expect(errorOf(() => protectionTransform(oneShot(['email:hash'], [], []), contacts, {}))).toContain(
      '--mask: email: mask hash needs a salt: set the INTERCOM_ELT_MASK_SALT',
    );
  });
});
