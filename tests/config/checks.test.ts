/** Issue #16: `columns[].checks` and `custom_checks` in asset files, Bruin's syntax, validated like every other field. */
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseAsset } from '../../src/config/index.js';
import type { DestinationConnection, IntercomConnection } from '../../src/config/index.js';
import { ConfigError } from '../../src/core/errors.js';
import { tableCatalog } from '../../src/intercom/tables/index.js';

const conns = {
  intercom: new Map<string, IntercomConnection>([['intercom', { name: 'intercom', accessToken: 'x', region: 'us', apiVersion: '2.14' }]]),
  destinations: new Map<string, DestinationConnection>([['duckdb', { type: 'duckdb', name: 'duckdb', path: '/tmp/x.duckdb' }]]),
};
const FILE = '/p/assets/companies.asset.yml';

function read(yaml: string) {
  return parseAsset(parse(yaml), FILE, 'companies.asset.yml', conns, tableCatalog);
}

function error(yaml: string): string {
  try {
    read(yaml);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    const message = (err as Error).message;
    expect(message).not.toContain('\n');
    return message;
  }
  throw new Error('no error');
}

const withChecks = (column: string, checks: string) => `name: intercom.companies\ncolumns:\n  - name: ${column}\n    checks:\n${checks}`;

describe('asset checks', () => {
  it('reads Bruin column checks and custom checks, in file order, blocking by default', () => {
    const a = read(`
name: intercom.companies
columns:
  - name: id
    checks:
      - name: unique
      - name: not_null
  - name: industry
    checks:
      - name: accepted_values
        value: [Retail, Software]
        blocking: false
  - name: created_at
    checks:
      - name: min
        value: "2010-01-01"
  - name: user_count
    checks:
      - name: non_negative
      - name: max
        value: 100000
  - name: website
    checks:
      - name: pattern
        value: "^https://"
custom_checks:
  - name: not empty
    description: at least one company
    query: SELECT COUNT(*) > 0 FROM {{ this }}
    value: true
  - name: no duplicates of company_id
    query: SELECT company_id FROM {{ this }} GROUP BY company_id HAVING COUNT(*) > 1
    count: 0
`);
    expect(a.checks).toEqual([
      { kind: 'column', name: 'unique', column: 'id', blocking: true, excludeDeleted: false },
      { kind: 'column', name: 'not_null', column: 'id', blocking: true, excludeDeleted: false },
      { kind: 'column', name: 'accepted_values', column: 'industry', blocking: false, excludeDeleted: false, value: ['Retail', 'Software'] },
      { kind: 'column', name: 'min', column: 'created_at', blocking: true, excludeDeleted: false, value: 1262304000 },
      { kind: 'column', name: 'non_negative', column: 'user_count', blocking: true, excludeDeleted: false },
      { kind: 'column', name: 'max', column: 'user_count', blocking: true, excludeDeleted: false, value: 100000 },
      { kind: 'column', name: 'pattern', column: 'website', blocking: true, excludeDeleted: false, value: '^https://' },
      { kind: 'custom', name: 'not empty', query: 'SELECT COUNT(*) > 0 FROM {{ this }}', blocking: true, value: true },
      {
        kind: 'custom',
        name: 'no duplicates of company_id',
        query: 'SELECT company_id FROM {{ this }} GROUP BY company_id HAVING COUNT(*) > 1',
        blocking: true,
        count: 0,
      },
    ]);
    // an asset without checks has none
    expect(read('name: intercom.companies\n').checks).toBeUndefined();
  });

  it.each([
    [withChecks('id', '      - name: uniqe\n'), `${FILE}: columns[0].checks[0].name: unknown check "uniqe"; did you mean "unique"?`],
    [withChecks('id', '      - name: not_null\n        blockng: false\n'), `${FILE}: columns[0].checks[0].blockng: unknown key; did you mean "blocking"?`],
    [
      withChecks('industy', '      - name: not_null\n'),
      `${FILE}: columns[0].name: "industy" is not a column of table companies, so it cannot be checked; did you mean "industry"?`,
    ],
    [
      withChecks('industry', '      - name: accepted_values\n'),
      `${FILE}: columns[0].checks[0].value: is required: check accepted_values needs a list of the allowed values`,
    ],
    [
      withChecks('industry', '      - name: accepted_values\n        value: Retail\n'),
      `${FILE}: columns[0].checks[0].value: must be a non-empty list of the allowed values, got a string`,
    ],
    [
      withChecks('user_count', '      - name: accepted_values\n        value: [1, two]\n'),
      `${FILE}: columns[0].checks[0].value[1]: must be a number (the column is int64), got a string "two"`,
    ],
    [withChecks('id', '      - name: not_null\n        value: 1\n'), `${FILE}: columns[0].checks[0].value: check not_null takes no value; remove it`],
    [withChecks('industry', '      - name: positive\n'), `${FILE}: columns[0].checks[0].name: check positive needs a number column; industry is string`],
    [
      withChecks('user_count', '      - name: pattern\n        value: "^1"\n'),
      `${FILE}: columns[0].checks[0].name: check pattern needs a text column; user_count is int64`,
    ],
    [
      withChecks('website', '      - name: pattern\n        value: "(unclosed"\n'),
      `${FILE}: columns[0].checks[0].value: invalid regular expression "(unclosed"`,
    ],
    [
      withChecks('created_at', '      - name: min\n        value: "2024-02-30"\n'),
      `${FILE}: columns[0].checks[0].value: invalid date "2024-02-30": no such date or time`,
    ],
    [
      withChecks('plan', '      - name: accepted_values\n        value: [a]\n'),
      `${FILE}: columns[0].checks[0].name: check accepted_values cannot compare JSON column plan; check a scalar column or use custom_checks`,
    ],
    [
      withChecks('id', '      - name: not_null\n        exclude_deleted: true\n'),
      `${FILE}: columns[0].checks[0].exclude_deleted: table companies has no soft-deleted rows (no _elt_deleted_at column); remove exclude_deleted`,
    ],
    [withChecks('id', '      - name: not_null\n        blocking: "no"\n'), `${FILE}: columns[0].checks[0].blocking: must be true or false, got a string "no"`],
    ['name: intercom.companies\ncustom_checks:\n  - name: x\n', `${FILE}: custom_checks[0].query: is required`],
    [
      'name: intercom.companies\ncustom_checks:\n  - name: x\n    query: SELECT 1\n    value: 1\n    count: 1\n',
      `${FILE}: custom_checks[0].count: set value (the single value the query answers) or count (its number of rows), not both`,
    ],
    [
      "name: intercom.companies\ncustom_checks:\n  - name: x\n    query: SELECT count(*) FROM {{ ref('companies') }}\n",
      `${FILE}: custom_checks[0].query: unknown template "{{ ref('companies') }}": only {{ this }} (the asset's table) is expanded`,
    ],
    ['name: intercom.companies\ncustom_checks:\n  - name: x\n    querry: SELECT 1\n', `${FILE}: custom_checks[0].querry: unknown key; did you mean "query"?`],
  ])('%#: a malformed check is one line naming the file and field', (yaml, message) => {
    expect(error(yaml)).toBe(message);
  });

  it('custom attribute columns may be checked before they exist; soft-deleted rows can be left out where there are some', () => {
    const a = read(
      'name: intercom.companies\nparameters:\n  custom_attribute_columns: true\ncolumns:\n  - name: employees\n    checks:\n      - name: min\n        value: 0\n',
    );
    expect(a.checks).toEqual([{ kind: 'column', name: 'min', column: 'employees', blocking: true, excludeDeleted: false, value: 0 }]);
    const c = parseAsset(
      parse('name: intercom.conversations\ncolumns:\n  - name: state\n    checks:\n      - name: not_null\n        exclude_deleted: true\n'),
      FILE,
      'x.asset.yml',
      conns,
      tableCatalog,
    );
    expect(c.checks).toEqual([{ kind: 'column', name: 'not_null', column: 'state', blocking: true, excludeDeleted: true }]);
  });
});
