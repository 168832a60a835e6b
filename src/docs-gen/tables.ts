/**
 * The table reference (docs/tables/*.md), generated from the table declarations so it cannot
 * disagree with the code. Run `npx tsx src/docs-gen/tables.ts` after changing a table;
 * tests/cli/docs.test.ts fails when the committed pages drift.
 *
 * Besides the declaration (plain data), the declaration's source file is read for its doc
 * comments (the quirks each table works around) and the `//` comments on its columns.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, readdir, readFile, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { stringify } from 'yaml';
import { MAX_API_VERSION, MIN_API_VERSION } from '../config/index.js';
import { tables as registry } from '../intercom/tables/index.js';
import { endpointsOf, requestText } from '../intercom/tables/common.js';
import type { ColumnDef, Strategy } from '../core/schema.js';
import type { Pagination, TableRequest, TableSpec } from '../intercom/tables/spec.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const tablesSrc = path.join(repoRoot, 'src/intercom/tables');
export const DEFAULT_DOCS_DIR = path.join(repoRoot, 'docs/tables');
export const REGENERATE = 'npx tsx src/docs-gen/tables.ts';
const MARKER = `<!-- Generated from the table declarations by \`${REGENERATE}\`. Do not edit by hand. -->`;

const PAGINATION: Record<Pagination, string> = {
  none: 'none: one request returns the whole list',
  cursor_query: 'cursor in the query string (`starting_after` from `pages.next`)',
  cursor_body: 'cursor in the request body (Search API: `pagination.starting_after` from `pages.next`)',
  page: 'page numbers (`page`, `per_page`, until `pages.total_pages`)',
  scroll: 'scroll (`scroll_param`; one scroll per workspace at a time)',
};

const STRATEGY: Record<Strategy, string> = {
  merge: 'merge: upsert by primary key, keeping the newest incremental value',
  replace: 'replace: the table is rebuilt on every run and swapped in atomically',
  append: 'append: rows are added, never updated',
  'delete+insert': "delete+insert: the run's window is deleted, then inserted",
};

const METADATA: Array<[string, string, string]> = [
  ['_elt_loaded_at', 'timestamp', 'When intercom-elt loaded the row (UTC); use it for dbt source freshness.'],
  ['_elt_load_id', 'string', 'The load that wrote the row (a row of `_elt_loads`).'],
];

function duration(seconds: number): string {
  if (seconds % 3600 === 0 && seconds >= 3600) return `${seconds / 3600} h (${seconds} s)`;
  if (seconds % 60 === 0 && seconds >= 60) return `${seconds / 60} min (${seconds} s)`;
  return `${seconds} s`;
}

const sentence = (s: string) => s.charAt(0).toUpperCase() + s.slice(1).replace(/([^.!?])$/, '$1.');
const code = (s: string) => `\`${s.replace(/`/g, "'")}\``;
const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n+/g, ' ');

/** What the declaration's source file says beyond the data: doc comments and per-column comments. */
interface SourceNotes {
  file?: string;
  quirks: string[];
  columnNotes: Map<string, string>;
}

function sourceFileOf(t: TableSpec): string | undefined {
  if (!existsSync(tablesSrc)) return undefined;
  const quoted = [`name: '${t.name}'`, `name: "${t.name}"`];
  for (const f of readdirSync(tablesSrc).sort()) {
    if (!f.endsWith('.ts')) continue;
    const text = readFileSync(path.join(tablesSrc, f), 'utf8');
    if (quoted.some((q) => text.includes(q))) return path.join(tablesSrc, f);
  }
  return undefined;
}

