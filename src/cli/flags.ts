/**
 * What the CLI says about the command line before a command runs: an unknown command or flag
 * (with the nearest known one), a camelCase spelling of a kebab-case flag, and ingestr flags that
 * have no counterpart here. cac would print "Unknown option" and crash with exit 2; these are one
 * `error:` line and exit 1, like every other bad input.
 */
import type { CAC, Command } from 'cac';
import { closest } from '../core/suggest.js';
import { EltError } from '../core/errors.js';

/** ingestr flags with no effect here, and why (ingestr's `--yes` is accepted by `ingest`). */
const INGESTR_ONLY: Readonly<Record<string, string>> = {
  'loader-file-format': 'rows are loaded as Arrow batches',
  'sql-backend': 'it applies to SQL sources',
  'sql-limit': 'it applies to SQL sources',
  'sql-exclude-columns': 'use --exclude-columns',
  'page-size': 'each Intercom endpoint is read with the largest page it allows',
  columns: 'column types come from the table declarations in docs/tables; --select-columns picks columns',
  'yield-limit': 'use --interval-start/--interval-end to bound a run',
  'extract-parallelism': 'use --parallel',
  'extract-partition-by': 'searches are split by time automatically',
  'extract-partition-interval': 'searches are split by time automatically',
  'partition-by': 'create partitions in the destination yourself',
  'cluster-by': 'cluster the destination table yourself',
  'staging-bucket': 'loads need no staging bucket',
  'pipelines-dir': 'state is kept in the destination (_elt_state)',
  'schema-naming': 'columns keep the names of docs/tables',
};

/** Command names users bring from other tools, and ours. */
const COMMAND_ALIASES: Readonly<Record<string, string>> = { run: 'ingest', sync: 'ingest', load: 'ingest', status: 'state', ls: 'list' };

const kebab = (s: string) => s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
const squash = (s: string) => s.toLowerCase().replace(/[-_]/g, '');

/** The flag spellings a command accepts, as typed (`--full-refresh`, `-c`), its own and the global ones. */
function spellings(cli: CAC, cmd: Command): string[] {
  return [...cmd.options, ...cli.globalCommand.options].flatMap((o) => o.rawName.match(/--?[A-Za-z][\w-]*/g) ?? []);
}

/** The command's name for the unknown command `name`: an alias (run → ingest) or the nearest spelling. */
export function unknownCommand(cli: CAC, name: string): EltError {
  const names = cli.commands.map((c) => c.name.split(' ')[0]!).filter(Boolean);
  const hit = COMMAND_ALIASES[name.toLowerCase()] ?? closest(name, names);
  return new EltError('usage', `unknown command '${name}'${hit && names.includes(hit) ? `; did you mean '${hit}'?` : ''} (see intercom-elt --help)`);
}

/** Throws for the first flag in `argv` (after the command) that `cmd` does not accept. */
export function checkFlags(cli: CAC, cmd: Command, argv: readonly string[]): void {
  const known = spellings(cli, cmd);
  const longs = known.filter((k) => k.startsWith('--')).map((k) => k.slice(2));
  for (const arg of argv) {
    if (arg === '--') break;
    if (!/^--?[A-Za-z]/.test(arg)) continue;
    const flag = arg.split('=', 1)[0]!;
    if (known.includes(flag)) continue;
    const name = flag.replace(/^--?/, '');
    const where = `${cmd.name.split(' ')[0]}`;
    const ingestr = INGESTR_ONLY[kebab(name)];
    if (ingestr !== undefined) throw new EltError('usage', `${flag} is an ingestr flag with no effect in intercom-elt (${ingestr}); remove it`);
    const spelled = longs.find((l) => squash(l) === squash(name));
    if (spelled !== undefined) throw new EltError('usage', `${flag}: flags are written in kebab-case: --${spelled}`);
    const near = closest(squash(name), longs.map(squash));
    const hint = near === undefined ? '' : `; did you mean --${longs.find((l) => squash(l) === near)}?`;
    throw new EltError('usage', `unknown flag ${flag} for '${where}'${hint} (see intercom-elt ${where} --help)`);
  }
}
