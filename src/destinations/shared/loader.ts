/**
 * The RunWriter every SQL destination shares. Batches go to session staging tables as they
 * arrive; a checkpoint applies each table's strategy from staging and writes the state, in
 * one transaction (DESIGN.md invariant 1). Branches only on the dialect's capabilities.
 */
import type { RecordBatch } from 'apache-arrow';
import { LOAD_ID_COLUMN, LOADED_AT_COLUMN } from '../../core/schema.js';
import { columnTypeOf } from '../../arrow/types.js';
import { BatchBuilder } from '../../arrow/builder.js';
import { DestinationError } from '../../core/errors.js';
import { DELETED_AT_COLUMN, type SoftDeletes } from '../../core/schema.js';
import type { AssetState, LoadSummary, RunSpec, RunWriter, TableTarget } from '../types.js';
import type { Dialect } from './dialect.js';
import type { SqlSession } from './driver.js';
import { hashBatch, hashTuples, KeySet, KeyTable } from './key-set.js';
import { physicalName, resolveColumnNames, type NameRules } from './identifiers.js';
import * as sql from './statements.js';
import { crashPoint } from '../../core/crash-point.js';
import type { PhysicalColumn } from './statements.js';

/** Suffix of the table a replace run fills before swapping it in. */
export const REPLACE_SUFFIX = '__elt_replace';

const META_COLUMNS: PhysicalColumn[] = [
  { name: LOADED_AT_COLUMN, type: 'timestamp' },
  { name: LOAD_ID_COLUMN, type: 'string' },
];

type ReplaceChildren = { parentKey: string[]; parents: unknown[][] };

/** Per-table state of a run. */
class TableRun {
  readonly table: string;
  /** Where rows are written: the table itself, or its replace table. */
  readonly writeTable: string;
  readonly replace: boolean;
  readonly stagingName: string;
  /** Session table of the parents whose rows the next commit replaces (a child table's staging path). */
  readonly parentsName: string;
  staging: PhysicalColumn[] | undefined;
  /** Whether the staging table exists in the session (a dialect with `dropStaging` drops it at each commit). */
  stagingCreated = false;
  /** Physical columns known for this table (target + staging), for name resolution. */
  known: string[] | undefined;
  stagedRows = 0;
  /**
   * First-load fast path: the keys written so far while this run appends straight into the
   * table (which it created), or for a child table its parents; undefined once the table
   * takes the staging path.
   */
  direct: KeySet | undefined;
  /** Rows appended straight into the table since the last commit. */
  directRows = 0;
  seq = 0;
  /** The parents table's key columns (physical names, staged types) once it exists in the session. */
  parentColumns: PhysicalColumn[] | undefined;
  /** Parents staged since the last commit. */
  stagedParents = 0;
  /** The staged parents' key hashes, to notice a parent listed twice before a commit (undefined once one was). */
  parentsSeen: KeySet | undefined;
  /** A parent was listed twice since the last commit (or a key could not be hashed): filter by last sighting. */
  parentRepeated = false;
  deletes: SoftDeletes[] = [];
  /** The write table's columns as of the last prepare (cleared when a transaction rolls back). */
  columns: PhysicalColumn[] | undefined;
  /** DDL of the commit in progress, undone if it fails where DDL is not transactional. */
  ddl: { created: boolean; added: string[] } = { created: false, added: [] };

  constructor(
    readonly target: TableTarget,
    table: string,
    index: number,
    max: number,
    replace: boolean,
  ) {
    this.table = table;
    this.replace = replace;
    this.writeTable = replace ? physicalName(table + REPLACE_SUFFIX, max) : table;
    this.stagingName = `_elt_stage_${index}`;
    this.parentsName = `_elt_parents_${index}`;
  }
}

export class SqlRunWriter implements RunWriter {
  private readonly tables = new Map<string, TableRun>();
  private readonly rules: NameRules;
  private first = true;
  private done = false;
  /** A transaction is open on the session (the first direct append opens it before the commit). */
  private inTransaction = false;
  /** The full refresh's drops are done (in the first transaction). */
  private refreshed = false;
  private readonly asReplace: boolean;
  /** The direct path's key sets, one table for all: a child table's parents are its parent table's keys. */
  private readonly keys = new KeyTable();

