/** Writes a throwaway project (connections.yml + assets/) pointing at a fake Intercom and a DuckDB file. */
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface TestProject {
  dir: string;
  configFile: string;
  assetsDir: string;
  duckdbPath: string;
}

export function makeProject(opts: {
  url: string;
  token: string;
  apiVersion?: string;
  assets: Record<string, string>;
  extraConnections?: string;
  /** More keys of the intercom connection (e.g. timeout_seconds, max_attempts). */
  intercom?: Record<string, string | number | undefined>;
}): TestProject {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ielt-'));
  const assetsDir = path.join(dir, 'assets');
  mkdirSync(assetsDir);
  const configFile = path.join(dir, 'connections.yml');
  writeFileSync(
    configFile,
    [
      'default_environment: default',
      'environments:',
      '  default:',
      '    connections:',
      '      intercom:',
      '        - name: intercom',
      '          access_token: ${TEST_INTERCOM_TOKEN:-' + opts.token + '}',
      `          base_url: ${opts.url}`,
      `          api_version: "${opts.apiVersion ?? '2.14'}"`,
      ...Object.entries(opts.intercom ?? {}).flatMap(([k, v]) => (v === undefined ? [] : [`          ${k}: ${v}`])),
      '      duckdb:',
      '        - name: duckdb',
      '          path: ./warehouse.duckdb',
      opts.extraConnections ?? '',
    ].join('\n'),
  );
  for (const [name, body] of Object.entries(opts.assets)) writeFileSync(path.join(assetsDir, `${name}.asset.yml`), body);
  return { dir, configFile, assetsDir, duckdbPath: path.join(dir, 'warehouse.duckdb') };
}

/** A minimal asset for a table, with optional extra YAML lines under `parameters`. */
export function asset(table: string, params: Record<string, string> = {}): string {
  return [`name: intercom.${table}`, 'parameters:', `  source_table: ${table}`, ...Object.entries(params).map(([k, v]) => `  ${k}: ${v}`), ''].join('\n');
}

/** A `postgres` connection (named `postgres`) for makeProject's extraConnections; the password comes from `${passwordEnv}`. */
export function postgresConnectionYaml(o: { host: string; port?: number; database: string; user: string }, passwordEnv: string): string {
  return [
    '      postgres:',
    '        - name: postgres',
    `          host: ${o.host}`,
    `          port: ${o.port ?? 5432}`,
    `          database: ${o.database}`,
    `          username: ${o.user}`,
    `          password: \${${passwordEnv}}`,
    '          ssl_mode: disable',
  ].join('\n');
}
