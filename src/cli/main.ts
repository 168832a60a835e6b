#!/usr/bin/env node
/**
 * The CLI entry: parse with cac, call a command, render. Throw deep, render once: only this file
 * catches errors, prints them and sets the exit code (0 ok, 1 handled failure, 2 crash/interrupt).
 */
import { cac } from 'cac';
import { ChecksFailedError, EltError, InterruptedError } from '../core/errors.js';
import { demoCommand } from './commands/demo.js';
import { ingestCommand } from './commands/ingest.js';
import { ingestEvery, scheduleOf } from './commands/every.js';
import { fakeIntercomCommand } from './commands/fake.js';
import { registerCommands } from './commands/index.js';
import { checkFlags, unknownCommand } from './flags.js';
import { errorJson, type Output } from './render.js';
import { maskKindList } from '../transforms/protect/masks.js';

let stdoutLines = 0;
const output: Output = {
  out: (l) => {
    stdoutLines++;
    process.stdout.write(`${l}\n`);
  },
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
    // no cac default for --config: the one-shot form must see whether it was given
    .option('-c, --config <file>', 'connections.yml to read (default: connections.yml or .bruin.yml here or in the nearest parent folder)')
    .option('--assets-dir <dir>', 'Folder of *.asset.yml files (default: assets/ beside the config)')
    .option('-e, --environment <name>', 'Environment of connections.yml to use')
    .option('--tag <tag>', 'Only assets with this tag (repeatable)')
    .option('-y, --yes', "Accepted for ingestr's habit; ingest never asks for confirmation")
    .option('--full-refresh', 'Ignore saved state: reload everything and replace the tables')
    .option('--interval-start <time>', 'Lower bound of the window (ISO date/time or unix seconds); does not move the cursor')
    .option('--interval-end <time>', 'Upper bound of the window (ISO date/time or unix seconds)')
    .option('--progress <mode>', 'interactive | log | json (interactive falls back to log without a TTY)', { default: 'interactive' })
    .option('--parallel <n>', 'Assets run at once; they share each Intercom app\'s rate budget (default 4)')
    .option('--checkpoint-pages <n>', 'Commit rows + cursor every n pages (default 200)')
    .option('--checkpoint-seconds <s>', 'Commit rows + cursor at least every s seconds (default 30)')
    .option('--every <duration>', 'Run again at every slot of this interval (e.g. 15m, 1h), until stopped (see docs/scheduling.md)')
    .option('--max-runs <n>', 'With --every: stop after n runs')
    .option('--source-uri <uri>', "ingestr form: 'intercom://?access_token=…&region=eu'")
    .option('--source-table <table>', 'ingestr form: the Intercom table')
    .option('--dest-uri <uri>', 'ingestr form: duckdb:///file.duckdb | postgresql://… | snowflake://…')
    .option('--dest-table <schema.table>', 'ingestr form: the destination table')
    .option('--incremental-strategy <strategy>', 'ingestr form: merge | replace | append | delete+insert')
    .option('--incremental-key <column>', 'ingestr form: the incremental key')
    .option('--primary-key <columns>', 'ingestr form: primary key column(s), comma-separated')
    .option('--mask <column:kind>', `ingestr form: mask a column (${maskKindList(' | ')}), repeatable or comma-separated`)
    .option('--exclude-columns <columns>', 'ingestr form: columns (or json.paths) never loaded, comma-separated')
    .option('--select-columns <columns>', 'ingestr form: load only these columns (plus the keys), comma-separated')
    .example('intercom-elt ingest')
    .example('intercom-elt ingest intercom.contacts --progress log')
    .example('intercom-elt ingest intercom.conversations --checkpoint-pages 20')
    .example('intercom-elt ingest --every 15m')
    .example("intercom-elt ingest --source-uri 'intercom://?access_token=$TOKEN&region=eu' --source-table contacts --dest-uri duckdb:///intercom.duckdb --dest-table intercom.contacts")
    .action(async (assets: string[], flags) => {
      const schedule = scheduleOf(flags);
      if (schedule) {
        process.exitCode = await ingestEvery(assets, flags, schedule, output, stopSignal());
        return;
      }
      const result = await ingestCommand(assets, flags, output, stopSignal());
      if (result.failure) throw result.failure;
    });

  cli
    .command('demo', 'Run the whole pipeline offline: a built-in fake Intercom into ./demo.duckdb')
    .option('--out <file>', 'DuckDB file to write', { default: 'demo.duckdb' })
    .option('--seed <n>', 'Seed of the generated data', { default: 1 })
    .option('--progress <mode>', 'interactive | log | json', { default: 'interactive' })
    .example('intercom-elt demo')
    .action(async (flags) => {
      const result = await demoCommand({ ...flags, seed: Number(flags.seed) }, output, stopSignal());
      if (result.failure) throw result.failure;
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
    .option('--fault-rate <r>', 'Fraction of requests answered with an injected fault (all kinds unless --fault-kinds)')
    .option('--fault-kinds <a,b>', 'Fault kinds to inject, comma-separated (default: every kind; see docs/fake-intercom.md)')
    .option('--clock <mode>', 'frozen (moves only through /_fake/clock) | real (ticks from --start-time)', { default: 'frozen' })
    .option('--start-time <t>', 'Initial clock: unix seconds or ISO 8601 instant', { default: '2026-01-01T00:00:00Z' })
    .option('--timezone <zone>', 'Workspace time zone (GET /me app.timezone)', { default: 'America/Los_Angeles' })
    .example('intercom-elt fake-intercom --port 8080 --contacts 100000')
    .action(async (flags) => {
      await fakeIntercomCommand(flags, output);
    });

  registerCommands(cli, output);

  cli.help();
  cli.version('0.1.0');
  return cli;
}

/** Under `--json` errors are the one JSON document on stdout; under `--progress json`, one more JSON line. */
function jsonErrorForm(argv: string[]): 'document' | 'line' | undefined {
  if (argv.includes('--json')) return 'document';
  // the last --progress counts, as in progressMode
  const modes = argv.flatMap((a, i) => (a.startsWith('--progress=') ? [a.slice('--progress='.length)] : a === '--progress' ? [argv[i + 1]] : []));
  return modes.at(-1) === 'json' ? 'line' : undefined;
}

async function main(): Promise<void> {
  const cli = buildCli();
  const argv = process.argv.slice(2);
  const debug = argv.includes('--debug');
  try {
    cli.parse(process.argv, { run: false });
    if (!cli.matchedCommand) {
      if (cli.args.length > 0) throw unknownCommand(cli, String(cli.args[0]));
      if (!argv.some((a) => a === '--help' || a === '-h' || a === '--version' || a === '-v')) cli.outputHelp();
      return;
    }
    checkFlags(cli, cli.matchedCommand, argv);
    await cli.runMatchedCommand();
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    // failed checks printed their own `error:` lines already
    if (!(err instanceof ChecksFailedError)) output.err(`error: ${message.split('\n')[0]}`);
    if (debug && err instanceof Error && err.stack) output.err(err.stack);
    const form = jsonErrorForm(argv);
    // a --json command that printed its document (check with a failed row) keeps it the only one
    if (form === 'document' && stdoutLines === 0) output.out(JSON.stringify({ ok: false, error: errorJson(err) }));
    if (form === 'line') output.out(JSON.stringify({ ts: new Date().toISOString(), type: 'error', error: errorJson(err) }));
    // cac's own usage errors (a missing argument) are bad input like ours
    const usage = err instanceof EltError || (err instanceof Error && err.name === 'CACError');
    process.exitCode = err instanceof InterruptedError ? 2 : usage ? 1 : 2;
  }
}

await main();