  private constructor(
    private readonly d: Dialect,
    private readonly session: SqlSession,
    private readonly spec: RunSpec,
    private readonly metaSchema: string,
    private readonly release: () => void,
  ) {
    this.rules = { maxIdentifierLength: d.capabilities.maxIdentifierLength, caseInsensitive: d.caseInsensitiveIdentifiers };
    // without transactional DDL a full refresh cannot drop tables inside the first
    // checkpoint's transaction, so it loads aside and swaps at the end, like replace
    this.asReplace = spec.fullRefresh && !d.capabilities.transactionalDdl;
  }

  /**
   * Physical table names, resolved like columns against the schema's tables so that two
   * assets whose names differ only in case never share a DuckDB table.
   */
  private async resolveTables(): Promise<void> {
    const bySchema = new Map<string, string[]>();
    for (const [i, t] of this.spec.tables.entries()) {
      let names = bySchema.get(t.schema);
      if (!names) bySchema.set(t.schema, (names = await this.session.tableNames(t.schema)));
      const { physical } = resolveColumnNames([t.table], names, this.rules);
      const fresh = !names.includes(physical[0]!) || this.spec.fullRefresh;
      if (!names.includes(physical[0]!)) names.push(physical[0]!);
      const replace = t.strategy === 'replace' || this.asReplace;
      const run = new TableRun(t, physical[0]!, i, this.rules.maxIdentifierLength, replace);
      if (fresh && this.directEligible(run)) run.direct = this.keys.newSet();
      this.tables.set(t.key, run);
    }
  }

  /**
   * A merge table this run creates (or, with --full-refresh, drops and recreates in its first
   * transaction) starts empty: as long as no key repeats within the run, appending its rows
   * straight into it inside the checkpoint transaction gives what staging + dedup + merge
   * would, for about half of DuckDB's work and without the staging copy. A child table (rows
   * replaced per parent) qualifies while no parent repeats: its rows then have nothing to
   * replace. Other strategies always stage.
   */
  private directEligible(t: TableRun): boolean {
    const { strategy, primaryKey } = t.target;
    return this.session.appendDirect !== undefined && this.d.capabilities.transactionalDdl && !t.replace && strategy === 'merge' && primaryKey.length > 0;
  }

  /** Prepare metadata tables, drop leftovers of a crashed replace, record the 'running' load. */
  static async open(d: Dialect, session: SqlSession, spec: RunSpec, metaSchema: string, release: () => void): Promise<SqlRunWriter> {
    const w = new SqlRunWriter(d, session, spec, metaSchema, release);
    await w.guard('open run', async () => {
      for (const schema of new Set([metaSchema, ...spec.tables.map((t) => t.schema)])) await session.execute(sql.createSchema(d, schema));
      await w.resolveTables();
      await session.execute(sql.createStateTable(d, metaSchema));
      await session.execute(sql.createLoadsTable(d, metaSchema));
      for (const t of w.tables.values()) if (t.replace) await session.execute(sql.dropTable(d, t.target.schema, t.writeTable));
      // the caller holds the asset's lock: a 'running' load of it is no longer running anywhere
      await session.execute(sql.abandonLoads(d, metaSchema, spec.asset, spec.loadId));
      await session.execute(sql.insertLoad(d, metaSchema, spec.loadId, spec.asset));
    });
    return w;
  }

  async write(tableKey: string, batch: RecordBatch, replaceChildren?: ReplaceChildren): Promise<void> {
    const t = this.tables.get(tableKey);
    if (!t) throw new DestinationError(this.d.name, `write to unknown table '${tableKey}'`, { meta: { asset: this.spec.asset } });
    await this.guard(`stage ${t.target.table}`, async () => {
      if (t.known === undefined) {
        const existing = await this.session.tableColumns(t.target.schema, t.writeTable);
        t.known = existing?.map((c) => c.name) ?? [];
      }
      const fields = batch.schema.fields;
      const { physical } = resolveColumnNames(
        fields.map((f) => f.name),
        t.known,
        this.rules,
        sql.RESERVED_COLUMNS,
      );
      for (const p of physical) if (!t.known.includes(p)) t.known.push(p);
      t.staging ??= fields.map((f, i) => ({ name: physical[i]!, type: columnTypeOf(f) }));
      if (!t.stagingCreated) {
        await this.session.execute(sql.createStaging(this.d, t.stagingName, t.staging));
        t.stagingCreated = true;
      }
      for (let i = 0; i < fields.length; i++) {
        if (t.staging.some((c) => c.name === physical[i])) continue;
        const col = { name: physical[i]!, type: columnTypeOf(fields[i]!) };
        t.staging.push(col);
        await this.session.execute(sql.addStagingColumn(this.d, t.stagingName, col));
      }
      if (t.direct && (await this.appendDirect(t, batch, physical, replaceChildren))) return;
      const fieldOf = t.staging.map((c) => physical.indexOf(c.name));
      const batchStart = t.seq;
      if (batch.numRows > 0) {
        await this.session.appendStaging(t.stagingName, t.staging, batch, fieldOf, t.seq);
        crashPoint('append');
        t.seq += batch.numRows;
        t.stagedRows += batch.numRows;
      }
      if (replaceChildren && replaceChildren.parents.length > 0) await this.stageParents(t, replaceChildren, batchStart);
    });
  }

