/**
 * The first-load fast path (DuckDB): a merge table this run creates gets its batches appended
 * straight into it inside the checkpoint transaction, until a key repeats within the run; from
 * then on the table stages and merges. A recording session (delegating to the real DuckDB
 * session) shows which path ran; the rows are read from the real file on another connection.
 */
import { Utf8, Int64, makeData, RecordBatch, Schema, Struct, Field } from 'apache-arrow';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DuckDBInstance } from '@duckdb/node-api';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDbSession } from '../../src/destinations/duckdb/driver.js';
import { duckDbDialect } from '../../src/destinations/duckdb/sql.js';
import type { SqlSession } from '../../src/destinations/shared/driver.js';
import { hashTuples, KeySet, KeyTable } from '../../src/destinations/shared/key-set.js';
import { SqlRunWriter } from '../../src/destinations/shared/loader.js';
import type { RunSpec } from '../../src/destinations/types.js';
import type { Row } from '../../src/core/schema.js';
import { batch, COLS, oneTable } from './harness.js';

/** Every statement and direct append a real session saw. */
interface Recorded {
  session: SqlSession;
  sql: string[];
  direct: number;
}

function recording(inner: SqlSession): Recorded {
  const r: Recorded = { sql: [], direct: 0, session: inner };
  r.session = {
    execute: (s) => (r.sql.push(s), inner.execute(s)),
    query: (s) => inner.query(s),
    tableColumns: (schema, table) => inner.tableColumns(schema, table),
    tableNames: (schema) => inner.tableNames(schema),
    appendStaging: (...a) => inner.appendStaging(...a),
    appendDirect: (...a) => (r.direct++, inner.appendDirect!(...a)),
    close: () => inner.close(),
  };
  return r;
}

