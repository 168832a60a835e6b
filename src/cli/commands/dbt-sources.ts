/**
 * `intercom-elt dbt-sources`: a dbt `sources.yml` for the project's assets — one source per
 * destination schema, a table per asset with the table declaration's description and column
 * descriptions, freshness on `_elt_loaded_at` (written on every row by each load), and the
 * asset's checks as dbt data tests (plus unique/not_null on every primary key), so a project
 * moving between intercom-elt's checks and dbt keeps them. Tests that need the dbt_utils
 * package (composite keys, ranges, patterns, custom checks) are written with --dbt-utils.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { stringify } from 'yaml';
import { destinationConnection, type AssetConfig, type Check, type CheckValue, type DestinationConnection, type Project } from '../../config/index.js';
import { dbtTarget } from '../../destinations/registry.js';
import type { SqlSyntax } from '../../destinations/types.js';
import { getTable } from '../../intercom/tables/index.js';
import { endpointsOf } from '../../intercom/tables/common.js';
import { DELETED_AT_COLUMN, type ColumnDef } from '../../core/schema.js';
import { type TableSpec } from '../../intercom/tables/spec.js';
import type { Output } from '../render.js';
import { projectFromFlags, projectOptions, type ProjectFlags } from '../project.js';
import type { CommandDefinition } from '../command.js';

export const command: CommandDefinition = {
  name: 'dbt-sources',
  description: 'Write a dbt sources.yml for the assets: descriptions, freshness on _elt_loaded_at, primary-key and asset checks as dbt tests',
  options: [
    ...projectOptions(),
    ['--out <file>', 'File to write (default: print to stdout)'],
    ['--dbt-utils', 'Also write the tests that need the dbt_utils package (composite keys, ranges, patterns, custom checks)'],
  ],
  examples: [
    'intercom-elt dbt-sources --out models/sources.yml',
    'intercom-elt dbt-sources -e production > models/intercom/sources.yml',
    'intercom-elt dbt-sources --dbt-utils --out models/sources.yml',
  ],
  action: async ({ output }, flags: DbtSourcesFlags) => {
    await dbtSourcesCommand(flags, output);
  },
};

export interface DbtSourcesFlags extends ProjectFlags {
  out?: string;
  /** The dbt project has dbt_utils: write the tests that need it. */
  dbtUtils?: boolean;
}

/** Loads land at least daily in a typical schedule: warn after a day, error after two. */
export const FRESHNESS = {
  warn_after: { count: 24, period: 'hour' },
  error_after: { count: 48, period: 'hour' },
} as const;

/** A dbt data test: a name (`unique`), or a name with its arguments and config. */
type DbtTest = string | Record<string, Record<string, unknown>>;

interface DbtColumn {
  name: string;
  description: string;
  /** Snowflake: the column was created with a quoted lower-case name. */
  quote?: boolean;
  data_tests?: DbtTest[];
}

interface DbtTable {
  name: string;
  description: string;
  data_tests?: DbtTest[];
  columns: DbtColumn[];
}

interface DbtSource {
  name: string;
  description: string;
  database?: string;
  schema: string;
  quoting?: Record<string, boolean>;
  loaded_at_field: string;
  freshness: typeof FRESHNESS;
  tables: DbtTable[];
}

const METADATA_COLUMNS: DbtColumn[] = [
  { name: '_elt_loaded_at', description: 'When intercom-elt loaded this row (UTC); the freshness field.' },
  { name: '_elt_load_id', description: 'The load that wrote this row (see _elt_loads).' },
];

function columnDescription(c: ColumnDef, t: { primaryKey: string[]; incrementalKey?: string }): string {
  const notes: string[] = [];
  if (c.description) notes.push(c.description.replace(/\.?$/, '.'));
  if (t.primaryKey.includes(c.name)) notes.push(t.primaryKey.length > 1 ? 'Part of the primary key.' : 'Primary key.');
  if (t.incrementalKey === c.name) notes.push('Incremental key (the cursor of the sync).');
  if (c.type === 'timestamp') notes.push('Timestamp (UTC).');
  if (c.type === 'json') notes.push('JSON, as Intercom returns it.');
  return notes.join(' ') || `Intercom's \`${c.name}\` field (${c.type}).`;
}

