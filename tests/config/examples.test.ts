/** The shipped example files stay valid: connections.example.yml in every environment, assets/ with the real tables. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadAssets, loadConnections } from '../../src/config/index.js';
import { tableCatalog } from '../../src/intercom/tables/index.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const example = path.join(root, 'connections.example.yml');
const env = { INTERCOM_ACCESS_TOKEN: 'tok', PG_PASSWORD: 'pw', SF_PASSWORD: 'pw' };

describe('connections.example.yml', () => {
  it.each([
    ['default', 'duckdb'],
    ['staging', 'postgres'],
    ['production', 'snowflake'],
  ])('%s loads, and the example assets load against it', async (environment, type) => {
    const conns = await loadConnections(example, { environment, env });
    expect(conns.environment).toBe(environment);
    expect([...conns.destinations.values()].map((d) => d.type)).toEqual([type]);
    const assets = await loadAssets(path.join(root, 'assets'), conns, tableCatalog);
    expect(assets.length).toBeGreaterThan(0);
    expect(new Set(assets.map((a) => a.sourceTable))).toEqual(new Set(assets.map((a) => a.table)));
  });
});
