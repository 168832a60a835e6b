/**
 * assets/**\/*.asset.yml (or .asset.yaml): Bruin's ingestr asset fields, one destination table
 * each. A table's declared defaults (primary key, incremental key, strategy) fill whatever the
 * file leaves out, so `name` plus `parameters.source_table` is a complete asset.
 */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Strategy } from '../core/schema.js';
import { readChecks } from './checks.js';
import { DESTINATION_TYPES } from './connections.js';
import { parseDuration, parseStartDate } from './duration.js';
import { readProtection } from './protect.js';
import { MapReader, fail, kind, show } from './reader.js';
import { suggestion } from '../core/suggest.js';
import type { AssetConfig, DestinationConnection, Project, TableCatalog } from './types.js';
import { readYamlFile } from './yaml.js';

import { DEFAULT_SCHEMA } from '../core/schema.js';
export const ASSET_FILE = /\.asset\.ya?ml$/;
/** `create+replace` is Bruin's name for replace. */
export const STRATEGIES = ['merge', 'replace', 'append', 'delete+insert', 'create+replace'] as const;

// Bruin keys we accept and keep in `raw` without acting on them: description, owner, domains,
// meta, depends, uri. `custom_checks` and `columns[].checks` run after each load (checks.ts).
const ASSET_KEYS = [
  'name',
  'type',
  'connection',
  'description',
  'owner',
  'domains',
  'meta',
  'depends',
  'uri',
  'custom_checks',
  'tags',
  'parameters',
  'materialization',
  'columns',
  'start_date',
  'lookback',
];
const PARAMETER_KEYS = [
  'source_connection',
  'source_table',
  'destination',
  'destination_connection',
  'incremental_strategy',
  'incremental_key',
  'lookback',
  'custom_attribute_columns',
  'select_columns',
  'mask_salt', // read by protect.ts (issue #9)
];
const MATERIALIZATION_KEYS = ['type', 'strategy', 'incremental_key'];
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

type Connections = Pick<Project, 'intercom' | 'destinations'> & Partial<Pick<Project, 'unavailable'>>;

/** What an asset needs of a connection: usable ones and, by name and type, those missing a ${VAR}. */
interface KnownConnection {
  type: 'intercom' | DestinationConnection['type'];
  name: string;
  schema?: string;
  lookbackSeconds?: number;
}
interface Known {
  intercom: Map<string, KnownConnection>;
  destinations: Map<string, KnownConnection>;
}

function knownConnections(conns: Connections): Known {
  const known: Known = {
    intercom: new Map([...conns.intercom].map(([n, c]) => [n, { ...c, type: 'intercom' as const }])),
    destinations: new Map(conns.destinations),
  };
  for (const u of conns.unavailable?.values() ?? []) {
    (u.type === 'intercom' ? known.intercom : known.destinations).set(u.name, { type: u.type, name: u.name, ...u.connection });
  }
  return known;
}

/** Every asset file under `dir` (recursively, sorted), validated against `conns` and `catalog`. */
export async function loadAssets(dir: string, conns: Connections, catalog: TableCatalog): Promise<AssetConfig[]> {
  const files = await findAssetFiles(dir);
  const assets: AssetConfig[] = [];
  const byName = new Map<string, string>();
  for (const file of files) {
    const asset = parseAsset(await readYamlFile(file), file, path.relative(dir, file), conns, catalog);
    // DuckDB and Snowflake fold quoted names' case in practice: intercom.Contacts is intercom.contacts.
    const key = asset.name.toLowerCase();
    const prior = byName.get(key);
    if (prior !== undefined) throw fail(file, 'name', `duplicate asset name ${show(asset.name)} (also in ${prior})`);
    byName.set(key, file);
    assets.push(asset);
  }
  return assets;
}