function columnsOf(columns: ColumnDef[], keys: { primaryKey: string[]; incrementalKey?: string }): DbtColumn[] {
  return [...columns.map((c) => ({ name: c.name, description: columnDescription(c, keys) })), ...METADATA_COLUMNS];
}

/** Where the tests of one table go, and what was left out for want of dbt_utils. */
interface TestPlan {
  columns: Map<string, DbtTest[]>;
  table: DbtTest[];
  /** `intercom.companies: max on user_count`, … */
  needUtils: string[];
}

interface TestContext {
  dialect: SqlSyntax;
  dbtUtils: boolean;
  /** Declared column types of the table (a timestamp bound is written as an ISO literal). */
  types: Map<string, ColumnDef['type']>;
  /** The table as the destination names it (custom checks' `{{ this }}`). */
  ref: string;
  asset: string;
}

function dbtTest(name: string, args: Record<string, unknown> = {}, config: Record<string, unknown> = {}): DbtTest {
  const body = { ...args, ...(Object.keys(config).length > 0 && { config }) };
  return Object.keys(body).length === 0 ? name : { [name]: body };
}

function addTest(list: DbtTest[], test: DbtTest): void {
  if (!list.some((t) => JSON.stringify(t) === JSON.stringify(test))) list.push(test);
}

/** unique + not_null on a one-column key; not_null on each column of a composite one, and its combination with dbt_utils. */
function keyTests(plan: TestPlan, key: readonly string[], ctx: Pick<TestContext, 'dbtUtils' | 'asset'>): void {
  for (const k of key) {
    const list = plan.columns.get(k) ?? [];
    if (key.length === 1) addTest(list, 'unique');
    addTest(list, 'not_null');
    plan.columns.set(k, list);
  }
  if (key.length > 1) {
    if (ctx.dbtUtils) addTest(plan.table, dbtTest('dbt_utils.unique_combination_of_columns', { combination_of_columns: [...key] }));
    else plan.needUtils.push(`${ctx.asset}: unique combination of ${key.join(', ')}`);
  }
}

/** A bound as SQL for dbt_utils.accepted_range (rendered into the test's SQL as is). */
function boundSql(ctx: TestContext, column: string, v: CheckValue): string | number {
  if (ctx.types.get(column) === 'timestamp' && typeof v === 'number') return ctx.dialect.stringLiteral(new Date(v * 1000).toISOString());
  return typeof v === 'number' ? v : ctx.dialect.literal(v);
}

