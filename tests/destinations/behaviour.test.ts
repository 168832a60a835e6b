/**
 * Behaviours every destination must have, run against each real engine in FACTORIES.
 * SQL here is portable (quoted identifiers, plain SELECTs) so the same assertions hold everywhere.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DestinationError } from '../../src/core/errors.js';
import { quoteIdent } from '../../src/destinations/shared/identifiers.js';
import type { RunSpec } from '../../src/destinations/types.js';
import { batch, COLS, FACTORIES, load, oneTable, type Harness } from './harness.js';

const T = (table: string): string => `${quoteIdent('intercom')}.${quoteIdent(table)}`;

describe.each(FACTORIES)('$name destination', (factory) => {
  let h: Harness;
  beforeEach(async () => {
    h = await factory.open();
  });
  afterEach(async () => {
    await h.cleanup();
  });
  const rows = async (table: string, order = 'id'): Promise<Array<Record<string, unknown>>> =>
    h.query(`SELECT * FROM ${T(table)} ORDER BY ${quoteIdent(order)}`);
  type Writer = Awaited<ReturnType<typeof h.dest.openRun>>;
  /** contact_tags: a child table whose rows are replaced per parent contact. */
  const tagCols = [
    { name: 'contact_id', type: 'string' as const },
    { name: 'id', type: 'string' as const },
  ];
  const tagsSpec = (loadId: string): RunSpec => ({
    asset: 'contacts',
    loadId,
    fullRefresh: false,
    tables: [
      {
        key: 'tags',
        schema: 'intercom',
        table: 'contact_tags',
        columns: tagCols,
        primaryKey: ['contact_id', 'id'],
        parentKey: ['contact_id'],
        strategy: 'merge',
      },
    ],
  });
  /** A batch of (contact_id, tag) rows that replaces the rows of `parents`. */
  const writeTags = (w: Writer, loadId: string, rows: Array<[string, string]>, parents: string[]) =>
    w.write(
      'tags',
      batch(
        rows.map(([contact_id, id]) => ({ contact_id, id })),
        loadId,
        tagCols,
      ),
      { parentKey: ['contact_id'], parents: parents.map((p) => [p]) },
    );

  it('merge: updates, inserts, dedups a batch by newest incremental key, ties go to the last staged', async () => {
    const spec = (id: string) => oneTable('contacts', id, { strategy: 'merge' });
    await load(h.dest, spec('L1'), [
      { id: 'a', updated_at: 100, v: 'a1' },
      { id: 'b', updated_at: 100, v: 'b1' },
    ]);
    await load(h.dest, spec('L2'), [
      { id: 'b', updated_at: 300, v: 'b-newest' },
      { id: 'b', updated_at: 200, v: 'b-older-but-later' },
      { id: 'c', updated_at: 50, v: 'c-first' },
      { id: 'c', updated_at: 50, v: 'c-last-staged' },
    ]);
    const got = await rows('contacts');
    expect(got.map((r) => [r.id, r.v, r._elt_load_id])).toEqual([
      ['a', 'a1', 'L1'],
      ['b', 'b-newest', 'L2'],
      ['c', 'c-last-staged', 'L2'],
    ]);
    expect((got[1]!.updated_at as Date).toISOString()).toBe('1970-01-01T00:05:00.000Z');
  });

  it('merge across checkpoints of one run and ties across batches', async () => {
    const w = await h.dest.openRun(oneTable('contacts', 'L1', { strategy: 'merge' }));
    await w.write('contacts', batch([{ id: 'a', updated_at: 10, v: 'first' }]));
    await w.write('contacts', batch([{ id: 'a', updated_at: 10, v: 'second batch wins the tie' }]));
    await w.checkpoint({ cursor: 10 });
    await w.write('contacts', batch([{ id: 'a', updated_at: 20, v: 'next checkpoint' }]));
    await w.finish({ cursor: 20 }, { status: 'ok', rows: 3, requests: 3 });
    expect((await rows('contacts')).map((r) => r.v)).toEqual(['next checkpoint']);
    expect(await h.dest.readState('contacts')).toEqual({ cursor: 20 });
  });

  it('soft deletes mark existing rows in the checkpoint transaction; unknown keys are ignored', async () => {
    await load(h.dest, oneTable('contacts', 'L1', { strategy: 'merge' }), [{ id: 'a' }, { id: "b'quote" }, { id: 'c' }]);
    const w = await h.dest.openRun(oneTable('contacts', 'L2', { strategy: 'merge' }));
    await w.markDeleted('contacts', { keyColumns: ['id'], keys: [['a'], ["b'quote"], ['missing']], deletedAt: [1000, 2000, 3000] });
    // nothing visible before the checkpoint
    expect(Object.keys((await rows('contacts'))[0]!)).not.toContain('_elt_deleted_at');
    await w.checkpoint({ cursor: 3 });
    await w.finish({ cursor: 3 }, { status: 'ok', rows: 0, requests: 1 });
    const got = await rows('contacts');
    expect(got.map((r) => [r.id, r._elt_deleted_at instanceof Date ? r._elt_deleted_at.toISOString() : r._elt_deleted_at])).toEqual([
      ['a', '1970-01-01T00:16:40.000Z'],
      ["b'quote", '1970-01-01T00:33:20.000Z'],
      ['c', null],
    ]);
  });

  it('append inserts every row', async () => {
    const spec = (id: string) => oneTable('events', id, { strategy: 'append', primaryKey: [] });
    await load(h.dest, spec('L1'), [{ id: 'a', updated_at: 1, v: 'x' }]);
    await load(h.dest, spec('L2'), [{ id: 'a', updated_at: 1, v: 'x' }]);
    expect(await rows('events')).toHaveLength(2);
  });

  it('replace swaps atomically; an aborted replace leaves the old table; no empty window', async () => {
    const spec = (id: string) => oneTable('tags', id, { strategy: 'replace' });
    await load(h.dest, spec('L1'), [{ id: 'old1' }, { id: 'old2' }]);
    const w = await h.dest.openRun(spec('L2'));
    await w.write('tags', batch([{ id: 'new1' }]));
    await w.checkpoint({});
    // mid-run the old table is still whole
    expect((await rows('tags')).map((r) => r.id)).toEqual(['old1', 'old2']);
    await w.abort({ status: 'failed', rows: 1, requests: 1, error: 'boom' });
    expect((await rows('tags')).map((r) => r.id)).toEqual(['old1', 'old2']);
    const leftovers = await h.query(`SELECT table_name FROM information_schema.tables WHERE table_name LIKE '%elt_replace%'`);
    expect(leftovers).toEqual([]);
    await load(h.dest, spec('L3'), [{ id: 'new2' }, { id: 'new3' }]);
    expect((await rows('tags')).map((r) => [r.id, r._elt_load_id])).toEqual([
      ['new2', 'L3'],
      ['new3', 'L3'],
    ]);
  });

  it('replace: a leftover replace table of a crashed run is dropped at openRun', async () => {
    const spec = (id: string) => oneTable('tags', id, { strategy: 'replace' });
    const crashed = await h.dest.openRun(spec('L1'));
    await crashed.write('tags', batch([{ id: 'ghost' }]));
    await crashed.checkpoint({});
    await h.reopen(); // the process died: no finish, no abort
    await load(h.dest, spec('L2'), [{ id: 'real' }]);
    expect((await rows('tags')).map((r) => r.id)).toEqual(['real']);
  });

  it('delete+insert deletes the run window (inclusive) at the first checkpoint, then inserts', async () => {
    const spec = (id: string, window?: { start: number; end: number }) => oneTable('convs', id, { strategy: 'delete+insert' }, window ? { window } : {});
    await load(h.dest, spec('L1'), [
      { id: 'before', updated_at: 99 },
      { id: 'start', updated_at: 100 },
      { id: 'end', updated_at: 200 },
      { id: 'after', updated_at: 201 },
    ]);
    await load(h.dest, spec('L2', { start: 100, end: 200 }), [{ id: 'fresh', updated_at: 150 }]);
    expect((await rows('convs')).map((r) => r.id)).toEqual(['after', 'before', 'fresh']);
  });

  it('child tables: rows are replaced per parent, in the same transaction as the parent', async () => {
    const spec = {
      asset: 'conversations',
      loadId: 'L1',
      fullRefresh: false,
      tables: [
        {
          key: 'conversations',
          schema: 'intercom',
          table: 'conversations',
          columns: COLS,
          primaryKey: ['id'],
          incrementalKey: 'updated_at',
          strategy: 'merge' as const,
        },
        {
          key: 'parts',
          schema: 'intercom',
          table: 'conversation_parts',
          columns: [
            { name: 'id', type: 'string' as const },
            { name: 'conversation_id', type: 'string' as const },
          ],
          primaryKey: ['id'],
          parentKey: ['conversation_id'],
          strategy: 'merge' as const,
        },
      ],
    };
    const partCols = spec.tables[1]!.columns;
    let w = await h.dest.openRun(spec);
    await w.write('conversations', batch([{ id: 'c1' }, { id: 'c2' }]));
    await w.write(
      'parts',
      batch(
        [
          { id: 'p1', conversation_id: 'c1' },
          { id: 'p2', conversation_id: 'c1' },
          { id: 'p3', conversation_id: 'c2' },
        ],
        'L1',
        partCols,
      ),
      {
        parentKey: ['conversation_id'],
        parents: [['c1'], ['c2']],
      },
    );
    await w.finish({ cursor: 1 }, { status: 'ok', rows: 5, requests: 1 });
    w = await h.dest.openRun({ ...spec, loadId: 'L2' });
    // c1 now has only p4 (p1, p2 gone); c2 is untouched; c3 is a parent with no parts left
    await w.write('parts', batch([{ id: 'p4', conversation_id: 'c1' }], 'L2', partCols), {
      parentKey: ['conversation_id'],
      parents: [['c1'], ["c3'; DROP TABLE x; --"]],
    });
    await w.finish({ cursor: 2 }, { status: 'ok', rows: 1, requests: 1 });
    expect((await rows('conversation_parts')).map((r) => [r.id, r.conversation_id])).toEqual([
      ['p3', 'c2'],
      ['p4', 'c1'],
    ]);
  });

  it('child rows of many parents over several batches and checkpoints are replaced, parents with no rows left included', async () => {
    const ids = Array.from({ length: 1200 }, (_, i) => `c${String(i).padStart(4, '0')}`);
    const write = (w: Writer, loadId: string, parents: string[], tag: (i: number) => string[]) =>
      writeTags(
        w,
        loadId,
        parents.flatMap((c) => tag(Number(c.slice(1))).map((id): [string, string] => [c, id])),
        parents,
      );
    let w = await h.dest.openRun(tagsSpec('L1'));
    await write(w, 'L1', ids, () => ['a', 'b']);
    await w.finish({ cursor: 1 }, { status: 'ok', rows: 2400, requests: 1 });
    // a second run sees 1,000 of them again, across two checkpoints: c0000-c0599 keep only 'c' when
    // even and lose every tag when odd; c0600-c0999 keep 'a' and gain 'd'; c1000-c1199 are not seen
    w = await h.dest.openRun(tagsSpec('L2'));
    await write(w, 'L2', ids.slice(0, 300), (i) => (i % 2 === 0 ? ['c'] : []));
    await write(w, 'L2', ids.slice(300, 600), (i) => (i % 2 === 0 ? ['c'] : []));
    await w.checkpoint({ cursor: 2 });
    await write(w, 'L2', ids.slice(600, 1000), () => ['a', 'd']);
    await w.finish({ cursor: 3 }, { status: 'ok', rows: 1100, requests: 1 });
    const got = await h.query(
      `SELECT ${quoteIdent('id')} AS tag, count(*) AS n, min(${quoteIdent('contact_id')}) AS lo, max(${quoteIdent('contact_id')}) AS hi FROM ${T('contact_tags')} GROUP BY ${quoteIdent('id')} ORDER BY 1`,
    );
    expect(got.map((r) => [r.tag, Number(r.n), r.lo, r.hi])).toEqual([
      ['a', 600, 'c0600', 'c1199'],
      ['b', 200, 'c1000', 'c1199'],
      ['c', 300, 'c0000', 'c0598'],
      ['d', 400, 'c0600', 'c0999'],
    ]);
  });

  it('a parent seen twice before a checkpoint keeps the child rows of its last sighting only', async () => {
    let w = await h.dest.openRun(tagsSpec('L1'));
    await writeTags(
      w,
      'L1',
      [
        ['c1', 'z'],
        ['c3', 'z'],
      ],
      ['c1', 'c3'],
    );
    await w.finish({ cursor: 1 }, { status: 'ok', rows: 2, requests: 1 });
    // the search returns a contact again when it changes mid-run: c1 lost tag b and c3 every tag
    // between the two pages that list them, both before one checkpoint
    w = await h.dest.openRun(tagsSpec('L2'));
    await writeTags(
      w,
      'L2',
      [
        ['c1', 'a'],
        ['c1', 'b'],
        ['c2', 'x'],
        ['c3', 'q'],
      ],
      ['c1', 'c2', 'c3'],
    );
    await writeTags(w, 'L2', [['c1', 'a']], ['c1', 'c3']);
    await w.finish({ cursor: 2 }, { status: 'ok', rows: 5, requests: 1 });
    expect((await rows('contact_tags', 'contact_id')).map((r) => [r.contact_id, r.id])).toEqual([
      ['c1', 'a'],
      ['c2', 'x'],
    ]);
  });

  it('schema evolution: a new column mid-run is added; earlier rows read NULL; a missing column is NULL', async () => {
    const w = await h.dest.openRun(oneTable('contacts', 'L1', { strategy: 'merge' }));
    await w.write('contacts', batch([{ id: 'a', v: 'x' }]));
    await w.checkpoint({});
    await w.write('contacts', batch([{ id: 'b', v: 'y', plan_tier: 'gold', seats: 3 }]));
    await w.write('contacts', batch([{ id: 'c', extra_flag: true }], 'L1', [{ name: 'id', type: 'string' }]));
    await w.finish({}, { status: 'ok', rows: 3, requests: 1 });
    const got = await rows('contacts');
    expect(got.map((r) => [r.id, r.v, r.plan_tier, r.seats, r.extra_flag])).toEqual([
      ['a', 'x', null, null, null],
      ['b', 'y', 'gold', 3, null],
      ['c', null, null, null, true],
    ]);
  });

  it('state is committed with the rows; an abort without checkpoint changes neither', async () => {
    const spec = (id: string) => oneTable('contacts', id, { strategy: 'merge' });
    expect(await h.dest.readState('contacts')).toBeUndefined();
    const w = await h.dest.openRun(spec('L1'));
    await w.write('contacts', batch([{ id: 'a', updated_at: 5, v: 'kept' }]));
    await w.checkpoint({ cursor: 5, inProgress: { loadId: 'L1', resume: { page: 2 } } });
    expect(await h.dest.readState('contacts')).toEqual({ cursor: 5, inProgress: { loadId: 'L1', resume: { page: 2 } } });
    await w.write('contacts', batch([{ id: 'a', updated_at: 9, v: 'never committed' }, { id: 'z' }]));
    await w.abort({ status: 'interrupted', rows: 1, requests: 2 });
    expect(await h.dest.readState('contacts')).toEqual({ cursor: 5, inProgress: { loadId: 'L1', resume: { page: 2 } } });
    expect((await rows('contacts')).map((r) => r.v)).toEqual(['kept']);
    const loads = await h.dest.loads('contacts');
    expect(loads.map((l) => [l.load_id, l.status, l.rows, l.requests])).toEqual([['L1', 'interrupted', 1, 2]]);
    await h.dest.resetState('contacts');
    expect(await h.dest.readState('contacts')).toBeUndefined();
  });

  it('a failing checkpoint rolls back everything and throws DestinationError', async () => {
    await load(h.dest, oneTable('contacts', 'L1', { strategy: 'merge' }), [{ id: 'a', v: 'old' }], { cursor: 1 });
    // the primary key names a column no batch or table has: the checkpoint must fail whole
    const w = await h.dest.openRun(oneTable('contacts', 'L2', { strategy: 'merge', primaryKey: ['nope'] }));
    await w.write(
      'contacts',
      batch([
        { id: 'a', v: 'new' },
        { id: 'b', v: 'new', added_col: 1 },
      ]),
    );
    const err = await w.checkpoint({ cursor: 2 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DestinationError);
    await w.abort({ status: 'failed', rows: 0, requests: 1, error: String(err) });
    expect(await h.dest.readState('contacts')).toEqual({ cursor: 1 });
    const got = await rows('contacts');
    expect(got.map((r) => [r.id, r.v])).toEqual([['a', 'old']]);
    expect(Object.keys(got[0]!)).not.toContain('added_col');
  });

  it('full refresh drops tables and state at the first checkpoint, not before', async () => {
    const spec = (id: string, fullRefresh: boolean) => oneTable('contacts', id, { strategy: 'merge' }, { fullRefresh });
    await load(h.dest, spec('L1', false), [{ id: 'a', v: 'old', gone: 'column' }], { cursor: 7 });
    const failed = await h.dest.openRun(spec('L2', true));
    await failed.write('contacts', batch([{ id: 'b', v: 'new' }]));
    await failed.abort({ status: 'failed', rows: 0, requests: 1 });
    expect((await rows('contacts')).map((r) => r.id)).toEqual(['a']);
    expect(await h.dest.readState('contacts')).toEqual({ cursor: 7 });
    await load(h.dest, spec('L3', true), [{ id: 'b', v: 'new' }], { cursor: 1 });
    const got = await rows('contacts');
    expect(got.map((r) => r.id)).toEqual(['b']);
    expect(Object.keys(got[0]!)).not.toContain('gone');
    expect(await h.dest.readState('contacts')).toEqual({ cursor: 1 });
  });

  it('hostile identifiers round-trip: quotes, semicolons, unicode, 300 chars, case twins, keywords', async () => {
    const long = 'x'.repeat(300);
    const names = ['we"ird', "it's; DROP TABLE x; --", 'Ünïcødé 名前', long, 'Plan', 'plan', 'select', 'order', 'id'];
    const columns = names.map((name) => ({ name, type: 'string' as const }));
    const table = 'Table "with"; quotes';
    const spec = oneTable('hostile', 'L1', { strategy: 'merge', table, columns, incrementalKey: undefined });
    const row = Object.fromEntries(names.map((n, i) => [n, `value ${i}`]));
    await load(h.dest, spec, [row]);
    await load(h.dest, { ...spec, loadId: 'L2' }, [{ ...row, Plan: 'Plan updated', plan: 'plan updated' }]);
    const got = await h.query(`SELECT * FROM ${T(table)}`);
    expect(got).toHaveLength(1);
    const values = Object.values(got[0]!);
    for (const [i, n] of names.entries()) {
      if (n === 'Plan' || n === 'plan') continue;
      expect(values).toContain(`value ${i}`);
    }
    expect(values).toContain('Plan updated');
    expect(values).toContain('plan updated');
  });

  it('tables whose names differ only in case stay separate', async () => {
    await load(h.dest, oneTable('Contacts', 'L1', { strategy: 'merge' }), [{ id: 'upper' }]);
    await load(h.dest, oneTable('contacts', 'L2', { strategy: 'merge' }), [{ id: 'lower' }]);
    await load(h.dest, oneTable('contacts', 'L3', { strategy: 'merge' }), [{ id: 'lower2' }]);
    const all = await h.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'intercom' AND lower(table_name) LIKE 'contacts%'`);
    expect(all).toHaveLength(2);
    expect((await rows('Contacts')).map((r) => r.id)).toEqual(['upper']);
  });

  it('one run per asset at a time', async () => {
    const w = await h.dest.openRun(oneTable('contacts', 'L1', { strategy: 'merge' }));
    await expect(h.dest.openRun(oneTable('contacts', 'L2', { strategy: 'merge' }))).rejects.toBeInstanceOf(DestinationError);
    await w.finish({}, { status: 'ok', rows: 0, requests: 0 });
    const again = await h.dest.openRun(oneTable('contacts', 'L3', { strategy: 'merge' }));
    await again.finish({}, { status: 'ok', rows: 0, requests: 0 });
    expect((await h.dest.loads('contacts')).map((l) => [l.load_id, l.status])).toEqual([
      ['L3', 'ok'],
      ['L1', 'ok'],
    ]);
  });
});