  /**
   * Stage the parents whose rows in child table `t` the next commit replaces, in a session table
   * beside its staging table: the commit then deletes their old rows in one statement joined to
   * it. (Deleting by lists of literals scanned the child table once per few hundred parents: a
   * full re-sync of N parents cost O(N²) and a 1M-contact merge spent most of its time there.)
   * Each parent carries `batchStart`, the staged order of its batch's first row, so a parent
   * listed again by a later batch drops the rows of its earlier sightings (sql.dropEarlierSightings).
   */
  private async stageParents(t: TableRun, r: ReplaceChildren, batchStart: number): Promise<void> {
    const cols = this.keyColumns(t.staging ?? [], r.parentKey, 'parent key', `the batches of table ${t.target.table}`);
    const columns: PhysicalColumn[] = [...cols, { name: sql.BATCH_COLUMN, type: 'int64' }];
    if (t.parentColumns === undefined) {
      await this.session.execute(sql.createStaging(this.d, t.parentsName, columns));
      t.parentColumns = cols;
    }
    const b = new BatchBuilder(columns, { loadId: this.spec.loadId, loadedAt: new Date() });
    b.add(r.parents.map((p) => ({ ...Object.fromEntries(cols.map((c, i) => [c.name, p[i]])), [sql.BATCH_COLUMN]: batchStart })));
    const batch = b.flush()!;
    const names = batch.schema.fields.map((f) => f.name);
    await this.session.appendStaging(
      t.parentsName,
      columns,
      batch,
      columns.map((c) => names.indexOf(c.name)),
      t.stagedParents,
    );
    t.stagedParents += batch.numRows;
    if (!t.parentRepeated) {
      // the common case, no parent twice, needs no filter; a hash collision only costs the filter
      const hashes = hashTuples(r.parents);
      t.parentsSeen ??= new KeySet();
      if (hashes === undefined || !t.parentsSeen.addAll(hashes)) {
        t.parentRepeated = true;
        t.parentsSeen = undefined;
      }
    }
  }

  /**
   * The first-load fast path: append `batch` straight into the write table, in the open
   * transaction. False (and the table stages from now on) at the first key seen twice in
   * this run: from then on the merge resolves duplicates, against the rows appended so far
   * too. A child table's batch carries its parents and is keyed by them: a parent seen twice,
   * a row whose parent is not in its batch or a key repeated within the batch stage instead.
   */
  private async appendDirect(t: TableRun, batch: RecordBatch, physical: readonly string[], children?: ReplaceChildren): Promise<boolean> {
    const fieldsOf = (logical: readonly string[]) =>
      logical.map((k) => {
        const name = this.find(
          physical.map((p) => ({ name: p, type: 'string' as const })),
          k,
        )?.name;
        return name === undefined ? -1 : physical.indexOf(name);
      });
    const keys = fieldsOf(t.target.primaryKey);
    const parentKey = t.target.parentKey ?? [];
    let ok = !keys.includes(-1);
    if (ok && parentKey.length > 0) {
      const parents = children ? hashTuples(children.parents) : new Float64Array(0);
      const inBatch = new KeySet();
      const rowParents = batch.numRows > 0 ? hashBatch(batch, fieldsOf(parentKey)) : new Float64Array(0);
      ok =
        parents !== undefined &&
        rowParents !== undefined &&
        inBatch.addAll(parents) &&
        inBatch.hasAll(rowParents) &&
        (batch.numRows === 0 || new KeySet().addBatch(batch, keys)) &&
        t.direct!.addAll(parents);
    } else if (ok) {
      ok = !children && t.direct!.addBatch(batch, keys);
    }
    if (!ok) {
      t.direct = undefined;
      return false;
    }
    if (batch.numRows === 0) return true;
    await this.openTransaction();
    const cols = await this.prepare(t);
    await this.session.appendDirect!(
      t.target.schema,
      t.writeTable,
      cols,
      batch,
      cols.map((c) => physical.indexOf(c.name)),
    );
    t.directRows += batch.numRows;
    crashPoint('append');
    return true;
  }

