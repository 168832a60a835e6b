/**
 * `intercom-elt init [dir]`: a starter project — connections.yml (secrets only as ${VAR}
 * references), one asset per Intercom table, and a .gitignore for the local warehouse files.
 * Never overwrites: an existing file is left alone and reported as skipped.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { EltError } from '../../core/errors.js';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { tables } from '../../intercom/tables/index.js';
import type { TableSpec } from '../../intercom/tables/spec.js';
import type { Output } from '../render.js';
import type { CommandDefinition } from '../command.js';

export const command: CommandDefinition = {
  name: 'init [dir]',
  description: 'Create connections.yml, assets/ (one per Intercom table) and .gitignore; never overwrites',
  options: [],
  examples: ['intercom-elt init', 'intercom-elt init my-intercom-project'],
  action: async ({ output }, dir: string | undefined) => {
    await initCommand(dir, output);
  },
};

/** The package root: src/cli/commands (or dist/cli/commands) is three levels below it. */
export const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** Used when the package ships no connections.example.yml. */
export const BUILTIN_CONNECTIONS = `# intercom-elt connections. Secrets stay in environment variables: \${VAR} is replaced by VAR.
# Full reference: docs/configuration.md
default_environment: default

environments:
  default:
    connections:
      intercom:
        - name: intercom
          access_token: \${INTERCOM_ACCESS_TOKEN}   # required; never printed
          region: us                  # us | eu | au: where your workspace is hosted
          api_version: "2.14"         # quote it; 2.11 to 2.16
      duckdb:
        - name: warehouse
          path: ./warehouse.duckdb    # relative to this file's folder
`;

export const GITIGNORE = `# intercom-elt: local warehouse files and secrets
*.duckdb
*.duckdb.wal
.env
`;

/** The asset file `init` writes for a table: its defaults spelled out, so they are easy to change. */
export function assetYaml(t: TableSpec): string {
  const lines = [
    `# ${t.description}`,
    `# Reference: docs/tables/${t.name}.md`,
    `name: intercom.${t.name}`,
    'type: ingestr',
    'parameters:',
    `  source_table: ${t.name}`,
    `  incremental_strategy: ${t.defaultStrategy}`,
  ];
  if (t.incrementalKey) lines.push(`  incremental_key: ${t.incrementalKey}`);
  return `${[...lines, ...keyChecks(t.primaryKey)].join('\n')}\n`;
}

/**
 * The primary key's checks, run after every load (Bruin's syntax): unique and not_null on a
 * one-column key; on a composite key not_null on each column and a custom check that no
 * combination repeats (quoted names: Snowflake would upper-case bare ones).
 */
export function keyChecks(key: readonly string[]): string[] {
  if (key.length === 0) return [];
  const lines = ['# checked after every load; a failure exits 1 (docs/checks.md)', 'columns:'];
  for (const c of key) {
    lines.push(`  - name: ${c}`, '    checks:');
    if (key.length === 1) lines.push('      - name: unique');
    lines.push('      - name: not_null');
  }
  if (key.length > 1) {
    const cols = key.map((c) => `"${c}"`).join(', ');
    lines.push(
      'custom_checks:',
      `  - name: ${key.join(' + ')} is unique`,
      `    query: 'SELECT COUNT(*) FROM (SELECT ${cols} FROM {{ this }} GROUP BY ${cols} HAVING COUNT(*) > 1) AS d'`,
      '    value: 0',
    );
  }
  return lines;
}

const errno = (err: unknown) => (err as NodeJS.ErrnoException).code ?? 'error';

const REASONS: Readonly<Record<string, string>> = {
  EACCES: 'permission denied',
  EPERM: 'not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
  ENOTDIR: 'a part of the path is a file, not a folder',
  ENOENT: 'the file system does not allow creating it there',
};

function cannot(what: 'create folder' | 'write', file: string, err: unknown): EltError {
  const code = errno(err);
  return new EltError(
    'init_failed',
    `init: cannot ${what} ${file} (${code}: ${REASONS[code] ?? String((err as Error).message)}); choose a folder you can write to`,
  );
}

/**
 * mkdir -p one level at a time. Node's recursive mkdir loops forever on a path whose parent
 * exists but refuses new entries with ENOENT (`init /proc/nope`), and its raw errors name no fix.
 */
async function makeFolder(dir: string): Promise<void> {
  const attempt = () =>
    mkdir(dir).then(
      () => undefined,
      (err: unknown) => errno(err),
    );
  let code = await attempt();
  if (code === 'ENOENT' && path.dirname(dir) !== dir) {
    await makeFolder(path.dirname(dir));
    code = await attempt();
  }
  if (code === undefined) return;
  if (code === 'EEXIST') {
    if ((await stat(dir)).isDirectory()) return;
    throw new EltError('init_failed', `init: ${dir} exists and is not a folder; choose another folder`);
  }
  throw cannot('create folder', dir, Object.assign(new Error(code), { code }));
}

export interface InitResult {
  dir: string;
  written: string[];
  skipped: string[];
}

export async function initCommand(dir: string | undefined, o: Output): Promise<InitResult> {
  const root = path.resolve(dir ?? '.');
  const example = path.join(packageRoot, 'connections.example.yml');
  const connections = existsSync(example) ? readFileSync(example, 'utf8') : BUILTIN_CONNECTIONS;
  const files: Array<[string, string]> = [
    ['connections.yml', connections],
    ['.gitignore', GITIGNORE],
    ...tables.map((t): [string, string] => [path.join('assets', `${t.name}.asset.yml`), assetYaml(t)]),
  ];
  const result: InitResult = { dir: root, written: [], skipped: [] };
  await makeFolder(path.join(root, 'assets'));
  for (const [rel, text] of files) {
    try {
      // 'wx': create only, so a file that appears meanwhile is not clobbered either
      await writeFile(path.join(root, rel), text, { flag: 'wx' });
      result.written.push(rel);
    } catch (err) {
      if (errno(err) !== 'EEXIST') throw cannot('write', path.join(root, rel), err);
      result.skipped.push(rel);
    }
  }
  for (const f of result.written) o.out(`wrote   ${f}`);
  for (const f of result.skipped) o.out(`skipped ${f} (exists; left unchanged)`);
  const cd = path.relative(process.cwd(), root);
  o.out('');
  o.out('Next:');
  if (cd) o.out(`  cd ${cd}`);
  o.out('  export INTERCOM_ACCESS_TOKEN=…        # Developer Hub > your app > Authentication');
  o.out('  # set region (us | eu | au) in connections.yml');
  o.out('  intercom-elt check');
  o.out('  intercom-elt ingest');
  return result;
}
