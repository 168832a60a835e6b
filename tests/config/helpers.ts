import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';
import type { TableCatalog } from '../../src/config/index.js';
import type { Strategy } from '../../src/core/schema.js';

/** A small stand-in for the table registry: one table of each kind the rules care about. */
const TABLES: Record<string, { primaryKey: string[]; incrementalKey?: string; strategy: Strategy }> = {
  contacts: { primaryKey: ['id'], incrementalKey: 'updated_at', strategy: 'merge' },
  conversations: { primaryKey: ['id'], incrementalKey: 'updated_at', strategy: 'merge' },
  teams: { primaryKey: ['id'], strategy: 'replace' },
  // no primary key, no incremental key: append-only
  events: { primaryKey: [], strategy: 'append' },
};

export const fakeCatalog: TableCatalog = {
  names: () => Object.keys(TABLES),
  defaults: (name) => TABLES[name],
};

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

/** A temp folder holding `files` (relative path -> text); returns its absolute path. */
export async function tempProject(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'elt-config-'));
  dirs.push(dir);
  await mkdir(path.join(dir, 'assets'), { recursive: true });
  for (const [rel, text] of Object.entries(files)) {
    const p = path.join(dir, rel);
    await mkdir(path.dirname(p), { recursive: true });
    await writeFile(p, text);
  }
  return dir;
}

/** Secrets used across the tests; every one contains SECRET so a leak is easy to spot. */
export const SECRETS = {
  INTERCOM_ACCESS_TOKEN: 'tok_SECRET_abc123=',
  PG_PASSWORD: 'pg_SECRET_pw#1:x',
  SF_PASSWORD: 'sf_SECRET_pw',
};

export const BASE_CONNECTIONS = `
environments:
  default:
    connections:
      intercom:
        - name: intercom
          access_token: \${INTERCOM_ACCESS_TOKEN}
      duckdb:
        - name: warehouse
          path: ./warehouse.duckdb
`;