/** One asset check as a dbt test on its column or its table. */
function checkTest(plan: TestPlan, check: Check, ctx: TestContext): void {
  const config: Record<string, unknown> = {};
  if (!check.blocking) config['severity'] = 'warn';
  if (check.kind === 'column' && check.excludeDeleted) config['where'] = `${ctx.dialect.quoteIdent(DELETED_AT_COLUMN)} IS NULL`;
  const column = (test: DbtTest): void => {
    if (check.kind !== 'column') return;
    const list = plan.columns.get(check.column) ?? [];
    addTest(list, test);
    plan.columns.set(check.column, list);
  };
  const utils = (what: string, add: () => void): void => {
    if (ctx.dbtUtils) add();
    else plan.needUtils.push(`${ctx.asset}: ${what}`);
  };
  if (check.kind === 'custom') {
    const query = ctx.dialect.customCheckSql(check, ctx.ref);
    const expression =
      check.count !== undefined ? `(SELECT COUNT(*) FROM (${query}) AS q) = ${check.count}` : `(${query}) = ${ctx.dialect.literal(check.value ?? 0)}`;
    utils(`custom check ${JSON.stringify(check.name)}`, () => addTest(plan.table, dbtTest('dbt_utils.expression_is_true', { expression }, config)));
    return;
  }
  const c = check.column;
  const range = (args: Record<string, unknown>) => utils(`${check.name} on ${c}`, () => column(dbtTest('dbt_utils.accepted_range', args, config)));
  switch (check.name) {
    case 'not_null':
    case 'unique':
      column(dbtTest(check.name, {}, config));
      return;
    case 'accepted_values': {
      const given = check.value as CheckValue[];
      // timestamps (unix seconds here) become ISO literals; dbt quotes the values as strings unless told not to
      const values = ctx.types.get(check.column) === 'timestamp' ? given.map((v) => boundSql(ctx, check.column, v)) : given;
      column(dbtTest('accepted_values', { values, ...(values.some((v) => typeof v !== 'string') || values !== given ? { quote: false } : {}) }, config));
      return;
    }
    case 'positive':
      return range({ min_value: 0, inclusive: false });
    case 'non_negative':
      return range({ min_value: 0 });
    case 'negative':
      return range({ max_value: 0, inclusive: false });
    case 'min':
      return range({ min_value: boundSql(ctx, c, check.value as CheckValue) });
    case 'max':
      return range({ max_value: boundSql(ctx, c, check.value as CheckValue) });
    case 'pattern': {
      const expression = `${ctx.dialect.quoteIdent(c)} IS NULL OR ${ctx.dialect.regexMatch(ctx.dialect.quoteIdent(c), ctx.dialect.stringLiteral(String(check.value)))}`;
      utils(`pattern on ${c}`, () => addTest(plan.table, dbtTest('dbt_utils.expression_is_true', { expression }, config)));
      return;
    }
  }
}

function withTests(table: DbtTable, plan: TestPlan, quote: boolean): DbtTable {
  const columns = table.columns.map((c) => {
    const tests = plan.columns.get(c.name);
    return tests ? { ...c, ...(quote && { quote: true }), data_tests: tests } : c;
  });
  // checked columns the declaration does not list (custom attribute columns)
  for (const [name, tests] of plan.columns) {
    if (!columns.some((c) => c.name === name))
      columns.push({ name, description: 'Checked by the asset file.', ...(quote && { quote: true }), data_tests: tests });
  }
  return { name: table.name, description: table.description, ...(plan.table.length > 0 && { data_tests: plan.table }), columns };
}

function tablesOf(asset: AssetConfig, spec: TableSpec, o: { dest: DestinationConnection; dbtUtils: boolean; needUtils: string[] }): DbtTable[] {
  const target = dbtTarget(o.dest, asset.schema);
  const dialect = target.sql;
  // intercom-elt quotes every identifier: on Snowflake the names keep their lower case, so dbt must quote the tested columns
  const quote = target.quoting;
  const plan = (): TestPlan => ({ columns: new Map(), table: [], needUtils: o.needUtils });
  const mainPlan = plan();
  const ctx: TestContext = {
    dialect,
    dbtUtils: o.dbtUtils,
    types: new Map(spec.columns.map((c) => [c.name, c.type])),
    ref: dialect.qualified(asset.schema, asset.table),
    asset: asset.name,
  };
  keyTests(mainPlan, asset.primaryKey, ctx);
  for (const check of asset.checks ?? []) checkTest(mainPlan, check, ctx);
  const main = withTests(
    {
      name: asset.table,
      description: `${spec.description} Intercom ${endpointsOf(spec)}; ${asset.strategy} on ${asset.primaryKey.join(', ') || '(no key)'}.`,
      columns: columnsOf(spec.columns, { primaryKey: asset.primaryKey, incrementalKey: asset.incrementalKey }),
    },
    mainPlan,
    quote,
  );
  // Child tables land beside the parent under their own name (pipeline/run-asset.ts targetsFor).
  const children = (spec.children ?? []).map<DbtTable>((c) => {
    const childPlan = plan();
    keyTests(childPlan, c.primaryKey, { dbtUtils: o.dbtUtils, asset: `${asset.schema}.${c.name}` });
    return withTests(
      {
        name: c.name,
        description: `Child table of ${asset.name}, replaced per ${c.parentKey.join(', ')}.`,
        columns: columnsOf(c.columns, { primaryKey: c.primaryKey }),
      },
      childPlan,
      quote,
    );
  });
  return [main, ...children];
}

