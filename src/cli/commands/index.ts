/** Registers the operational commands (check, list, state, init, dbt-sources, query, docs) on the CLI. */
import path from 'node:path';
import type { CAC, Command } from 'cac';
import { EltError } from '../../core/errors.js';
import { DEFAULT_DOCS_DIR, writeTableDocs } from '../../docs-gen/tables.js';
import type { Output } from '../render.js';
import { checkCommand, checkFailure } from './check.js';
import { dbtSourcesCommand } from './dbt-sources.js';
import { initCommand } from './init.js';
import { listCommand } from './list.js';
import { DEFAULT_QUERY_LIMIT, QUERY_FORMATS, queryCommand } from './query.js';
import { stateResetCommand, stateShowCommand } from './state.js';
import { validateCommand } from './validate.js';

/** The project flags, spelled as `ingest` spells them. */
function projectOptions(cmd: Command, configOptional = false): Command {
  const found = 'connections.yml or .bruin.yml here or in the nearest parent folder';
  cmd.option('-c, --config <file>', `connections.yml to read (default: ${found}${configOptional ? ', when there is one' : ''})`);
  cmd.option('--assets-dir <dir>', 'Folder of *.asset.yml files (default: assets/ beside the config)');
  cmd.option('-e, --environment <name>', 'Environment of connections.yml to use');
  return cmd;
}

export function registerCommands(cli: CAC, output: Output): void {
  projectOptions(cli.command('check [...assets]', 'Validate the config and try every connection: Intercom token, table permissions, destination'))
    .option('--json', 'Print the report as one JSON document on stdout')
    .example('intercom-elt check')
    .example('intercom-elt check -e production intercom.contacts')
    .action(async (assets: string[], flags) => {
      const result = await checkCommand(assets, flags, output);
      if (!result.ok) throw checkFailure(result);
    });

  projectOptions(cli.command('validate [...assets]', 'Check the config, assets, column rules and destination config without network or secrets (CI, pre-commit)'))
    .example('intercom-elt validate')
    .example('intercom-elt validate -e production')
    .action(async (assets: string[], flags) => {
      const result = await validateCommand(assets, flags, output);
      if (!result.ok) throw checkFailure(result, undefined, 'validate');
    });

  const list = cli.command('list', 'List the Intercom tables and, with a project, its assets with their last load and cursor');
  projectOptions(list, true)
    .option('--tables-only', 'Only the table catalogue, even when connections.yml exists')
    .option('--json', 'Print the tables and assets as one JSON document on stdout')
    .example('intercom-elt list')
    .example('intercom-elt list --config prod/connections.yml -e production')
    .action(async (flags) => {
      await listCommand(flags, output);
    });

  projectOptions(cli.command('state <action> [asset]', 'Show (state show [asset]) or reset (state reset <asset>) the cursor and load history of assets'))
    .option('--limit <n>', 'state show: load-history rows per asset (default 10)')
    .option('-y, --yes', 'state reset: do not ask for confirmation (required without a terminal)')
    .option('--json', 'state show: print the states and loads as one JSON document on stdout')
    .example('intercom-elt state show')
    .example('intercom-elt state show intercom.contacts --limit 20')
    .example('intercom-elt state reset intercom.contacts --yes')
    .action(async (action: string, asset: string | undefined, flags) => {
      // a flag of the other action is an error, not ignored
      const other = action === 'show' ? (flags.yes ? '--yes' : undefined) : action === 'reset' ? (flags.json ? '--json' : flags.limit !== undefined ? '--limit' : undefined) : undefined;
      if (other) throw new EltError('usage', `${other} applies to 'state ${action === 'show' ? 'reset' : 'show'}', not to 'state ${action}': remove it`);
      if (action === 'show') {
        await stateShowCommand(asset, flags, output);
      } else if (action === 'reset') {
        if (!asset) throw new EltError('usage', 'state reset needs an asset: intercom-elt state reset <asset> [--yes]');
        await stateResetCommand(asset, flags, output);
      } else {
        throw new EltError('usage', `unknown state action '${action}': use 'state show [asset]' or 'state reset <asset>'`);
      }
    });

  cli
    .command('init [dir]', 'Create connections.yml, assets/ (one per Intercom table) and .gitignore; never overwrites')
    .example('intercom-elt init')
    .example('intercom-elt init my-intercom-project')
    .action(async (dir: string | undefined) => {
      await initCommand(dir, output);
    });

  projectOptions(cli.command('dbt-sources', 'Write a dbt sources.yml for the assets: descriptions, freshness on _elt_loaded_at, primary-key and asset checks as dbt tests'))
    .option('--out <file>', 'File to write (default: print to stdout)')
    .option('--dbt-utils', 'Also write the tests that need the dbt_utils package (composite keys, ranges, patterns, custom checks)')
    .example('intercom-elt dbt-sources --out models/sources.yml')
    .example('intercom-elt dbt-sources -e production > models/intercom/sources.yml')
    .example('intercom-elt dbt-sources --dbt-utils --out models/sources.yml')
    .action(async (flags) => {
      await dbtSourcesCommand(flags, output);
    });

  cli
    .command('query [...sql]', "Run SQL on the project's DuckDB destination, read-only, and print the rows")
    .option('-c, --config <file>', 'connections.yml to read (default: connections.yml)')
    .option('-e, --environment <name>', 'Environment of connections.yml to use')
    .option('--connection <name>', 'The DuckDB connection to read (needed when connections.yml has several)')
    .option('--dest-uri <uri>', 'Read this file instead of a project: duckdb:///file.duckdb')
    .option('--format <format>', `${QUERY_FORMATS.join(' | ')} (default table)`)
    .option('--limit <n>', `Rows to print (default ${DEFAULT_QUERY_LIMIT}; 0 = all)`)
    .example('intercom-elt query "select name, email from intercom.contacts order by updated_at desc"')
    .example('intercom-elt query "select * from intercom.conversations" --format csv --limit 0 > conversations.csv')
    .example('intercom-elt query --dest-uri duckdb:///demo.duckdb "select count(*) from intercom.contacts"')
    .action(async (sql: string[], flags) => {
      await queryCommand(sql, flags, output);
    });

  cli
    .command('docs', '(maintainers) Regenerate the table reference pages (docs/tables) from the table declarations')
    .option('--out <dir>', 'Folder to write (default: docs/tables of this package)')
    .example('intercom-elt docs --out docs/tables')
    .action(async (flags) => {
      const dir = flags.out ? path.resolve(flags.out) : DEFAULT_DOCS_DIR;
      const { written, removed } = await writeTableDocs(dir);
      output.out(`${dir}: ${written.length} page(s) updated${removed.length ? `, ${removed.length} removed` : ''}`);
    });
}