function notesOf(t: TableSpec): SourceNotes {
  const file = sourceFileOf(t);
  const notes: SourceNotes = { quirks: [], columnNotes: new Map() };
  if (!file) return notes;
  notes.file = path.relative(repoRoot, file).split(path.sep).join('/');
  const text = readFileSync(file, 'utf8');
  for (const m of text.matchAll(/\/\*\*([\s\S]*?)\*\//g)) {
    const body = m[1]!
      .split('\n')
      .map((l) => l.replace(/^\s*\*\s?/, '').trimEnd())
      .join('\n')
      .trim();
    // paragraphs joined into single lines (markdown would do the same)
    for (const para of body.split(/\n\s*\n/)) {
      const p = para.replace(/\s*\n\s*/g, ' ').trim();
      if (p) notes.quirks.push(p);
    }
  }
  let pending: string[] = [];
  for (const line of text.split('\n')) {
    const comment = /^\s*\/\/\s?(.*)$/.exec(line);
    if (comment) {
      pending.push(comment[1]!.trim());
      continue;
    }
    const col = /^\s*['"]?([A-Za-z_][A-Za-z0-9_]*)['"]?\s*:\s*'(string|int64|float64|bool|timestamp|json)'/.exec(line);
    if (col && pending.length) notes.columnNotes.set(col[1]!, pending.join(' '));
    // a comment in the code (not on a column) explains a quirk the extractor works around
    else if (pending.length) notes.quirks.push(sentence(pending.join(' ')));
    pending = [];
  }
  return notes;
}

function columnRows(columns: ColumnDef[], notes: Map<string, string>, keys: { primaryKey: string[]; incrementalKey?: string; parentKey?: string[] }): string[] {
  const rows = ['| column | type | notes |', '|---|---|---|'];
  for (const c of columns) {
    const n: string[] = [];
    if (keys.primaryKey.includes(c.name)) n.push('primary key');
    if (keys.incrementalKey === c.name) n.push('incremental key');
    if (keys.parentKey?.includes(c.name)) n.push('parent key');
    if (c.description) n.push(c.description);
    const note = notes.get(c.name);
    if (note) n.push(note);
    rows.push(`| ${code(c.name)} | ${c.type} | ${cell(n.join('; '))} |`);
  }
  for (const [name, type, note] of METADATA) rows.push(`| ${code(name)} | ${type} | ${note} |`);
  return rows;
}

function assetExample(t: TableSpec): string {
  const parameters: Record<string, string> = { source_table: t.name, incremental_strategy: t.defaultStrategy };
  if (t.incrementalKey) parameters['incremental_key'] = t.incrementalKey;
  return stringify({ name: `intercom.${t.name}`, type: 'ingestr', parameters }).trimEnd();
}

/** The declared requests (`TableSpec.requests`): request, pagination, when. */
function requestRows(requests: readonly TableRequest[]): string[] {
  const rows = ['| request | pagination | when |', '|---|---|---|'];
  for (const r of requests) {
    const pagination = r.pagination === 'none' && r.recordsKey === undefined ? 'none: the answer is one record' : (PAGINATION[r.pagination] ?? r.pagination);
    rows.push(`| ${cell(code(requestText(r)))} | ${cell(pagination)} | ${cell(r.when ?? 'every run')} |`);
  }
  return rows;
}

/** One table's reference page. */
export function renderTablePage(t: TableSpec): string {
  const notes = notesOf(t);
  const facts: Array<[string, string]> = [
    ['Endpoint', code(endpointsOf(t))],
    ['Permission', `${t.probe.permission} (\`check\` sends ${code(requestText(t.probe.request))})`],
    ['Primary key', t.primaryKey.map(code).join(', ') || '(none)'],
    ['Incremental key (cursor)', t.incrementalKey ? code(t.incrementalKey) : 'none: always read in full'],
    ['Default strategy', STRATEGY[t.defaultStrategy] ?? t.defaultStrategy],
    ['Default lookback', t.lookbackSeconds !== undefined ? duration(t.lookbackSeconds) : t.incrementalKey ? '0 s' : 'n/a'],
    ['Settle lag', t.settleSeconds !== undefined ? duration(t.settleSeconds) : t.incrementalKey ? '0 s' : 'n/a'],
    ['API versions', `${t.minVersion ?? MIN_API_VERSION} to ${MAX_API_VERSION}`],
  ];
  const out = [MARKER, '', `# ${t.name}`, '', t.description, '', '| | |', '|---|---|', ...facts.map(([k, v]) => `| ${k} | ${cell(v)} |`), ''];
  if (t.incrementalKey) {
    out.push(
      `Each run reads \`${t.incrementalKey} >= cursor - lookback\` up to a bound frozen at run start minus the settle lag; ` +
        'rows are deduplicated by primary key, and the cursor is committed in the same transaction as the rows.',
      '',
    );
  }
  out.push('## Requests', '', 'What a read sends:', '', ...requestRows(t.requests), '');
  out.push('## Columns', '', ...columnRows(t.columns, notes.columnNotes, t), '');
  out.push(
    'Fields Intercom adds later are added as columns by schema evolution; nested objects and lists are stored as JSON ' +
      '(DuckDB `JSON`, Postgres `JSONB`, Snowflake `VARIANT`).',
    '',
  );
  if (t.children?.length) {
    out.push('## Child tables', '');
    out.push(
      "Loaded in the same run and transaction as the parent, beside it in the asset's schema; a parent's child rows are replaced whenever the parent is re-read.",
      '',
    );
    for (const c of t.children) {
      out.push(`### ${c.name}`, '', `Primary key ${c.primaryKey.map(code).join(', ')}; parent key ${c.parentKey.map(code).join(', ')}.`, '');
      out.push(...columnRows(c.columns, notes.columnNotes, c), '');
    }
  }
  if (notes.quirks.length) {
    out.push('## Notes and quirks', '');
    for (const q of notes.quirks) out.push(`- ${q}`);
    out.push('');
    out.push("Spec references like `2.14:L5773` are line numbers in Intercom's OpenAPI description of that version.", '');
  }
  out.push('## Asset', '', `\`assets/${t.name}.asset.yml\` (what \`intercom-elt init\` writes):`, '', '```yaml', assetExample(t), '```', '');
  if (notes.file) out.push(`Declared in [\`${notes.file}\`](../../${notes.file}).`, '');
  return out.join('\n');
}

function renderIndex(list: readonly TableSpec[]): string {
  const out = [
    MARKER,
    '',
    '# Intercom tables',
    '',
    'Every table intercom-elt can read. An asset names one with `parameters.source_table`; `intercom-elt list` prints the same catalogue.',
    '',
    '| table | description | primary key | incremental key | default strategy | endpoint |',
    '|---|---|---|---|---|---|',
  ];
  for (const t of list) {
    out.push(
      `| [${t.name}](${t.name}.md) | ${cell(t.description)} | ${t.primaryKey.map(code).join(', ')} | ${t.incrementalKey ? code(t.incrementalKey) : '-'} | ${t.defaultStrategy} | ${cell(code(endpointsOf(t)))} |`,
    );
  }
  out.push(
    '',
    'Every table also gets `_elt_loaded_at` and `_elt_load_id`. The metadata tables `_elt_state` (cursor per asset) and ' +
      "`_elt_loads` (one row per load) live in the destination's schema; `intercom-elt state show` reads them.",
    '',
  );
  return out.join('\n');
}

/** Every page of docs/tables, by file name, from the table registry. */
export function renderTableDocs(list: readonly TableSpec[] = registry): Map<string, string> {
  const pages = new Map<string, string>();
  pages.set('README.md', renderIndex(list));
  for (const t of list) pages.set(`${t.name}.md`, renderTablePage(t));
  return pages;
}

/** Write the pages into `dir` and remove generated pages of tables that no longer exist. */
export async function writeTableDocs(dir: string = DEFAULT_DOCS_DIR): Promise<{ written: string[]; removed: string[] }> {
  const pages = renderTableDocs();
  await mkdir(dir, { recursive: true });
  const written: string[] = [];
  const removed: string[] = [];
  for (const [name, text] of pages) {
    const file = path.join(dir, name);
    const old = await readFile(file, 'utf8').catch(() => undefined);
    if (old !== text) {
      await writeFile(file, text);
      written.push(name);
    }
  }
  for (const name of await readdir(dir)) {
    if (!name.endsWith('.md') || pages.has(name)) continue;
    const text = await readFile(path.join(dir, name), 'utf8');
    if (text.startsWith(MARKER)) {
      await unlink(path.join(dir, name));
      removed.push(name);
    }
  }
  return { written, removed };
}

// `npx tsx src/docs-gen/tables.ts [dir]`
if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const dir = path.resolve(process.argv[2] ?? DEFAULT_DOCS_DIR);
  const { written, removed } = await writeTableDocs(dir);
  process.stdout.write(`${dir}: ${written.length} page(s) updated${removed.length ? `, ${removed.length} removed` : ''}\n`);
}