/** The sources.yml document for a project (pure: no I/O). */
export function dbtSources(
  project: Pick<Project, 'assets' | 'destinations'> & Partial<Pick<Project, 'unavailable'>>,
  o: { dbtUtils?: boolean } = {},
): { version: 2; sources: DbtSource[]; needUtils: string[] } {
  const needUtils: string[] = [];
  const groups = new Map<string, { dest: DestinationConnection; schema: string; assets: AssetConfig[] }>();
  for (const a of project.assets) {
    const key = `${a.destination}\u0000${a.schema}`;
    const g = groups.get(key) ?? { dest: destinationConnection(project, a.destination), schema: a.schema, assets: [] };
    g.assets.push(a);
    groups.set(key, g);
  }
  const schemaCount = new Map<string, number>();
  for (const g of groups.values()) schemaCount.set(g.schema, (schemaCount.get(g.schema) ?? 0) + 1);
  const sources: DbtSource[] = [];
  for (const g of groups.values()) {
    const source: DbtSource = {
      // the schema name, unless two destinations share it
      name: (schemaCount.get(g.schema) ?? 0) > 1 ? `${g.dest.name}_${g.schema}` : g.schema,
      description: `Intercom data loaded by intercom-elt into ${g.dest.type} connection ${g.dest.name}.`,
      schema: g.schema,
      loaded_at_field: '_elt_loaded_at',
      freshness: FRESHNESS,
      tables: [],
    };
    // DuckDB: the file's catalog, its name without extension (what dbt-duckdb calls the database)
    const target = dbtTarget(g.dest, g.schema);
    if (target.database) source.database = target.database;
    // intercom-elt quotes every identifier, so on Snowflake the names keep their case: dbt must quote too
    if (target.quoting) source.quoting = { schema: true, identifier: true };
    const seen = new Set<string>();
    for (const a of g.assets) {
      const spec = getTable(a.sourceTable);
      if (!spec) continue;
      for (const t of tablesOf(a, spec, { dest: g.dest, dbtUtils: o.dbtUtils === true, needUtils })) {
        if (seen.has(t.name)) continue;
        seen.add(t.name);
        source.tables.push(t);
      }
    }
    // reorder keys the way dbt docs show them
    const { name, description, database: db, schema, quoting, loaded_at_field, freshness, tables } = source;
    sources.push({
      name,
      description,
      ...(db ? { database: db } : {}),
      schema,
      ...(quoting ? { quoting } : {}),
      loaded_at_field,
      freshness,
      tables,
    } as DbtSource);
  }
  return { version: 2, sources, needUtils };
}

export async function dbtSourcesCommand(f: DbtSourcesFlags, o: Output): Promise<{ yaml: string; file?: string }> {
  const project = await projectFromFlags(f);
  const { needUtils, ...doc } = dbtSources(project, { dbtUtils: f.dbtUtils });
  const text =
    `# Generated by intercom-elt dbt-sources from ${path.basename(project.configFile)} and assets/; regenerate rather than edit.\n` +
    stringify(doc, { lineWidth: 0, aliasDuplicateObjects: false });
  if (needUtils.length > 0) {
    // not silently dropped: say which checks are missing and how to get them
    o.err(
      `note: ${needUtils.length} test(s) need the dbt_utils package and were left out (${needUtils.join('; ')}); add dbt-labs/dbt_utils to packages.yml and pass --dbt-utils`,
    );
  }
  if (!f.out) {
    for (const line of text.trimEnd().split('\n')) o.out(line);
    return { yaml: text };
  }
  const file = path.resolve(f.out);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, text);
  o.err(`wrote ${file} (${project.assets.length} asset(s))`);
  return { yaml: text, file };
}