  /** BEGIN, once; the first transaction of a full refresh starts by dropping the tables and the state. */
  private async openTransaction(): Promise<void> {
    if (this.inTransaction) return;
    await this.session.execute(this.d.begin);
    this.inTransaction = true;
    if (this.spec.fullRefresh && this.d.capabilities.transactionalDdl && !this.refreshed) {
      // replace tables keep the old table readable until their swap at finish
      for (const t of this.tables.values()) {
        if (t.replace) continue;
        await this.session.execute(sql.dropTable(this.d, t.target.schema, t.table));
        t.columns = undefined;
      }
      await this.session.execute(sql.deleteState(this.d, this.metaSchema, this.spec.asset));
      this.refreshed = true;
    }
  }

  private async rollback(): Promise<void> {
    this.inTransaction = false;
    this.refreshed = false;
    await this.session.execute(this.d.rollback);
  }

  async markDeleted(tableKey: string, deletes: SoftDeletes): Promise<void> {
    const t = this.tables.get(tableKey);
    if (!t) throw new DestinationError(this.d.name, `markDeleted on unknown table '${tableKey}'`, { meta: { asset: this.spec.asset } });
    if (deletes.keys.length > 0) t.deletes.push(deletes);
  }

  checkpoint(state: AssetState): Promise<void> {
    return this.commit(state, undefined);
  }

  finish(state: AssetState, summary: LoadSummary): Promise<void> {
    return this.commit(state, summary);
  }

  async abort(summary: LoadSummary): Promise<void> {
    if (this.done) return;
    this.done = true;
    try {
      await this.guard('abort', async () => {
        if (this.inTransaction) await this.rollback();
        for (const t of this.tables.values()) if (t.replace) await this.session.execute(sql.dropTable(this.d, t.target.schema, t.writeTable));
        await this.session.execute(sql.updateLoad(this.d, this.metaSchema, this.spec.loadId, summary));
      });
    } finally {
      await this.close();
    }
  }

  private async close(): Promise<void> {
    try {
      await this.session.close();
    } finally {
      this.release();
    }
  }

  /** One transaction: every table's staged rows, replace swaps (final), state, the load row (final). */
  private async commit(state: AssetState, summary: LoadSummary | undefined): Promise<void> {
    if (this.done) throw new DestinationError(this.d.name, 'run already finished', { meta: { asset: this.spec.asset } });
    const final = summary !== undefined;
    const ddlInside = this.d.capabilities.transactionalDdl;
    const work = [...this.tables.values()].filter(
      (t) => final || this.first || t.stagedRows > 0 || t.directRows > 0 || t.stagedParents > 0 || t.deletes.length > 0,
    );
    const holdsReplace = [...this.tables.values()].some((t) => t.replace);
    await this.guard(final ? 'finish' : 'checkpoint', async () => {
      // a lease lost while extracting stops the run before it changes any table
      await this.session.renewLock?.();
      for (const t of work) t.ddl = { created: false, added: [] };
      if (!ddlInside) for (const t of work) await this.prepare(t);
      try {
        await this.openTransaction();
        for (const t of work) await this.load(t);
        crashPoint('before-state');
        if (final && !ddlInside && holdsReplace) {
          // DDL commits implicitly (Snowflake): commit the rows, swap, then write the state in a
          // new transaction, so a crash in between leaves data ahead of state, never behind it
          await this.session.execute(this.d.commit);
          await this.swapAll();
          await this.session.execute(this.d.begin);
        }
        // a replace run's rows only count once swapped in: its state waits for finish, so a
        // crash (whose replace table is dropped at the next openRun) never resumes past them
        if (final || !holdsReplace) {
          await this.session.execute(sql.deleteState(this.d, this.metaSchema, this.spec.asset));
          await this.session.execute(sql.insertState(this.d, this.metaSchema, this.spec.asset, state, this.spec.loadId));
        }
        if (final && ddlInside) await this.swapAll();
        if (final) await this.session.execute(sql.updateLoad(this.d, this.metaSchema, this.spec.loadId, summary));
        // last, so the lock row is held only to the commit: a run whose lease was taken over
        // meanwhile rolls back instead of committing alongside the new holder
        await this.session.renewLock?.();
        crashPoint('before-commit');
        await this.session.execute(this.d.commit);
        this.inTransaction = false;
        crashPoint('after-commit');
      } catch (err) {
        await this.rollback().catch(() => undefined);
        for (const t of this.tables.values()) t.columns = undefined;
        if (!ddlInside) await this.undoDdl(work);
        throw err;
      }
      for (const t of work) {
        if (t.stagedRows > 0) {
          await this.emptyStaging(t.stagingName);
          t.stagingCreated = !this.d.dropStaging;
        }
        if (t.stagedParents > 0) {
          await this.emptyStaging(t.parentsName);
          if (this.d.dropStaging) t.parentColumns = undefined;
        }
        t.stagedRows = 0;
        t.directRows = 0;
        t.stagedParents = 0;
        t.parentsSeen = undefined;
        t.parentRepeated = false;
        t.deletes = [];
      }
      this.first = false;
    });
    if (final) {
      this.done = true;
      await this.close();
    }
  }

