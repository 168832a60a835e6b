#!/usr/bin/env node
/**
 * The CLI entry: parse with cac, call a command, render. Throw deep, render once: only this file
 * catches errors, prints them and sets the exit code (0 ok, 1 handled failure, 2 crash/interrupt).
 */
import { readFileSync } from 'node:fs';
import { cac } from 'cac';
import { ChecksFailedError, EltError, InterruptedError } from '../core/errors.js';
import type { CommandContext } from './command.js';
import { commands } from './commands/index.js';
import { checkFlags, unknownCommand } from './flags.js';
import { errorJson, type Output } from './render.js';

/** The package's version: package.json is two folders up from src/cli/ and from dist/cli/. */
const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

let stdoutLines = 0;
const output: Output = {
  out: (l) => {
    stdoutLines++;
    process.stdout.write(`${l}\n`);
  },
  err: (l) => process.stderr.write(`${l}\n`),
  isTTY: process.stderr.isTTY === true,
};

/**
 * SIGINT/SIGTERM abort the run: the pipeline commits its next checkpoint and stops (exit 2). A
 * second signal quits at once, unless it comes within a second of the first: that is the same
 * Ctrl-C reaching the run twice (from the terminal and from the parent that relaunched `ingest`
 * with malloc settings, malloc-env.ts; or a scheduler signalling the whole process group).
 */
function stopSignal(): AbortSignal {
  const ctl = new AbortController();
  let first = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    if (ctl.signal.aborted) {
      if (Date.now() - first < SAME_SIGNAL_MS) return;
      process.exit(2); // a second signal: stop now
    }
    first = Date.now();
    output.err(`${sig}: stopping at the next checkpoint (send again to quit at once)`);
    ctl.abort(sig);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return ctl.signal;
}

/** Signals this close to the first are the first one delivered twice. */
const SAME_SIGNAL_MS = 1000;

const context: CommandContext = { output, stopSignal };

/** cac with every command of commands/index.ts; an action's exit code (`ingest --every`) is what runMatchedCommand resolves to. */
export function buildCli() {
  const cli = cac('intercom-elt');
  cli.option('--debug', 'Print stack traces of errors');
  for (const def of commands) {
    const cmd = cli.command(def.name, def.description);
    for (const [rawName, description, config] of def.options) cmd.option(rawName, description, config);
    for (const example of def.examples) cmd.example(example);
    cmd.action((...args: unknown[]) => def.action(context, ...(args as never[])));
  }
  cli.help();
  cli.version(version);
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
    const code = (await cli.runMatchedCommand()) as number | void;
    if (typeof code === 'number') process.exitCode = code;
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