describe('first-load direct append (DuckDB)', () => {
  let dir: string;
  let instance: DuckDBInstance;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'elt-direct-'));
    instance = await DuckDBInstance.create(join(dir, 'db.duckdb'), { autoinstall_known_extensions: 'false', autoload_known_extensions: 'false' });
  });
  afterEach(() => {
    instance.closeSync();
    rmSync(dir, { recursive: true, force: true });
  });

  const open = async (spec: RunSpec) => {
    const rec = recording(await DuckDbSession.create(await instance.connect()));
    const w = await SqlRunWriter.open(duckDbDialect, rec.session, spec, 'intercom', () => undefined);
    return { w, rec };
  };
  const query = async (sql: string) => {
    const c = await instance.connect();
    try {
      return (await c.runAndReadAll(sql)).getRowObjectsJS();
    } finally {
      c.closeSync();
    }
  };
  const rows = async () => (await query(`SELECT id, epoch(updated_at)::INTEGER AS u, v FROM intercom.contacts ORDER BY id`)).map((r) => [r.id, r.u, r.v]);
  const merges = (rec: Recorded) => rec.sql.filter((s) => /^(DELETE FROM|INSERT INTO|MERGE INTO) "intercom"\."contacts"/.test(s));
  const spec = (loadId: string, extra: Partial<RunSpec> = {}) => oneTable('contacts', loadId, { strategy: 'merge' }, extra);
  /** A child table replaced per parent (contact_tags), and a write of its rows listing their parents. */
  const partCols = [
    { name: 'contact_id', type: 'string' as const },
    { name: 'id', type: 'string' as const },
  ];
  const children: RunSpec = {
    asset: 'contacts',
    loadId: 'L1',
    fullRefresh: false,
    tables: [
      {
        key: 'tags',
        schema: 'intercom',
        table: 'contact_tags',
        columns: partCols,
        primaryKey: ['contact_id', 'id'],
        parentKey: ['contact_id'],
        strategy: 'merge',
      },
    ],
  };
  const write = (w: SqlRunWriter, rows: Row[], parents: string[]) =>
    w.write('tags', batch(rows, 'L1', partCols), { parentKey: ['contact_id'], parents: parents.map((p) => [p]) });

  it('appends a new table directly across checkpoints when no key repeats, with no merge', async () => {
    const { w, rec } = await open(spec('L1'));
    await w.write(
      'contacts',
      batch([
        { id: 'a', updated_at: 1, v: 'a1' },
        { id: 'b', updated_at: 2, v: 'b1' },
      ]),
    );
    // not visible to another connection before the checkpoint commits
    expect(await query(`SELECT count(*)::INTEGER AS n FROM information_schema.tables WHERE table_name = 'contacts'`)).toEqual([{ n: 0 }]);
    await w.checkpoint({ cursor: 1 });
    expect(await rows()).toEqual([
      ['a', 1, 'a1'],
      ['b', 2, 'b1'],
    ]);
    await w.write('contacts', batch([{ id: 'c', updated_at: 3, v: 'c1', plan: 'gold' }]));
    await w.finish({ cursor: 3 }, { status: 'ok', rows: 3, requests: 1 });
    expect(rec.direct).toBe(2);
    expect(merges(rec)).toEqual([]);
    expect(await rows()).toEqual([
      ['a', 1, 'a1'],
      ['b', 2, 'b1'],
      ['c', 3, 'c1'],
    ]);
    expect(await query(`SELECT id, plan FROM intercom.contacts WHERE plan IS NOT NULL`)).toEqual([{ id: 'c', plan: 'gold' }]);
  });

  it('a key seen again in a later checkpoint falls back to the merge: no duplicate, the later row wins', async () => {
    const { w, rec } = await open(spec('L1'));
    await w.write(
      'contacts',
      batch([
        { id: 'a', updated_at: 1, v: 'a1' },
        { id: 'b', updated_at: 2, v: 'b1' },
      ]),
    );
    await w.checkpoint({ cursor: 1 });
    // the search returned 'a' again on a later page (updated mid-pagination)
    await w.write(
      'contacts',
      batch([
        { id: 'c', updated_at: 3, v: 'c1' },
        { id: 'a', updated_at: 5, v: 'a2' },
      ]),
    );
    await w.write('contacts', batch([{ id: 'd', updated_at: 4, v: 'd1' }]));
    await w.finish({ cursor: 5 }, { status: 'ok', rows: 5, requests: 1 });
    expect(rec.direct).toBe(1);
    expect(merges(rec).length).toBeGreaterThan(0);
    expect(await rows()).toEqual([
      ['a', 5, 'a2'],
      ['b', 2, 'b1'],
      ['c', 3, 'c1'],
      ['d', 4, 'd1'],
    ]);
  });

  it('a key repeated within one checkpoint (and within one batch) keeps the newest row', async () => {
    const { w, rec } = await open(spec('L1'));
    await w.write('contacts', batch([{ id: 'a', updated_at: 1, v: 'a1' }]));
    await w.write(
      'contacts',
      batch([
        { id: 'b', updated_at: 9, v: 'b-newest' },
        { id: 'b', updated_at: 2, v: 'b-older' },
        { id: 'a', updated_at: 7, v: 'a2' },
      ]),
    );
    await w.finish({ cursor: 9 }, { status: 'ok', rows: 4, requests: 1 });
    expect(rec.direct).toBe(1);
    expect(await rows()).toEqual([
      ['a', 7, 'a2'],
      ['b', 9, 'b-newest'],
    ]);
  });

  it('an abort rolls back the rows appended since the last checkpoint', async () => {
    const { w } = await open(spec('L1'));
    await w.write('contacts', batch([{ id: 'a', updated_at: 1, v: 'kept' }]));
    await w.checkpoint({ cursor: 1 });
    await w.write('contacts', batch([{ id: 'b', updated_at: 2, v: 'lost' }]));
    await w.abort({ status: 'failed', rows: 2, requests: 1 });
    expect(await rows()).toEqual([['a', 1, 'kept']]);
    const [state] = await query(`SELECT CAST(state AS VARCHAR) AS s FROM intercom._elt_state`);
    expect(JSON.parse(String(state!.s))).toEqual({ cursor: 1 });
  });

  it('an existing table stages and merges; a full refresh recreates it and appends directly', async () => {
    let { w, rec } = await open(spec('L1'));
    await w.write('contacts', batch([{ id: 'a', updated_at: 1, v: 'a1' }]));
    await w.finish({ cursor: 1 }, { status: 'ok', rows: 1, requests: 1 });
    ({ w, rec } = await open(spec('L2')));
    await w.write(
      'contacts',
      batch([
        { id: 'a', updated_at: 2, v: 'a2' },
        { id: 'b', updated_at: 2, v: 'b2' },
      ]),
    );
    await w.finish({ cursor: 2 }, { status: 'ok', rows: 2, requests: 1 });
    expect(rec.direct).toBe(0);
    expect(await rows()).toEqual([
      ['a', 2, 'a2'],
      ['b', 2, 'b2'],
    ]);
    ({ w, rec } = await open(spec('L3', { fullRefresh: true })));
    await w.write('contacts', batch([{ id: 'c', updated_at: 3, v: 'c3' }]));
    await w.finish({ cursor: 3 }, { status: 'ok', rows: 1, requests: 1 });
    expect(rec.direct).toBe(1);
    expect(await rows()).toEqual([['c', 3, 'c3']]);
  });

  it('a merge over many checkpoints holds no staged row after each commit (DuckDB never reclaims rows deleted from a temp table)', async () => {
    let { w, rec } = await open(spec('L1'));
    await w.write('contacts', batch([{ id: 'k0', updated_at: 1, v: 'first' }]));
    await w.finish({ cursor: 1 }, { status: 'ok', rows: 1, requests: 1 });
    ({ w, rec } = await open(spec('L2')));
    // rows the session's temporary tables hold, deleted ones included (estimated_size counts them)
    const held = async () =>
      (await rec.session.query(`SELECT coalesce(sum(estimated_size), 0)::INTEGER AS n FROM duckdb_tables() WHERE database_name = 'temp'`))[0]!.n;
    for (let c = 0; c < 5; c++) {
      await w.write('contacts', batch(Array.from({ length: 100 }, (_, i) => ({ id: `k${i}`, updated_at: 10 + c, v: `c${c}` }))));
      expect(await held()).toBe(100);
      await w.checkpoint({ cursor: 10 + c });
      // emptied by DELETE, the staging table would still hold 100, 200, … rows here
      expect(await held()).toBe(0);
    }
    await w.finish({ cursor: 14 }, { status: 'ok', rows: 500, requests: 5 });
    expect(rec.direct).toBe(0);
    expect(merges(rec).length).toBeGreaterThan(0);
    expect(await query(`SELECT count(*)::INTEGER AS n, min(v) AS lo, max(v) AS hi FROM intercom.contacts`)).toEqual([{ n: 100, lo: 'c4', hi: 'c4' }]);
  });

  it('child tables append directly while no parent repeats; a repeated parent replaces its rows through the merge', async () => {
    const tags = async () => (await query(`SELECT contact_id, id FROM intercom.contact_tags ORDER BY ALL`)).map((r) => [r.contact_id, r.id]);
    let { w, rec } = await open(children);
    await write(
      w,
      [
        { contact_id: 'c1', id: 't1' },
        { contact_id: 'c1', id: 't2' },
      ],
      ['c1', 'c2'],
    );
    await w.checkpoint({});
    await write(w, [{ contact_id: 'c3', id: 't1' }], ['c3']);
    // c1 again (updated mid-pagination): it now has only t3
    await write(
      w,
      [
        { contact_id: 'c1', id: 't3' },
        { contact_id: 'c4', id: 't1' },
      ],
      ['c1', 'c4'],
    );
    await w.finish({}, { status: 'ok', rows: 5, requests: 1 });
    expect(rec.direct).toBe(2);
    expect(await tags()).toEqual([
      ['c1', 't3'],
      ['c3', 't1'],
      ['c4', 't1'],
    ]);
    // a row whose parent its batch does not list, or a key twice in a batch, stage from the start
    for (const [rows, parents] of [
      [[{ contact_id: 'c9', id: 't1' }], ['c8']],
      [
        [
          { contact_id: 'c8', id: 't1' },
          { contact_id: 'c8', id: 't1' },
        ],
        ['c8'],
      ],
    ] as const) {
      await query(`DROP TABLE intercom.contact_tags`);
      ({ w, rec } = await open({ ...children, loadId: 'L2' }));
      await write(w, [...rows], [...parents]);
      await w.finish({}, { status: 'ok', rows: 1, requests: 1 });
      expect(rec.direct).toBe(0);
    }
    expect(await tags()).toEqual([['c8', 't1']]);
  });

  it('a re-sync replaces the child rows of thousands of parents with one DELETE a checkpoint, and keeps no staged parent', async () => {
    const ids = Array.from({ length: 1500 }, (_, i) => `c${i}`);
    const first = (await open(children)).w;
    await write(
      first,
      ids.map((c) => ({ contact_id: c, id: 'old' })),
      ids,
    );
    await first.finish({}, { status: 'ok', rows: ids.length, requests: 1 });
    // the second run sees every parent again, in two batches of one checkpoint: even ones with a new
    // tag, odd ones with none left (their batch lists them as parents all the same)
    const { w, rec } = await open({ ...children, loadId: 'L2' });
    const even = ids.filter((_, i) => i % 2 === 0);
    for (const part of [ids.slice(0, 800), ids.slice(800)]) {
      await write(
        w,
        part.filter((c) => even.includes(c)).map((c) => ({ contact_id: c, id: 'new' })),
        part,
      );
    }
    const held = async () =>
      (await rec.session.query(`SELECT coalesce(sum(estimated_size), 0)::INTEGER AS n FROM duckdb_tables() WHERE database_name = 'temp'`))[0]!.n;
    await w.checkpoint({});
    expect(await held()).toBe(0);
    await w.finish({}, { status: 'ok', rows: even.length, requests: 1 });
    // lists of literals took one statement (and one scan of the table) per 500 parents
    expect(rec.sql.filter((s) => s.startsWith('DELETE FROM "intercom"."contact_tags" WHERE "contact_id" IN ('))).toHaveLength(1);
    const got = await query(`SELECT id, count(*)::INTEGER AS n, count(DISTINCT contact_id)::INTEGER AS parents FROM intercom.contact_tags GROUP BY id`);
    expect(got).toEqual([{ id: 'new', n: even.length, parents: even.length }]);
  });

  it('other strategies and NULL keys stage', async () => {
    for (const strategy of ['append', 'delete+insert', 'replace'] as const) {
      const { w, rec } = await open(oneTable(`t_${strategy.replace('+', '_')}`, 'L1', { strategy }));
      await w.write(`t_${strategy.replace('+', '_')}`, batch([{ id: 'a', updated_at: 1 }]));
      await w.finish({}, { status: 'ok', rows: 1, requests: 1 });
      expect(rec.direct, strategy).toBe(0);
    }
    const { w, rec } = await open(spec('L1'));
    await w.write('contacts', batch([{ id: 'a', updated_at: 1, v: 'a' }, { id: null, updated_at: 1, v: 'no key' } as Row]));
    await w.finish({}, { status: 'ok', rows: 2, requests: 1 });
    expect(rec.direct).toBe(0);
    expect(await rows()).toEqual([
      ['a', 1, 'a'],
      [null, 1, 'no key'],
    ]);
    expect(COLS.map((c) => c.name)).toEqual(['id', 'updated_at', 'v']);
  });
});