  /** Empty a session staging table after a commit: dropped where the dialect says (created again when next needed), else cleared. */
  private async emptyStaging(name: string): Promise<void> {
    await this.session.execute(this.d.dropStaging ? sql.dropStaging(this.d, name) : sql.clearStaging(this.d, name));
  }

  private async swapAll(): Promise<void> {
    for (const t of this.tables.values()) {
      if (!t.replace) continue;
      for (const s of this.d.swapTables(t.target.schema, t.table, t.writeTable)) {
        await this.session.execute(s);
        crashPoint('swap');
      }
    }
  }

  /**
   * A failed commit leaves no schema change behind, also where DDL commits on its own
   * (Snowflake): drop what this commit created or added (best effort; the asset lock makes
   * this run the only writer, so nothing else can depend on it yet).
   */
  private async undoDdl(work: readonly TableRun[]): Promise<void> {
    for (const t of work) {
      const { schema } = t.target;
      const undo = t.ddl.created ? [sql.dropTable(this.d, schema, t.writeTable)] : t.ddl.added.map((c) => sql.dropColumn(this.d, schema, t.writeTable, c));
      for (const s of undo) await this.session.execute(s).catch(() => undefined);
      t.ddl = { created: false, added: [] };
    }
  }

  /** Create the write table or add the columns it lacks; returns its columns. */
  private async prepare(t: TableRun): Promise<PhysicalColumn[]> {
    const { schema } = t.target;
    // the asset lock makes this run the table's only writer, so its columns can be cached
    const existing = t.columns ?? (await this.session.tableColumns(schema, t.writeTable));
    const names = existing?.map((c) => c.name) ?? [];
    const declared = resolveColumnNames(
      t.target.columns.map((c) => c.name),
      [...names, ...(t.staging ?? []).map((c) => c.name)],
      this.rules,
      sql.RESERVED_COLUMNS,
    ).physical.map((name, i) => ({ name, type: t.target.columns[i]!.type }));
    const wanted: PhysicalColumn[] = [];
    const deletedAt: PhysicalColumn[] = t.deletes.length > 0 ? [{ name: DELETED_AT_COLUMN, type: 'timestamp' }] : [];
    for (const c of [...declared, ...(t.staging ?? []), ...META_COLUMNS, ...deletedAt]) if (!wanted.some((w) => w.name === c.name)) wanted.push(c);
    if (existing === undefined) {
      await this.session.execute(sql.createTable(this.d, schema, t.writeTable, wanted, this.uniqueKey(t, wanted)));
      t.ddl.created = true;
      t.known = wanted.map((c) => c.name);
      t.columns = wanted;
      return wanted;
    }
    const cols: PhysicalColumn[] = existing.map((c) => ({ name: c.name, type: c.type ?? wanted.find((w) => w.name === c.name)?.type ?? 'string' }));
    for (const c of wanted) {
      if (names.includes(c.name)) continue;
      await this.session.execute(sql.addColumn(this.d, schema, t.writeTable, c));
      t.ddl.added.push(c.name);
      cols.push(c);
    }
    t.known = cols.map((c) => c.name);
    t.columns = cols;
    return cols;
  }

  /**
   * The UNIQUE key of a new upserted table, when the dialect wants one: replace and append
   * tables are inserted into, so a key repeated across checkpoints must stay possible there.
   */
  private uniqueKey(t: TableRun, cols: readonly PhysicalColumn[]): string[] {
    const { strategy, primaryKey } = t.target;
    if (!this.d.uniqueKeys || t.replace || primaryKey.length === 0 || (strategy !== 'merge' && strategy !== 'delete+insert')) return [];
    const key = primaryKey.map((k) => this.find(cols, k)?.name);
    return key.every((k) => k !== undefined) ? (key as string[]) : [];
  }

