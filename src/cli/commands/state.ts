/**
 * `intercom-elt state show [asset]` and `intercom-elt state reset <asset>`: the cursor and the load
 * history (`_elt_state`, `_elt_loads`) read from the destination, where they are committed with
 * the rows (dlt style), and forgetting an asset's cursor so the next run starts over.
 */
import { createInterface } from 'node:readline/promises';
import { EltError } from '../../core/errors.js';
import { destinationConnection, type AssetConfig } from '../../config/index.js';
import type { AssetState } from '../../destinations/types.js';
import { selectAssets } from '../../pipeline/run.js';
import { openDestination, secretsOf } from '../../destinations/registry.js';
import { makeRedactor, type Output } from '../render.js';
import { DestinationPool } from '../destination-pool.js';
import { cellText, cursorText, formatTable, isoSeconds, jsonDocument, projectFromFlags, projectOptions, type JsonFlag, type ProjectFlags } from '../project.js';
import type { CommandDefinition } from '../command.js';

export const command: CommandDefinition = {
  name: 'state <action> [asset]',
  description: 'Show (state show [asset]) or reset (state reset <asset>) the cursor and load history of assets',
  options: [
    ...projectOptions(),
    ['--limit <n>', 'state show: load-history rows per asset (default 10)'],
    ['-y, --yes', 'state reset: do not ask for confirmation (required without a terminal)'],
    ['--json', 'state show: print the states and loads as one JSON document on stdout'],
  ],
  examples: ['intercom-elt state show', 'intercom-elt state show intercom.contacts --limit 20', 'intercom-elt state reset intercom.contacts --yes'],
  action: async ({ output }, action: string, asset: string | undefined, flags: StateFlags) => {
    // a flag of the other action is an error, not ignored
    const other =
      action === 'show'
        ? flags.yes
          ? '--yes'
          : undefined
        : action === 'reset'
          ? flags.json
            ? '--json'
            : flags.limit !== undefined
              ? '--limit'
              : undefined
          : undefined;
    if (other) throw new EltError('usage', `${other} applies to 'state ${action === 'show' ? 'reset' : 'show'}', not to 'state ${action}': remove it`);
    if (action === 'show') {
      await stateShowCommand(asset, flags, output);
    } else if (action === 'reset') {
      if (!asset) throw new EltError('usage', 'state reset needs an asset: intercom-elt state reset <asset> [--yes]');
      await stateResetCommand(asset, flags, output);
    } else {
      throw new EltError('usage', `unknown state action '${action}': use 'state show [asset]' or 'state reset <asset>'`);
    }
  },
};

export interface StateFlags extends ProjectFlags, JsonFlag {
  /** Load-history rows per asset (default 10). */
  limit?: number | string;
  /** `state reset`: do not ask. */
  yes?: boolean;
}

export interface AssetStateReport {
  asset: string;
  destination: string;
  state?: AssetState;
  loads: Array<Record<string, unknown>>;
}

/** How `state reset` asks; injectable so the command is testable as a function. */
export interface Prompt {
  /** stdin is an interactive terminal. */
  interactive: boolean;
  confirm(question: string): Promise<boolean>;
}

export const terminalPrompt: Prompt = {
  interactive: process.stdin.isTTY === true,
  async confirm(question) {
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    try {
      return /^(y|yes)$/i.test((await rl.question(question)).trim());
    } finally {
      rl.close();
    }
  },
};

const LOAD_COLUMNS = ['load_id', 'status', 'rows', 'requests', 'started_at', 'finished_at', 'error'];

export async function stateShowCommand(selector: string | undefined, f: StateFlags, o: Output): Promise<AssetStateReport[]> {
  const project = await projectFromFlags(f);
  const redact = makeRedactor(secretsOf(project));
  const assets = selectAssets(project.assets, selector ? [selector] : []);
  const limit = f.limit === undefined ? 10 : Number(f.limit);
  if (!Number.isInteger(limit) || limit < 1) throw new EltError('usage', `--limit must be a positive whole number, got '${f.limit}'`);
  const pool = new DestinationPool();
  const reports: AssetStateReport[] = [];
  try {
    for (const a of assets) {
      const dest = await pool.get(destinationConnection(project, a.destination));
      const report: AssetStateReport = { asset: a.name, destination: a.destination, loads: [] };
      if (dest) {
        report.state = await dest.readState(a.name);
        report.loads = await dest.loads(a.name, limit);
      }
      reports.push(report);
    }
  } finally {
    await pool.close();
  }
  if (f.json) {
    o.out(redact(jsonDocument({ assets: reports })));
    return reports;
  }
  reports.forEach((r, i) => {
    if (i > 0) o.out('');
    for (const line of renderReport(r)) o.out(redact(line));
  });
  return reports;
}

function renderReport(r: AssetStateReport): string[] {
  const lines = [`${r.asset} (destination ${r.destination})`];
  const cursor = r.state?.cursor;
  lines.push(`  cursor: ${cursorText(r.state)}${typeof cursor === 'number' ? ` (${cursor})` : r.state ? '' : ' (never loaded)'}`);
  const ip = r.state?.inProgress;
  if (ip) {
    const w = ip.window ? ` window ${isoSeconds(ip.window.start)} .. ${isoSeconds(ip.window.end)}` : '';
    lines.push(`  in progress: load ${ip.loadId}${w} (the next run resumes it)`);
  }
  if (r.loads.length === 0) {
    lines.push('  loads: none');
  } else {
    lines.push('  loads (newest first):');
    const rows = r.loads.map((l) => LOAD_COLUMNS.map((c) => cellText(l[c])));
    for (const line of formatTable(LOAD_COLUMNS, rows)) lines.push(`    ${line}`);
  }
  return lines;
}

export interface ResetResult {
  asset: string;
  /** The state that was removed (undefined if there was none). */
  previous?: AssetState;
  reset: boolean;
}

export async function stateResetCommand(selector: string, f: StateFlags, o: Output, prompt: Prompt = terminalPrompt): Promise<ResetResult> {
  const project = await projectFromFlags(f);
  const redact = makeRedactor(secretsOf(project));
  const [asset] = selectAssets(project.assets, [selector]) as [AssetConfig];
  // Refuse before touching the destination: a script without --yes must not hang on stdin.
  if (!f.yes && !prompt.interactive) {
    throw new EltError('confirmation_required', `state reset ${asset.name}: stdin is not a terminal, so nothing was reset; pass --yes to confirm`);
  }
  const dest = await openDestination(destinationConnection(project, asset.destination));
  try {
    const previous = await dest.readState(asset.name);
    if (!f.yes) {
      const question = redact(
        `Reset the state of ${asset.name} in ${asset.destination} (cursor ${cursorText(previous)})? ` +
          'The next ingest re-reads it from its start_date (or from the beginning). [y/N] ',
      );
      // a refusal is a handled failure (exit 1): a script chaining `state reset && ingest` stops here
      if (!(await prompt.confirm(question))) throw new EltError('not_confirmed', `state reset ${asset.name}: not confirmed; nothing changed`);
    }
    await dest.resetState(asset.name);
    o.out(redact(`reset state of ${asset.name} in ${asset.destination} (cursor was ${cursorText(previous)}); the next ingest starts from the beginning`));
    return { asset: asset.name, previous, reset: true };
  } finally {
    await dest.close().catch(() => undefined);
  }
}
