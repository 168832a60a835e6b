import { DataType, TimeUnit, type RecordBatch } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { BatchBuilder, columnTypeOf, inferType } from '../../src/arrow/index.js';
import type { ColumnDef, Row } from '../../src/core/schema.js';

const meta = { loadId: 'load-1', loadedAt: new Date('2024-05-01T12:00:00Z') };

function col(batch: RecordBatch, name: string): unknown[] {
  const v = batch.getChild(name);
  if (!v) throw new Error(`no column ${name}`);
  return v.toArray() instanceof Array ? (v.toArray() as unknown[]) : Array.from({ length: v.length }, (_, i) => v.get(i));
}
const values = (batch: RecordBatch, name: string): unknown[] => {
  const v = batch.getChild(name)!;
  return Array.from({ length: v.length }, (_, i) => v.get(i));
};

describe('inferType', () => {
  it('types new fields from their first value', () => {
    expect(inferType('last_seen_at', 1700000000)).toBe('timestamp');
    expect(inferType('seats', 3)).toBe('float64');
    expect(inferType('ratio', 0.5)).toBe('float64');
    expect(inferType('big', 2n ** 60n)).toBe('int64');
    expect(inferType('flag', false)).toBe('bool');
    expect(inferType('name', 'x')).toBe('string');
    expect(inferType('location', { city: 'Dublin' })).toBe('json');
    expect(inferType('tags', [])).toBe('json');
    // a *_at string is text, not a timestamp: only numbers follow Intercom's convention
    expect(inferType('created_at', '2024-01-01')).toBe('string');
  });
});

