/** Issue #4: typing custom attribute values (pure, no I/O). */
import { describe, expect, test } from 'vitest';
import { applyCustomAttributeColumns, customAttributeColumns, MISMATCH, typedValue } from '../../src/transforms/custom-attributes.js';

describe('typedValue', () => {
  test('string', () => {
    expect(typedValue('string', 'pro')).toBe('pro');
    expect(typedValue('string', '')).toBe('');
    expect(typedValue('string', 42)).toBe(MISMATCH);
    expect(typedValue('string', { a: 1 })).toBe(MISMATCH);
  });

  test('integer', () => {
    expect(typedValue('int64', 42)).toBe(42);
    expect(typedValue('int64', -7)).toBe(-7);
    expect(typedValue('int64', 1.5)).toBe(MISMATCH);
    expect(typedValue('int64', '42')).toBe(MISMATCH);
    expect(typedValue('int64', 2 ** 60)).toBe(MISMATCH); // beyond 2^53: JSON already lost precision
    expect(typedValue('int64', true)).toBe(MISMATCH);
  });

  test('float', () => {
    expect(typedValue('float64', 12.5)).toBe(12.5);
    expect(typedValue('float64', 3)).toBe(3);
    expect(typedValue('float64', '12.5')).toBe(MISMATCH);
    expect(typedValue('float64', false)).toBe(MISMATCH);
  });

  test('boolean', () => {
    expect(typedValue('bool', true)).toBe(true);
    expect(typedValue('bool', false)).toBe(false);
    expect(typedValue('bool', 'true')).toBe(MISMATCH);
    expect(typedValue('bool', 1)).toBe(MISMATCH);
  });

  test('date: unix seconds, numeric text, ISO 8601 (2.14:L14571-14579)', () => {
    expect(typedValue('timestamp', 1677923174)).toBe(1677923174);
    expect(typedValue('timestamp', 0)).toBe(0);
    expect(typedValue('timestamp', '1677923174')).toEqual(new Date(1677923174 * 1000));
    expect(typedValue('timestamp', '2023-03-04T09:46:14Z')).toEqual(new Date(Date.UTC(2023, 2, 4, 9, 46, 14)));
    expect(typedValue('timestamp', '2023-03-04T09:46:14.250+02:00')).toEqual(new Date(Date.UTC(2023, 2, 4, 7, 46, 14, 250)));
    expect(typedValue('timestamp', '2023-03-04')).toEqual(new Date(Date.UTC(2023, 2, 4)));
    // no offset: UTC, never the machine's zone
    expect(typedValue('timestamp', '2023-03-04T09:46:14')).toEqual(new Date(Date.UTC(2023, 2, 4, 9, 46, 14)));
  });

  test('date mismatches: garbage text, milliseconds (never guessed), booleans, objects', () => {
    expect(typedValue('timestamp', 'next tuesday')).toBe(MISMATCH);
    expect(typedValue('timestamp', '')).toBe(MISMATCH);
    expect(typedValue('timestamp', 1677923174000)).toBe(MISMATCH);
    expect(typedValue('timestamp', true)).toBe(MISMATCH);
    expect(typedValue('timestamp', { at: 1 })).toBe(MISMATCH);
  });

  test('json keeps any value; null and undefined are unset, never mismatches', () => {
    expect(typedValue('json', [{ id: 1 }])).toEqual([{ id: 1 }]);
    for (const t of ['string', 'int64', 'float64', 'bool', 'timestamp', 'json'] as const) {
      expect(typedValue(t, null)).toBeNull();
      expect(typedValue(t, undefined)).toBeNull();
    }
  });
});

describe('applyCustomAttributeColumns', () => {
  const cols = customAttributeColumns(
    [
      { name: 'Seats', data_type: 'integer', custom: true },
      { name: 'mrr', data_type: 'float', custom: true },
      { name: 'vip', data_type: 'boolean', custom: true },
      { name: 'renews', data_type: 'date', custom: true },
      { name: 'plan', data_type: 'string', custom: true },
    ],
    { maxIdentifierLength: 63 },
  );

  test('sets typed cells, leaves misfits unset and counts them, keeps custom_attributes as is', () => {
    const ca1 = { Seats: 3, mrr: 9.5, vip: true, renews: '2024-05-01T00:00:00Z', plan: 'pro', extra: 'kept' };
    const ca2 = { Seats: 'three', mrr: null, vip: 'yes', renews: 1714521600, plan: 7 };
    const rows: Array<Record<string, unknown>> = [
      { id: '1', custom_attributes: ca1 },
      { id: '2', custom_attributes: ca2 },
      { id: '3', custom_attributes: null },
      { id: '4' },
    ];
    const before = structuredClone(rows);
    expect(applyCustomAttributeColumns(rows, cols)).toBe(3);
    expect(rows[0]).toEqual({
      ...before[0],
      ca_seats: 3,
      ca_mrr: 9.5,
      ca_vip: true,
      ca_renews: new Date(Date.UTC(2024, 4, 1)),
      ca_plan: 'pro',
    });
    expect(rows[1]).toEqual({ ...before[1], ca_renews: 1714521600 });
    expect(rows[2]).toEqual(before[2]);
    expect(rows[3]).toEqual(before[3]);
    expect(rows[0]!.custom_attributes).toEqual(before[0]!.custom_attributes);
  });
});