describe('KeySet', () => {
  const strings = (cols: string[][]) => {
    const fields = cols.map((_, i) => new Field(`k${i}`, new Utf8(), true));
    const children = cols.map((values) => {
      const bytes = values.map((v) => new TextEncoder().encode(v));
      const offsets = new Int32Array(values.length + 1);
      bytes.forEach((b, i) => (offsets[i + 1] = offsets[i]! + b.length));
      const data = new Uint8Array(offsets[values.length]!);
      bytes.forEach((b, i) => data.set(b, offsets[i]!));
      return makeData({ type: new Utf8(), length: values.length, nullCount: 0, valueOffsets: offsets, data });
    });
    return new RecordBatch(new Schema(fields), makeData({ type: new Struct(fields), length: cols[0]!.length, nullCount: 0, children }));
  };

  it('finds repeats across batches and within a batch, over growth to 300k keys', () => {
    const s = new KeySet();
    for (let b = 0; b < 100; b++) {
      expect(s.addBatch(strings([Array.from({ length: 3000 }, (_, i) => `6650${b}f${i}abcdef`)]), [0])).toBe(true);
    }
    expect(s.size).toBe(300_000);
    expect(s.addBatch(strings([['new-1', '6650', '665042f17abcdef']]), [0])).toBe(false);
    expect(new KeySet().addBatch(strings([['x', 'y', 'x']]), [0])).toBe(false);
  });

  it('sets sharing a table are independent, and the same keys in three sets are stored once', () => {
    const table = new KeyTable();
    const [contacts, tags, companies] = [table.newSet(), table.newSet(), table.newSet()];
    const ids = (from: number, n: number) => hashTuples(Array.from({ length: n }, (_, i) => [`6650f${from + i}`]))!;
    // a run's pages: the contacts set takes the keys, each child table's set the same ids as parents
    for (let page = 0; page < 100; page++) {
      for (const s of [contacts, tags, companies]) expect(s.addAll(ids(page * 1500, 1500))).toBe(true);
    }
    expect([contacts.size, tags.size, companies.size]).toEqual([150_000, 150_000, 150_000]);
    // a repeat is a repeat for the set that holds it only
    expect(tags.addAll(ids(42, 1))).toBe(false);
    const fresh = table.newSet();
    expect(fresh.hasAll(ids(42, 1))).toBe(false);
    expect(fresh.addAll(ids(42, 1))).toBe(true);
    expect(fresh.hasAll(ids(42, 1))).toBe(true);
    // one table for the three: the bytes of a set of its own, plus a byte a slot
    const own = new KeyTable();
    own.newSet().addAll(ids(0, 150_000));
    expect(table.byteLength).toBe(own.byteLength);
    expect(table.byteLength).toBeLessThan(3 * 8 * 2 ** 19);
  });

  it('a table shared by more than 8 sets gives the ninth a table of its own', () => {
    const table = new KeyTable();
    const sets = Array.from({ length: 9 }, () => table.newSet());
    const key = hashTuples([['x']])!;
    for (const s of sets) expect(s.addAll(key)).toBe(true);
    for (const s of sets) expect(s.addAll(key)).toBe(false);
  });

  it('compound keys are told apart at the column boundary; non-text keys are refused', () => {
    const s = new KeySet();
    expect(
      s.addBatch(
        strings([
          ['ab', 'a'],
          ['c', 'bc'],
        ]),
        [0, 1],
      ),
    ).toBe(true);
    expect(s.addBatch(strings([['ab'], ['c']]), [0, 1])).toBe(false);
    const ints = new RecordBatch(
      new Schema([new Field('n', new Int64(), true)]),
      makeData({
        type: new Struct([new Field('n', new Int64(), true)]),
        length: 1,
        nullCount: 0,
        children: [makeData({ type: new Int64(), length: 1, nullCount: 0, data: new BigInt64Array([1n]) })],
      }),
    );
    expect(new KeySet().addBatch(ints, [0])).toBe(false);
  });
});