describe('BatchBuilder', () => {
  const declared: ColumnDef[] = [
    { name: 'id', type: 'string' },
    { name: 'n', type: 'int64' },
    { name: 'score', type: 'float64' },
    { name: 'ok', type: 'bool' },
    { name: 'updated_at', type: 'timestamp' },
    { name: 'custom_attributes', type: 'json' },
  ];

  it('builds typed columns, metadata columns, and resets on flush', () => {
    const b = new BatchBuilder(declared, meta);
    b.add([
      { id: 'a', n: 1, score: 1.5, ok: true, updated_at: 1700000000, custom_attributes: { plan: 'pro', 'Seats; DROP': 3 } },
      { id: 'b', n: null, score: undefined, ok: false, updated_at: 0, custom_attributes: null },
    ]);
    expect(b.length).toBe(2);
    const batch = b.flush()!;
    expect(b.length).toBe(0);
    expect(b.flush()).toBeUndefined();
    expect(batch.schema.fields.map((f) => f.name)).toEqual([...declared.map((c) => c.name), '_elt_loaded_at', '_elt_load_id']);
    expect(values(batch, 'id')).toEqual(['a', 'b']);
    expect(values(batch, 'n')).toEqual([1n, null]);
    expect(values(batch, 'score')).toEqual([1.5, null]);
    expect(values(batch, 'ok')).toEqual([true, false]);
    const ts = batch.schema.fields.find((f) => f.name === 'updated_at')!.type;
    expect(DataType.isTimestamp(ts) && ts.unit === TimeUnit.MICROSECOND && ts.timezone === 'UTC').toBe(true);
    const raw = batch.getChild('updated_at')!.data[0]!.values as BigInt64Array;
    expect([raw[0], raw[1]]).toEqual([1700000000n * 1000000n, 0n]);
    expect(JSON.parse(values(batch, 'custom_attributes')[0] as string)).toEqual({ plan: 'pro', 'Seats; DROP': 3 });
    expect(values(batch, 'custom_attributes')[1]).toBeNull();
    const jsonField = batch.schema.fields.find((f) => f.name === 'custom_attributes')!;
    expect(jsonField.metadata.get('elt:type')).toBe('json');
    expect(columnTypeOf(jsonField)).toBe('json');
    expect(values(batch, '_elt_load_id')).toEqual(['load-1', 'load-1']);
    const at = batch.getChild('_elt_loaded_at')!.data[0]!.values as BigInt64Array;
    expect(at[1]).toBe(BigInt(meta.loadedAt.getTime()) * 1000n);
    expect(batch.getChild('n')!.nullCount).toBe(1);
  });

  it('evolves the schema: new keys become columns in first-seen order, nulls wait for a value', () => {
    const b = new BatchBuilder([{ id: 'x', name: 'id', type: 'string' } as ColumnDef], meta);
    b.add([{ id: '1', later: null, zeta: 'z' }]);
    b.add([{ id: '2', alpha: 2, later: { a: 1 }, seen_at: 1700000001 }]);
    expect(b.columns.map((c) => [c.name, c.type])).toEqual([
      ['id', 'string'],
      ['zeta', 'string'],
      ['alpha', 'float64'],
      ['later', 'json'],
      ['seen_at', 'timestamp'],
    ]);
    const batch = b.flush()!;
    expect(values(batch, 'zeta')).toEqual(['z', null]);
    expect(values(batch, 'later')).toEqual([null, '{"a":1}']);
    // reserved metadata names in records are ignored, not duplicated
    b.add([{ id: '3', _elt_load_id: 'spoof' }]);
    expect(values(b.flush()!, '_elt_load_id')).toEqual(['load-1']);
  });

  it('coerces values that do not fit losslessly, else stores NULL and counts it', () => {
    const b = new BatchBuilder(declared, meta);
    b.add([
      { id: 42, n: '123', score: '2.5', ok: 'true', updated_at: '2024-05-01T00:00:00Z', custom_attributes: 'plain' },
      { id: true, n: 'abc', score: 'x', ok: 'maybe', updated_at: 'yesterday', custom_attributes: [1, 2] },
      { id: { a: 1 }, n: 1.5, score: true, ok: 1, updated_at: '1700000000', custom_attributes: 7 },
      { id: 'z', n: 2 ** 60, score: 3n, ok: 0, updated_at: '2024-05-01 10:00:00', custom_attributes: false },
    ]);
    const batch = b.flush()!;
    expect(values(batch, 'id')).toEqual(['42', 'true', '{"a":1}', 'z']);
    expect(values(batch, 'n')).toEqual([123n, null, null, null]);
    expect(values(batch, 'score')).toEqual([2.5, null, null, 3]);
    expect(values(batch, 'ok')).toEqual([true, null, true, false]);
    const ts = batch.getChild('updated_at')!;
    const raw = ts.data[0]!.values as BigInt64Array;
    expect(raw[0]).toBe(BigInt(Date.parse('2024-05-01T00:00:00Z')) * 1000n);
    expect(ts.get(1)).toBeNull();
    expect(raw[2]).toBe(1700000000n * 1000000n);
    // a date-time without offset is UTC, not the machine's zone
    expect(raw[3]).toBe(BigInt(Date.parse('2024-05-01T10:00:00Z')) * 1000n);
    expect(values(batch, 'custom_attributes')).toEqual(['"plain"', '[1,2]', '7', 'false']);
    // n: abc, 1.5, 2^60 (not exact as a double); score: x, true; ok: maybe; updated_at: yesterday
    expect(b.coercions).toBe(7);
  });

  it('encodes non-ASCII text and long strings with correct offsets', () => {
    const b = new BatchBuilder([{ name: 'city', type: 'string' }], meta);
    const long = 'ü'.repeat(5000);
    const rows = ['Zürich', null, '', 'São Paulo', '東京', '😀 emoji', long, 'plain'].map((city) => ({ city }));
    b.add(rows);
    expect(values(b.flush()!, 'city')).toEqual(rows.map((r) => r.city));
  });

  it('handles batches larger than one bitmap word and keeps nulls aligned', () => {
    const b = new BatchBuilder(
      [
        { name: 'k', type: 'int64' },
        { name: 'f', type: 'bool' },
      ],
      meta,
    );
    const rows = Array.from({ length: 5001 }, (_, i) => ({ k: i % 3 === 0 ? null : i, f: i % 5 === 0 ? null : i % 2 === 0 }));
    b.add(rows);
    const batch = b.flush()!;
    expect(batch.numRows).toBe(5001);
    const k = values(batch, 'k');
    const f = values(batch, 'f');
    for (const i of [0, 1, 2, 3, 7, 8, 63, 64, 65, 2047, 2048, 4999, 5000]) {
      expect(k[i]).toBe(i % 3 === 0 ? null : BigInt(i));
      expect(f[i]).toBe(i % 5 === 0 ? null : i % 2 === 0);
    }
    expect(batch.getChild('k')!.nullCount).toBe(1667);
    expect(col(batch, 'k').length).toBe(5001);
  });

  it('negative and large int64 values survive the two-word write', () => {
    const b = new BatchBuilder([{ name: 'v', type: 'int64' }], meta);
    const input = [-1, -4294967296, 4294967297, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, 0];
    b.add(input.map((v) => ({ v })));
    expect(values(b.flush()!, 'v')).toEqual(input.map((v) => BigInt(v)));
  });
  it('joins pages of odd sizes into one batch: values, nulls and late columns stay aligned', () => {
    const declared2: ColumnDef[] = [
      { name: 'id', type: 'string' },
      { name: 'n', type: 'int64' },
      { name: 'x', type: 'float64' },
      { name: 'ok', type: 'bool' },
      { name: 'at', type: 'timestamp' },
      { name: 'j', type: 'json' },
    ];
    const b = new BatchBuilder(declared2, meta);
    const all: Row[] = [];
    let i = 0;
    // page sizes that are not multiples of 8 put each page's bits at a different bit offset
    for (const size of [3, 13, 1, 150, 7, 0, 29]) {
      const page: Row[] = [];
      for (let k = 0; k < size; k++, i++) {
        page.push({
          id: i % 4 === 1 ? null : `r${i}-ü`,
          n: i % 3 === 0 ? null : i,
          x: i % 5 === 0 ? null : i / 2,
          ok: i % 7 === 0 ? null : i % 2 === 0,
          at: i % 6 === 0 ? null : 1700000000 + i,
          j: i % 2 === 0 ? { i } : null,
          // appears from row 20 on: earlier rows read NULL
          late: i >= 20 && i % 2 === 1 ? `L${i}` : undefined,
        });
      }
      all.push(...page);
      b.add(page);
    }
    expect(b.length).toBe(all.length);
    const batch = b.flush()!;
    expect(batch.numRows).toBe(all.length);
    expect(values(batch, 'id')).toEqual(all.map((r) => r.id));
    expect(values(batch, 'n')).toEqual(all.map((r) => (r.n === null ? null : BigInt(r.n as number))));
    expect(values(batch, 'x')).toEqual(all.map((r) => r.x));
    expect(values(batch, 'ok')).toEqual(all.map((r) => r.ok));
    const at = batch.getChild('at')!;
    all.forEach((r, k) => expect(at.isValid(k)).toBe(r.at !== null));
    expect(values(batch, 'j')).toEqual(all.map((r) => (r.j === null ? null : JSON.stringify(r.j))));
    expect(values(batch, 'late')).toEqual(all.map((r) => r.late ?? null));
    expect(batch.getChild('late')!.nullCount).toBe(all.filter((r) => r.late === undefined).length);
    // the next batch starts empty and keeps the evolved column
    b.add([{ id: 'next', late: 'y' }]);
    const next = b.flush()!;
    expect(values(next, 'late')).toEqual(['y']);
    expect(values(next, 'n')).toEqual([null]);
  });
});
