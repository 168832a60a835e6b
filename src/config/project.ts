/** connections.yml + assets/ in one call: what `ingest`, `check` and `list` start from. */
import { loadAssets } from './assets.js';
import { loadConnections } from './connections.js';
import type { Project, TableCatalog } from './types.js';

export async function loadProject(opts: {
  configFile: string;
  assetsDir: string;
  environment?: string;
  env?: NodeJS.ProcessEnv;
  catalog: TableCatalog;
}): Promise<Project> {
  const conns = await loadConnections(opts.configFile, { environment: opts.environment, env: opts.env });
  const assets = await loadAssets(opts.assetsDir, conns, opts.catalog);
  return { ...conns, assets };
}
