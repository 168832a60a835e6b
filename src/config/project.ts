/** connections.yml + assets/ in one call: what `ingest`, `check` and `list` start from. */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { EltError } from '../core/errors.js';
import { loadAssets } from './assets.js';
import { loadConnections } from './connections.js';
import type { DestinationConnection, IntercomConnection, Project, TableCatalog } from './types.js';

/** The file names a project folder is recognised by, in order (Bruin keeps its connections in `.bruin.yml`). */
export const PROJECT_FILES = ['connections.yml', '.bruin.yml'] as const;

/**
 * The project's connections file, found as git and Bruin find theirs: in `start`, else in the
 * nearest parent folder that has one. Undefined outside any project.
 */
export function findConfigFile(start: string): string | undefined {
  for (let dir = path.resolve(start); ; dir = path.dirname(dir)) {
    for (const name of PROJECT_FILES) {
      const file = path.join(dir, name);
      if (existsSync(file) && statSync(file).isFile()) return file;
    }
    if (path.dirname(dir) === dir) return undefined;
  }
}

/** The error when no project is found; `orSourceUri` for `ingest`, which also runs without one. */
export function noProjectError(orSourceUri = false): EltError {
  return new EltError('no_project', `no connections.yml here or above; run \`intercom-elt init\` or pass -c${orSourceUri ? ' / --source-uri' : ''}`);
}

type Connections = Pick<Project, 'intercom' | 'destinations'> & Partial<Pick<Project, 'unavailable'>>;

/** The Intercom connection an asset names; an unset `${VAR}` in it fails here, where it is used. */
export function intercomConnection(p: Omit<Connections, 'destinations'>, name: string): IntercomConnection {
  const conn = p.intercom.get(name);
  if (conn) return conn;
  throw p.unavailable?.get(name)?.error ?? new EltError('config_invalid', `no intercom connection named '${name}'`);
}

/** The destination connection an asset names; an unset `${VAR}` in it fails here, where it is used. */
export function destinationConnection(p: Omit<Connections, 'intercom'>, name: string): DestinationConnection {
  const conn = p.destinations.get(name);
  if (conn) return conn;
  throw p.unavailable?.get(name)?.error ?? new EltError('config_invalid', `no destination connection named '${name}'`);
}

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