async function findAssetFiles(dir: string): Promise<string[]> {
  const info = await stat(dir).catch(() => undefined);
  if (info === undefined) throw fail(dir, '(folder)', 'assets folder not found');
  if (!info.isDirectory()) throw fail(dir, '(folder)', 'is not a folder');
  const out: string[] = [];
  const walk = async (d: string): Promise<void> => {
    const entries = (await readdir(d, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      if (e.name.startsWith('.') || e.name === 'node_modules') continue;
      const p = path.join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if (ASSET_FILE.test(e.name)) out.push(p);
    }
  };
  await walk(dir);
  return out;
}

/** One asset file's parsed YAML; `rel` is its path under the assets folder (for name inference). */
export function parseAsset(raw: unknown, file: string, rel: string, connections: Connections, catalog: TableCatalog): AssetConfig {
  const conns = knownConnections(connections);
  // An empty file is an asset of defaults: `touch assets/contacts.asset.yml` syncs contacts.
  const r = MapReader.of(raw ?? {}, file, '', 'an asset').allow(ASSET_KEYS);
  r.choice('type', ['ingestr', 'intercom'] as const);
  const p = r.mapping('parameters', 'the asset parameters') ?? MapReader.of({}, file, 'parameters', '');
  p.allow(PARAMETER_KEYS);
  const mat = r.mapping('materialization', 'a materialization');
  mat?.allow(MATERIALIZATION_KEYS);
  mat?.choice('type', ['table'] as const);

  // Destination first: its default schema applies to a name without one.
  const destination = resolveDestination(p, r, conns);
  const { schema, table } = assetName(r, rel, destination);

  const tableNames = catalog.names();
  const sourceTable = p.string('source_table')?.trim() ?? (tableNames.includes(table) ? table : undefined);
  if (sourceTable === undefined) throw p.error('source_table', `is required: name the Intercom table to read${suggestion(table, tableNames)}`);
  const defaults = catalog.defaults(sourceTable);
  if (defaults === undefined) throw p.error('source_table', `unknown Intercom table ${show(sourceTable)}${suggestion(sourceTable, tableNames)}`);

  const sourceConnection = resolveSource(p, conns);

  const given = oneOf(file, [p, 'incremental_strategy', readStrategy(p, 'incremental_strategy')], [mat, 'strategy', mat && readStrategy(mat, 'strategy')]);
  const strategy: Strategy = given?.value ?? defaults.strategy;
  const strategyField = given?.field ?? 'parameters.incremental_strategy';

  const keyGiven = oneOf(
    file,
    [p, 'incremental_key', p.optionalString('incremental_key')?.trim()],
    [mat, 'incremental_key', mat?.optionalString('incremental_key')?.trim()],
  );
  if (keyGiven !== undefined && keyGiven.value !== defaults.incrementalKey) {
    throw fail(
      file,
      keyGiven.field,
      defaults.incrementalKey === undefined
        ? `table ${sourceTable} cannot be read incrementally (it is always read in full); remove incremental_key`
        : `table ${sourceTable} is read incrementally by "${defaults.incrementalKey}" only, got ${show(keyGiven.value)}`,
    );
  }
  const incrementalKey = defaults.incrementalKey;

  const columns = readColumns(r);
  const marked = columns.filter((c) => c.primaryKey === true).map((c) => c.name);
  const unknownKey = marked.find((c) => defaults.columns !== undefined && !defaults.columns.includes(c));
  if (unknownKey !== undefined) {
    throw fail(
      file,
      `columns[${columns.findIndex((c) => c.name === unknownKey)}].primary_key`,
      `${show(unknownKey)} is not a column of table ${sourceTable}${suggestion(unknownKey, defaults.columns!)}`,
    );
  }
  const primaryKey = marked.length > 0 ? marked : [...defaults.primaryKey];
  if ((strategy === 'merge' || strategy === 'delete+insert') && primaryKey.length === 0) {
    throw fail(
      file,
      strategyField,
      `strategy ${strategy} needs a primary key: mark a column with primary_key: true (table ${sourceTable} has none by default)`,
    );
  }
  // delete+insert deletes the run's window of the incremental key before inserting.
  if (strategy === 'delete+insert' && incrementalKey === undefined) {
    throw fail(file, strategyField, `strategy delete+insert needs an incremental key and table ${sourceTable} has none; use replace or merge`);
  }

  const lookback = oneOf(file, [p, 'lookback', p.get('lookback')], [r, 'lookback', r.get('lookback')]);
  const customAttributeColumns = p.boolean('custom_attribute_columns') ?? false;
  const checks = readChecks(r, { name: sourceTable, columnTypes: defaults.columnTypes, openColumns: customAttributeColumns });
  const protection = readProtection(file, columns, p.obj);
  const asset: AssetConfig = {
    name: `${schema}.${table}`,
    schema,
    table,
    file,
    sourceConnection,
    sourceTable,
    destination: destination.name,
    strategy,
    primaryKey,
    tags: readTags(r),
    customAttributeColumns,
    columns,
    raw: r.obj,
  };
  if (checks.length > 0) asset.checks = checks;
  if (protection !== undefined) asset.protection = protection;
  if (incrementalKey !== undefined) asset.incrementalKey = incrementalKey;
  const startDate = r.get('start_date');
  if (startDate !== undefined) asset.startDate = parseStartDate(startDate, file, 'start_date');
  const lookbackSeconds =
    lookback !== undefined ? parseDuration(lookback.value as string | number, file, lookback.field) : conns.intercom.get(sourceConnection)?.lookbackSeconds;
  if (lookbackSeconds !== undefined) asset.lookbackSeconds = lookbackSeconds;
  return asset;
}

/** A setting allowed in two places: the one given, or an error when both disagree. */
function oneOf<T>(file: string, ...places: Array<[MapReader | undefined, string, T | undefined]>): { value: T; field: string } | undefined {
  const set = places.filter((pl): pl is [MapReader, string, T] => pl[0] !== undefined && pl[2] !== undefined);
  const [first, second] = set;
  if (first === undefined) return undefined;
  if (second !== undefined && JSON.stringify(second[2]) !== JSON.stringify(first[2])) {
    throw fail(file, second[0].field(second[1]), `conflicts with ${first[0].field(first[1])}; set it in one place`);
  }
  return { value: first[2], field: first[0].field(first[1]) };
}

function readStrategy(r: MapReader, key: string): Strategy | undefined {
  const s = r.choice(key, STRATEGIES);
  return s === 'create+replace' ? 'replace' : s;
}

function assetName(r: MapReader, rel: string, destination: KnownConnection): { schema: string; table: string } {
  // a connection without a schema of its own (DuckDB has no `schema:`) loads into the default one
  const defaultSchema = destination.schema || DEFAULT_SCHEMA;
  const given = r.string('name');
  let schema: string;
  let table: string;
  let field = 'name';
  if (given !== undefined) {
    const parts = given.trim().split('.');
    if (parts.length > 2) throw r.error('name', `must be "schema.table" or "table", got ${show(given)}`);
    [schema, table] = parts.length === 2 ? [parts[0]!, parts[1]!] : [defaultSchema, parts[0]!];
  } else {
    // assets/intercom/contacts.asset.yml -> intercom.contacts; assets/contacts.asset.yml -> <default>.contacts
    const segs = rel.split(path.sep);
    table = segs[segs.length - 1]!.replace(ASSET_FILE, '');
    schema = segs.length >= 2 ? segs[segs.length - 2]! : defaultSchema;
    field = 'name (inferred from the file path)';
  }
  for (const [what, v] of [
    ['schema', schema],
    ['table', table],
  ] as const) {
    if (!IDENTIFIER.test(v)) {
      throw fail(r.file, field, `invalid ${what} name ${show(v)}: use letters, digits and _, not starting with a digit`);
    }
  }
  const reserved = reservedTableName(table);
  if (reserved) throw fail(r.file, field, reserved);
  return { schema, table };
}

/**
 * Why a destination table name is taken by intercom-elt itself (`_elt_state`, `_elt_loads`,
 * `_elt_locks`, staging tables, a replace run's `<table>__elt_replace`): an asset loading into one
 * would replace the run's own bookkeeping. Undefined when the name is free.
 */
export function reservedTableName(table: string): string | undefined {
  const t = table.toLowerCase();
  if (t.startsWith('_elt_'))
    return `table name ${show(table)} is reserved: names starting with _elt_ are intercom-elt's metadata tables (_elt_state, _elt_loads, …); choose another name`;
  if (t.endsWith('__elt_replace'))
    return `table name ${show(table)} is reserved: names ending in __elt_replace are the tables a replace run fills; choose another name`;
  return undefined;
}

function resolveSource(p: MapReader, conns: Known): string {
  const names = [...conns.intercom.keys()];
  const given = p.optionalString('source_connection')?.trim();
  if (given !== undefined) {
    if (conns.intercom.has(given)) return given;
    const other = conns.destinations.get(given);
    if (other !== undefined) throw p.error('source_connection', `${show(given)} is a ${other.type} connection, not an intercom connection`);
    throw p.error('source_connection', `unknown intercom connection ${show(given)}${suggestion(given, names)}`);
  }
  if (names.length === 1) return names[0]!;
  if (names.length === 0) throw p.error('source_connection', 'no intercom connection is defined in connections.yml');
  if (conns.intercom.has('intercom')) return 'intercom';
  throw p.error('source_connection', `is required: there are several intercom connections (${names.join(', ')})`);
}

/**
 * `destination_connection` names a connection; `destination` is a type as in Bruin (or, for
 * convenience, a connection name). Several connections of a type: the one named like the type.
 */
function resolveDestination(p: MapReader, r: MapReader, conns: Known): KnownConnection {
  const all = [...conns.destinations.values()];
  const type = p.optionalString('destination')?.trim();
  // Bruin names an asset's destination connection with a top-level `connection:`
  const given = oneOf(
    p.file,
    [p, 'destination_connection', p.optionalString('destination_connection')?.trim()],
    [r, 'connection', r.optionalString('connection')?.trim()],
  );
  if (given !== undefined) {
    const { value: named, field } = given;
    const conn = conns.destinations.get(named);
    if (conn === undefined) {
      if (conns.intercom.has(named))
        throw fail(p.file, field, `${show(named)} is an intercom connection, not a destination (the source is parameters.source_connection)`);
      throw fail(
        p.file,
        field,
        `unknown destination connection ${show(named)}${suggestion(
          named,
          all.map((c) => c.name),
        )}`,
      );
    }
    if (type !== undefined && type !== conn.type && type !== conn.name) {
      throw p.error('destination', `is ${show(type)} but ${field} ${show(named)} is a ${conn.type} connection`);
    }
    return conn;
  }
  if (type !== undefined) {
    if ((DESTINATION_TYPES as readonly string[]).includes(type)) {
      const ofType = all.filter((c) => c.type === type);
      if (ofType.length === 1) return ofType[0]!;
      if (ofType.length === 0) throw p.error('destination', `no ${type} connection is defined in connections.yml`);
      const byTypeName = ofType.find((c) => c.name === type);
      if (byTypeName) return byTypeName;
      throw fail(p.file, p.field('destination_connection'), `is required: there are several ${type} connections (${ofType.map((c) => c.name).join(', ')})`);
    }
    const conn = conns.destinations.get(type);
    if (conn !== undefined) return conn;
    const candidates = [...DESTINATION_TYPES, ...all.map((c) => c.name)];
    throw p.error('destination', `unknown destination ${show(type)}${suggestion(type, candidates)}`);
  }
  if (all.length === 1) return all[0]!;
  if (all.length === 0)
    throw p.error(
      'destination',
      `no destination connection (${DESTINATION_TYPES.slice(0, -1).join(', ')} or ${DESTINATION_TYPES.at(-1)}) is defined in connections.yml`,
    );
  throw p.error('destination', `is required: there are several destination connections (${all.map((c) => c.name).join(', ')})`);
}

function readColumns(r: MapReader): AssetConfig['columns'] {
  const list = r.list('columns') ?? [];
  const seen = new Set<string>();
  return list.map((item, i) => {
    const c = MapReader.of(item, r.file, r.field('columns') + `[${i}]`, 'a column');
    const name = c.requireString('name').trim();
    if (seen.has(name.toLowerCase())) throw c.error('name', `duplicate column ${show(name)}`);
    seen.add(name.toLowerCase());
    const pk = c.boolean('primary_key');
    // Other Bruin column keys (type, description, …) pass through untouched; checks are read by readChecks.
    const { primary_key: _pk, name: _name, ...rest } = c.obj;
    return pk === undefined ? { ...rest, name } : { ...rest, name, primaryKey: pk };
  });
}

function readTags(r: MapReader): string[] {
  const v = r.get('tags');
  if (v === undefined) return [];
  if (typeof v === 'string') return [v];
  if (!Array.isArray(v)) throw r.error('tags', `must be a list of strings, got ${kind(v)}`);
  return v.map((t, i) => {
    if (typeof t !== 'string' || t.trim() === '') throw fail(r.file, `tags[${i}]`, `must be a non-empty string, got ${kind(t)}`);
    return t.trim();
  });
}
