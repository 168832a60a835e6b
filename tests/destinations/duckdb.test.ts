/** DuckDB specifics: column types, UTC timestamps, JSON, the raw-vector appender path, names. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BatchBuilder } from '../../src/arrow/index.js';
import { alternateName, physicalName, resolveColumnNames } from '../../src/destinations/shared/identifiers.js';
import type { ColumnDef } from '../../src/core/schema.js';
import { duckdbFactory, load, oneTable, type Harness } from './harness.js';

describe('duckdb destination', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await duckdbFactory.open();
  });
  afterEach(async () => {
    await h.cleanup();
  });

  const columns: ColumnDef[] = [
    { name: 'id', type: 'string' },
    { name: 'n', type: 'int64' },
    { name: 'f', type: 'float64' },
    { name: 'b', type: 'bool' },
    { name: 'created_at', type: 'timestamp' },
    { name: 'custom_attributes', type: 'json' },
  ];

  it('maps column types and stores timestamps as UTC instants', async () => {
    await load(h.dest, oneTable('t', 'L1', { strategy: 'merge', columns, incrementalKey: 'created_at' }), [
      { id: 'a', n: 9007199254740991, f: 0.25, b: true, created_at: 1714564800, custom_attributes: { plan: 'pro', seats: 3, nested: { deep: [1, 'x'] } } },
    ]);
    const types = await h.query(
      `SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = 'intercom' AND table_name = 't' ORDER BY ordinal_position`,
    );
    expect(types.map((r) => [r.column_name, r.data_type])).toEqual([
      ['id', 'VARCHAR'],
      ['n', 'BIGINT'],
      ['f', 'DOUBLE'],
      ['b', 'BOOLEAN'],
      ['created_at', 'TIMESTAMP WITH TIME ZONE'],
      ['custom_attributes', 'JSON'],
      ['_elt_loaded_at', 'TIMESTAMP WITH TIME ZONE'],
      ['_elt_load_id', 'VARCHAR'],
    ]);
    const [row] = await h.query(
      `SELECT n, epoch(created_at) AS epoch, strftime(created_at AT TIME ZONE 'UTC', '%Y-%m-%d %H:%M:%S') AS utc, ` +
        `json_extract_string(custom_attributes, '$.plan') AS plan, json_extract(custom_attributes, '$.nested.deep[1]') AS deep, ` +
        `custom_attributes->>'$.seats' AS seats FROM intercom.t`,
    );
    expect(row).toEqual({ n: 9007199254740991, epoch: 1714564800, utc: '2024-05-01 12:00:00', plan: 'pro', deep: '"x"', seats: '3' });
  });

  it('bulk path: many chunks, nulls at chunk edges, inline and long strings, unicode', async () => {
    const N = 7000;
    const text = (i: number): string | null => (i % 7 === 0 ? null : i % 3 === 0 ? `long string number ${i} – ünïcødé 東京` : `s${i}`);
    const rows = Array.from({ length: N }, (_, i) => ({
      id: `id-${i}`,
      n: i % 5 === 0 ? null : i * 1000003,
      f: i % 11 === 0 ? null : i / 4,
      b: i % 13 === 0 ? null : i % 2 === 0,
      created_at: i % 17 === 0 ? null : 1700000000 + i,
      custom_attributes: i % 2 === 0 ? null : { i, t: text(i) },
      label: text(i),
    }));
    await load(h.dest, oneTable('bulk', 'L1', { strategy: 'append', primaryKey: [], columns }), rows);
    const got = await h.query(
      `SELECT id, n, f, b, epoch(created_at) AS c, CAST(custom_attributes AS VARCHAR) AS ca, label FROM intercom.bulk ORDER BY CAST(substr(id, 4) AS INTEGER)`,
    );
    expect(got).toHaveLength(N);
    for (const i of [0, 1, 2, 3, 12, 13, 2046, 2047, 2048, 2049, 4095, 4096, 6143, 6144, 6999]) {
      const r = rows[i]!;
      expect(got[i]).toEqual({
        id: r.id,
        n: r.n,
        f: r.f,
        b: r.b,
        c: r.created_at,
        ca: r.custom_attributes === null ? null : JSON.stringify(r.custom_attributes),
        label: r.label,
      });
    }
    const [agg] = await h.query(`SELECT count(label) AS labels, sum(length(label)) AS chars FROM intercom.bulk`);
    const expected = rows.map((r) => r.label).filter((l): l is string => l !== null);
    expect(agg).toEqual({ labels: expected.length, chars: expected.reduce((a, l) => a + [...l].length, 0) });
  });

  it('a column whose type changes between batches is converted, not failed', async () => {
    const spec = oneTable('drift', 'L1', { strategy: 'append', primaryKey: [], columns: [{ name: 'id', type: 'string' }] });
    const w = await h.dest.openRun(spec);
    const b1 = new BatchBuilder([{ name: 'id', type: 'string' }], { loadId: 'L1', loadedAt: new Date() });
    b1.add([{ id: 'a', score: 1.5 }]);
    await w.write('drift', b1.flush()!);
    const b2 = new BatchBuilder([{ name: 'id', type: 'string' }], { loadId: 'L1', loadedAt: new Date() });
    b2.add([
      { id: 'b', score: '2.5' },
      { id: 'c', score: 'n/a' },
    ]);
    await w.write('drift', b2.flush()!);
    await w.finish({}, { status: 'ok', rows: 3, requests: 1 });
    const got = await h.query(`SELECT id, score FROM intercom.drift ORDER BY id`);
    expect(got).toEqual([
      { id: 'a', score: 1.5 },
      { id: 'b', score: 2.5 },
      { id: 'c', score: null },
    ]);
  });

  it('reads state after reopening the file (state lives in the database)', async () => {
    await load(h.dest, oneTable('contacts', 'L1', { strategy: 'merge' }), [{ id: 'a' }], { cursor: 42, note: "it's" });
    await h.reopen();
    expect(await h.dest.readState('contacts')).toEqual({ cursor: 42, note: "it's" });
    expect((await h.dest.loads()).map((l) => l.status)).toEqual(['ok']);
  });
});

describe('identifier mapping', () => {
  const rules = { maxIdentifierLength: 63, caseInsensitive: true };

  it('shortens long names deterministically within the byte limit', () => {
    const long = 'ä'.repeat(100);
    const p = physicalName(long, 63);
    expect(Buffer.byteLength(p)).toBeLessThanOrEqual(63);
    expect(physicalName(long, 63)).toBe(p);
    expect(physicalName(long + 'b', 63)).not.toBe(p);
    expect(physicalName('short', 63)).toBe('short');
  });

  it('gives a case twin its alternate name, and finds it again on the next run', () => {
    const first = resolveColumnNames(['Plan', 'plan', '_elt_seq'], [], rules, ['_elt_seq']);
    expect(first.physical).toEqual(['Plan', alternateName('plan', 63), alternateName('_elt_seq', 63)]);
    const next = resolveColumnNames(['plan', 'Plan'], first.physical, rules);
    expect(next.physical).toEqual([alternateName('plan', 63), 'Plan']);
    expect(next.added).toEqual([]);
    // a case-sensitive destination keeps both plain names
    expect(resolveColumnNames(['Plan', 'plan'], [], { ...rules, caseInsensitive: false }).physical).toEqual(['Plan', 'plan']);
  });
});
