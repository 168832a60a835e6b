#!/usr/bin/env node
/**
 * The CLI entry: parse with cac, call a command, render. Throw deep, render once: only this file
 * catches errors, prints them and sets the exit code (0 ok, 1 handled failure, 2 crash/interrupt).
 */
import { cac } from 'cac';
import { EltError, InterruptedError } from '../errors.js';
import { demoCommand } from './demo.js';
import { ingestCommand } from './ingest.js';
import { fakeIntercomCommand } from './fake.js';
import { registerCommands } from './commands/index.js';
import type { Output } from './render.js';

// snowflake-sdk's AWS SDK warns about Node versions on stderr; not the user's concern here
process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';

const output: Output = {
  out: (l) => process.stdout.write(`${l}\n`),
  err: (l) => process.stderr.write(`${l}\n`),
  isTTY: process.stderr.isTTY === true,
};

/** SIGINT/SIGTERM abort the run: the pipeline commits its next checkpoint and stops (exit 2). */
function stopSignal(): AbortSignal {
  const ctl = new AbortController();
  const onSignal = (sig: NodeJS.Signals) => {
    if (ctl.signal.aborted) process.exit(2); // a second signal: stop now
    output.err(`${sig}: stopping at the next checkpoint (send again to quit at once)`);
    ctl.abort(sig);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return ctl.signal;
}

export function buildCli() {
  const cli = cac('intercom-elt');
  cli.option('--debug', 'Print stack traces of errors');

  cli
    .command('ingest [...assets]', 'Extract Intercom tables and load them into the destination')
    .option('-c, --config <file>', 'connections.yml to read', { default: 'connections.yml' })
    .option('--assets-dir <dir>', 'Folder of *.asset.yml files (default: assets/ beside the config)')
    .option('-e, --environment <name>', 'Environment of connections.yml to use')
    .option('--tag <tag>', 'Only assets with this tag (repeatable)')
    .option('--full-refresh', 'Ignore saved state: reload everything and replace the tables')
    .option('--interval-start <time>', 'Lower bound of the window (ISO date/time or unix seconds); does not move the cursor')
    .option('--interval-end <time>', 'Upper bound of the window (ISO date/time or unix seconds)')
    .option('--progress <mode>', 'interactive | log | json (interactive falls back to log without a TTY)', { default: 'interactive' })
    .option('--parallel <n>', 'Assets run at once; they share each Intercom app\'s rate budget (default 4)')
    .option('--checkpoint-pages <n>', 'Commit rows + cursor every n pages (default 200)')
    .option('--checkpoint-seconds <s>', 'Commit rows + cursor at least every s seconds (default 30)')
    .option('--source-uri <uri>', "ingestr form: 'intercom://?access_token=…&region=eu'")
    .option('--source-table <table>', 'ingestr form: the Intercom table')
    .option('--dest-uri <uri>', 'ingestr form: duckdb:///file.duckdb | postgresql://… | snowflake://…')
    .option('--dest-table <schema.table>', 'ingestr form: the destination table')
    .option('--incremental-strategy <strategy>', 'ingestr form: merge | replace | append | delete+insert')
    .option('--incremental-key <column>', 'ingestr form: the incremental key')
    .option('--primary-key <columns>', 'ingestr form: primary key column(s), comma-separated')
    .option('--mask <column:kind>', 'ingestr form: mask a column (hash | redact | partial), repeatable or comma-separated')
    .option('--exclude-columns <columns>', 'ingestr form: columns (or json.paths) never loaded, comma-separated')
    .option('--select-columns <columns>', 'ingestr form: load only these columns (plus the keys), comma-separated')
    .example('intercom-elt ingest')
    .example('intercom-elt ingest intercom.contacts --progress log')
    .example('intercom-elt ingest intercom.conversations --checkpoint-pages 20')
    .example("intercom-elt ingest --source-uri 'intercom://?access_token=$TOKEN&region=eu' --source-table contacts --dest-uri duckdb:///intercom.duckdb --dest-table intercom.contacts")
    .action(async (assets: string[], flags) => {
      const result = await ingestCommand(assets, flags, output, stopSignal());
      if (result.summaries.some((s) => s.status === 'interrupted')) process.exitCode = 2;
      else if (!result.ok) process.exitCode = 1;
    });

  cli
    .command('demo', 'Run the whole pipeline offline: a built-in fake Intercom into ./demo.duckdb')
    .option('--out <file>', 'DuckDB file to write', { default: 'demo.duckdb' })
    .option('--seed <n>', 'Seed of the generated data', { default: 1 })
    .option('--progress <mode>', 'interactive | log | json', { default: 'interactive' })
    .example('intercom-elt demo')
    .action(async (flags) => {
      const result = await demoCommand({ ...flags, seed: Number(flags.seed) }, output, stopSignal());
      if (!result.ok) process.exitCode = 1;
    });

  cli
    .command('fake-intercom', 'Serve the fake Intercom API locally (for trying things out and for tests)')
    .option('--port <port>', 'Port (0 = any free port)', { default: 0 })
    .option('--seed <n>', 'Seed of the generated data', { default: 1 })
    .option('--token <token>', 'Access token to accept', { default: 'fake-token' })
    .option('--contacts <n>', 'Number of contacts')
    .option('--companies <n>', 'Number of companies')
    .option('--conversations <n>', 'Number of conversations')
    .option('--tickets <n>', 'Number of tickets')
    .option('--rate-limit-per-minute <n>', 'Requests per minute per app (0 = unlimited)', { default: 10000 })
    .option('--latency-ms <n>', 'Added latency per request')
    .option('--search-latency-ms <n>', 'Added latency per search page (POST …/search) instead of --latency-ms')
    .option('--fault-rate <r>', 'Fraction of requests answered with an injected fault')
    .example('intercom-elt fake-intercom --port 8080 --contacts 100000')
    .action(async (flags) => {
      await fakeIntercomCommand(flags, output);
    });

  registerCommands(cli, output);

  cli.help();
  cli.version('0.1.0');
  return cli;
}

async function main(): Promise<void> {
  const cli = buildCli();
  const debug = process.argv.includes('--debug');
  try {
    cli.parse(process.argv, { run: false });
    if (!cli.matchedCommand) {
      if (cli.args.length > 0) throw new EltError('usage', `unknown command '${cli.args[0]}' (see intercom-elt --help)`);
      if (!process.argv.slice(2).some((a) => a === '--help' || a === '-h' || a === '--version' || a === '-v')) cli.outputHelp();
      return;
    }
    await cli.runMatchedCommand();
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    output.err(`error: ${message.split('\n')[0]}`);
    if (debug && err instanceof Error && err.stack) output.err(err.stack);
    process.exitCode = err instanceof InterruptedError ? 2 : err instanceof EltError ? 1 : 2;
  }
}

await main();
