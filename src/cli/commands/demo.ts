/**
 * `intercom-elt demo`: the whole product offline. Starts the fake Intercom in-process with seeded
 * data, ingests every example asset into ./demo.duckdb and prints what landed.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadAssets, type DestinationConnection, type IntercomConnection } from '../../config/index.js';
import { startFakeIntercom } from '../../fake-intercom/index.js';
import { tableCatalog } from '../../intercom/tables/index.js';
import { runAssets, type RunResult } from '../../pipeline/run.js';
import type { EltError } from '../../core/errors.js';
import { destUriArgs, queryExample } from '../query-hint.js';
import { endRun, makeRedactor, progressMode, progressRenderer, type Output } from '../render.js';
import type { CommandDefinition } from '../command.js';

/** The package's own example assets (assets/ at the package root, three folders above src/cli/commands or dist/cli/commands). */
export const exampleAssetsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../assets');

export interface DemoFlags {
  out?: string;
  seed?: number;
  contacts?: number;
  companies?: number;
  conversations?: number;
  tickets?: number;
  progress?: string | string[];
  assetsDir?: string;
}

export const command: CommandDefinition = {
  name: 'demo',
  description: 'Run the whole pipeline offline: a built-in fake Intercom into ./demo.duckdb',
  options: [
    ['--out <file>', 'DuckDB file to write', { default: 'demo.duckdb' }],
    ['--seed <n>', 'Seed of the generated data', { default: 1 }],
    ['--progress <mode>', 'interactive | log | json', { default: 'interactive' }],
  ],
  examples: ['intercom-elt demo'],
  action: async ({ output, stopSignal }, flags: DemoFlags) => {
    const result = await demoCommand({ ...flags, seed: Number(flags.seed) }, output, stopSignal());
    if (result.failure) throw result.failure;
  },
};

export async function demoCommand(f: DemoFlags, o: Output, stop?: AbortSignal): Promise<RunResult & { failure?: EltError }> {
  const mode = progressMode(f.progress);
  const token = 'demo-token';
  const fake = await startFakeIntercom({
    seed: f.seed ?? 1,
    token,
    contacts: f.contacts ?? 5000,
    companies: f.companies ?? 500,
    conversations: f.conversations ?? 2000,
    tickets: f.tickets ?? 300,
  });
  try {
    // under --progress json, stdout carries only JSON lines: the human lines go to stderr
    const say = mode === 'json' ? o.err : o.out;
    const out = path.resolve(f.out ?? 'demo.duckdb');
    say(`fake Intercom listening on ${fake.url}; loading into ${out}`);
    const intercom: IntercomConnection = { name: 'intercom', accessToken: token, region: 'us', apiVersion: '2.14', baseUrl: fake.url };
    const duck: DestinationConnection = { type: 'duckdb', name: 'duckdb', path: out };
    const conns = { intercom: new Map([[intercom.name, intercom]]), destinations: new Map([[duck.name, duck]]) };
    const assets = await loadAssets(f.assetsDir ?? exampleAssetsDir, conns, tableCatalog);
    const redact = makeRedactor([token]);
    const progress = progressRenderer(mode, o, redact);
    const result = await runAssets(conns, assets, { stop, onEvent: progress.onEvent }).finally(() => progress.close());
    const ended = endRun(result, mode, o, redact);
    say('');
    say(`Explore it: ${queryExample(destUriArgs(out), 'select name, email, updated_at from intercom.contacts order by updated_at desc limit 5')}`);
    return ended;
  } finally {
    await fake.close();
  }
}