  /** Physical name of a logical column already in `cols` (plain or alternate name). */
  private find(cols: readonly PhysicalColumn[], logical: string): PhysicalColumn | undefined {
    const names = cols.map((c) => c.name);
    const { physical, added } = resolveColumnNames([logical], names, this.rules, sql.RESERVED_COLUMNS);
    return added.length > 0 ? undefined : cols.find((c) => c.name === physical[0]);
  }

  /** The columns of `cols` holding the logical key `logical`; a missing one is an error naming `what` and `where`. */
  private keyColumns(cols: readonly PhysicalColumn[], logical: readonly string[], what: string, where = `table ${this.spec.asset}`): PhysicalColumn[] {
    return logical.map((k) => {
      const c = this.find(cols, k);
      if (!c) throw new DestinationError(this.d.name, `${what} column '${k}' is not in ${where}`);
      return c;
    });
  }

  private async load(t: TableRun): Promise<void> {
    const cols = await this.prepare(t);
    const target = t.target;
    const ref = this.d.tableRef(target.schema, t.writeTable);
    if (t.stagedParents > 0 && t.parentColumns && target.parentKey && target.parentKey.length > 0) {
      const pk = this.keyColumns(cols, target.parentKey, 'parent key');
      await this.session.execute(sql.deleteChildren(this.d, ref, pk, this.d.tempTableRef(t.parentsName), t.parentColumns));
    }
    const inc = target.incrementalKey === undefined ? undefined : this.find(cols, target.incrementalKey);
    if (target.strategy === 'delete+insert' && !t.replace && this.first && this.spec.window && inc) {
      await this.session.execute(sql.deleteWindow(this.d, ref, inc, this.spec.window));
    }
    if (t.stagedRows > 0 && t.staging) {
      // a child table whose parent was listed twice keeps only the rows of its last sighting
      if (t.parentRepeated && t.parentColumns) {
        const stagingRef = this.d.tempTableRef(t.stagingName);
        await this.session.execute(
          sql.dropEarlierSightings(
            this.d,
            stagingRef,
            this.d.tempTableRef(t.parentsName),
            t.parentColumns.map((c) => c.name),
          ),
        );
      }
      await this.loadStaged(t, cols, ref, inc);
    }
    // soft deletes after the checkpoint's rows, so a row staged and deleted in one checkpoint ends deleted
    for (const del of t.deletes) {
      const keys = this.keyColumns(cols, del.keyColumns, 'delete key').map((c) => c.name);
      for (const s of sql.markDeleted(this.d, ref, keys, DELETED_AT_COLUMN, del.keys, del.deletedAt)) await this.session.execute(s);
    }
  }

  private async loadStaged(t: TableRun, cols: PhysicalColumn[], ref: string, inc: PhysicalColumn | undefined): Promise<void> {
    const target = t.target;
    if (!t.staging) return;
    const staged = { ref: this.d.tempTableRef(t.stagingName), columns: new Map(t.staging.map((c) => [c.name, c.type])) };
    const key = target.primaryKey.length > 0 ? this.keyColumns(cols, target.primaryKey, 'primary key').map((c) => c.name) : [];
    const dedup = key.length > 0 ? { key, order: inc?.name } : undefined;
    const rows = sql.stagedRows(this.d, cols, staged, dedup);
    // merge and delete+insert upsert by key (so later checkpoints of a run never duplicate);
    // append and replace insert what was staged
    const upsert = key.length > 0 && !t.replace && (target.strategy === 'merge' || target.strategy === 'delete+insert');
    const statements = upsert ? sql.mergeRows(this.d, ref, cols, key, rows, staged) : [sql.insertRows(this.d, ref, cols, rows)];
    for (const s of statements) await this.session.execute(s);
  }

  /** Run `fn`, turning any failure into a DestinationError naming the step. */
  private async guard(step: string, fn: () => Promise<void>): Promise<void> {
    try {
      await fn();
    } catch (err) {
      if (err instanceof DestinationError) throw err;
      const message = err instanceof Error ? err.message : String(err);
      throw new DestinationError(this.d.name, `${step} failed for asset ${this.spec.asset}: ${message}`, {
        cause: err,
        meta: { asset: this.spec.asset, load_id: this.spec.loadId },
      });
    }
  }
}
