/** Postgres specifics against the suite's real server: types, binary COPY edge cases, 63-byte names, type changes. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { physicalName } from '../../src/destinations/shared/identifiers.js';
import type { ColumnDef } from '../../src/core/schema.js';
import { load, oneTable, postgresFactory, type Harness } from './harness.js';

describe('postgres destination', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await postgresFactory.open();
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

  it('maps column types, stores timestamps as UTC instants, JSON as jsonb, and indexes the merge key', async () => {
    await load(h.dest, oneTable('t', 'L1', { strategy: 'merge', columns, incrementalKey: 'created_at' }), [
      { id: 'a', n: 9007199254740991, f: 0.25, b: true, created_at: 1714564800, custom_attributes: { plan: 'pro', seats: 3, nested: { deep: [1, 'x'] } } },
    ]);
    const types = await h.query(
      `SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = 'intercom' AND table_name = 't' ORDER BY ordinal_position`,
    );
    expect(types.map((r) => [r.column_name, r.data_type])).toEqual([
      ['id', 'text'],
      ['n', 'bigint'],
      ['f', 'double precision'],
      ['b', 'boolean'],
      ['created_at', 'timestamp with time zone'],
      ['custom_attributes', 'jsonb'],
      ['_elt_loaded_at', 'timestamp with time zone'],
      ['_elt_load_id', 'text'],
    ]);
    const [row] = await h.query(
      `SELECT n, extract(epoch FROM created_at)::bigint AS epoch, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') AS utc, ` +
        `custom_attributes->>'plan' AS plan, custom_attributes#>'{nested,deep,1}' AS deep, (custom_attributes->>'seats')::int AS seats FROM intercom.t`,
    );
    expect(row).toEqual({ n: 9007199254740991, epoch: 1714564800, utc: '2024-05-01 12:00:00', plan: 'pro', deep: '"x"', seats: 3 });
    const idx = await h.query(`SELECT indexdef FROM pg_indexes WHERE schemaname = 'intercom' AND tablename = 't'`);
    expect(idx.map((r) => r.indexdef)).toEqual([expect.stringMatching(/CREATE UNIQUE INDEX .* USING btree \(id\)/)]);
  });

  it('binary COPY: nulls, extremes, pre-1970 and pre-2000 instants, COPY-special characters, NUL and lone surrogates', async () => {
    const N = 3000;
    const special = 'tab\there\nnew\rline back\\slash "q" \'s\' ünï 東京 😀 \\N';
    const rows = Array.from({ length: N }, (_, i) => ({
      id: `id-${i}`,
      n: i % 5 === 0 ? null : (i % 2 === 0 ? 1 : -1) * (Number.MAX_SAFE_INTEGER - i),
      f: i % 11 === 0 ? null : i === 1 ? Number.NaN : i === 2 ? Number.POSITIVE_INFINITY : i / 4 - 300,
      b: i % 13 === 0 ? null : i % 2 === 0,
      // spans 1901..2038, both epochs, negative micro halves (borrow in the 64-bit subtraction)
      created_at: i % 17 === 0 ? null : -2_100_000_000 + i * 1_431_000 + (i % 7),
      custom_attributes: (i % 2 === 0 ? null : { i, s: i % 3 === 0 ? special : `v${i}`, long: 'x'.repeat(i % 200) }) as Record<string, unknown> | null,
      v: i % 3 === 0 ? `${special} ${i}` : i % 7 === 0 ? null : 'y'.repeat(i % 300),
    }));
    rows[10]!.v = 'nul\u0000inside';
    rows[11]!.custom_attributes = { 'key\u0000': 'nul\u0000value', lone: 'a\ud800b', pair: '😀' };
    const cols = [...columns, { name: 'v', type: 'string' as const }];
    await load(h.dest, oneTable('t', 'L1', { strategy: 'merge', columns: cols, incrementalKey: 'created_at' }), rows);
    const got = await h.query(
      `SELECT id, n, f, b, extract(epoch FROM created_at)::bigint AS ts, custom_attributes::text AS ca, v FROM intercom.t ORDER BY (substr(id, 4))::int`,
    );
    expect(got).toHaveLength(N);
    for (const [i, r] of rows.entries()) {
      const g = got[i]!;
      expect(g.id).toBe(r.id);
      expect(g.n).toBe(r.n);
      if (typeof r.f === 'number' && Number.isNaN(r.f)) expect(g.f).toBeNaN();
      else expect(g.f).toBe(r.f);
      expect(g.b).toBe(r.b);
      expect(g.ts === null ? null : Number(g.ts)).toBe(r.created_at);
      if (i === 10) expect(g.v).toBe('nul\ufffdinside');
      else expect(g.v).toBe(r.v);
      if (i === 11) expect(JSON.parse(g.ca as string)).toEqual({ 'key\ufffd': 'nul\ufffdvalue', lone: 'a\ufffdb', pair: '😀' });
      else expect(g.ca === null ? null : JSON.parse(g.ca as string)).toEqual(r.custom_attributes);
    }
  });

  it('names longer than 63 bytes are shortened deterministically with a hash, never colliding, stable across runs', async () => {
    const prefix = 'a_very_long_custom_attribute_name_shared_by_two_columns_';
    const names = [`${prefix}one`, `${prefix}two`, 'ünïcødé_名前_'.repeat(6), 'x'.repeat(63), 'y'.repeat(64)];
    const cols: ColumnDef[] = [{ name: 'id', type: 'string' }, ...names.map((name) => ({ name, type: 'string' as const }))];
    const table = `table_${'t'.repeat(80)}`;
    const spec = oneTable('long', 'L1', { strategy: 'merge', table, columns: cols, incrementalKey: undefined });
    const row = { id: 'a', ...Object.fromEntries(names.map((n, i) => [n, `v${i}`])) };
    await load(h.dest, spec, [row]);
    await load(h.dest, { ...spec, loadId: 'L2' }, [{ ...row, [names[0]!]: 'updated' }]);
    const phys = await h.query(
      `SELECT table_name, column_name, octet_length(column_name) AS bytes FROM information_schema.columns ` +
        `WHERE table_schema = 'intercom' AND table_name LIKE 'table_%' ORDER BY ordinal_position`,
    );
    expect(new Set(phys.map((r) => r.table_name))).toEqual(new Set([physicalName(table, 63)]));
    expect(Buffer.byteLength(physicalName(table, 63))).toBeLessThanOrEqual(63);
    for (const r of phys) expect(r.bytes).toBeLessThanOrEqual(63);
    const expected = ['id', ...names.map((n) => physicalName(n, 63)), '_elt_loaded_at', '_elt_load_id'];
    expect(phys.map((r) => r.column_name)).toEqual(expected);
    expect(new Set(expected).size).toBe(expected.length);
    expect(physicalName('x'.repeat(63), 63)).toBe('x'.repeat(63));
    const [got] = await h.query(`SELECT * FROM intercom."${physicalName(table, 63)}"`);
    expect(got).toMatchObject({ id: 'a', [physicalName(names[0]!, 63)]: 'updated', [physicalName(names[2]!, 63)]: 'v2' });
  });

  it('a column whose type changed between runs: values that convert are kept, the rest are NULL', async () => {
    const spec = (loadId: string, nType: 'int64' | 'string') =>
      oneTable('t', loadId, {
        strategy: 'merge',
        incrementalKey: undefined,
        columns: [
          { name: 'id', type: 'string' },
          { name: 'n', type: nType },
        ],
      });
    await load(h.dest, spec('L1', 'int64'), [{ id: 'a', n: 1 }]);
    await load(h.dest, spec('L2', 'string'), [
      { id: 'b', n: '42' },
      { id: 'c', n: 'not a number' },
    ]);
    const got = await h.query(`SELECT id, n FROM intercom.t ORDER BY id`);
    expect(got).toEqual([
      { id: 'a', n: 1 },
      { id: 'b', n: 42 },
      { id: 'c', n: null },
    ]);
  });

  it('replace: a concurrent reader never sees an empty or partial table during the swap', async () => {
    const spec = (id: string) => oneTable('tags', id, { strategy: 'replace' });
    const rows = Array.from({ length: 500 }, (_, i) => ({ id: `t${i}` }));
    await load(h.dest, spec('L0'), rows);
    let stop = false;
    const seen = new Set<number>();
    const reader = (async () => {
      while (!stop) {
        const [r] = await h.query(`SELECT count(*)::int AS n FROM intercom.tags`);
        seen.add(r!.n as number);
      }
    })();
    for (let i = 1; i <= 8; i++) await load(h.dest, spec(`L${i}`), rows);
    stop = true;
    await reader;
    expect([...seen]).toEqual([500]);
  });
});
