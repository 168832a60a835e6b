import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadAssets, loadConnections, loadProject } from '../../src/config/index.js';
import { BASE_CONNECTIONS, SECRETS, fakeCatalog, tempProject } from './helpers.js';

async function project(assets: Record<string, string>, connections = BASE_CONNECTIONS) {
  const files = Object.fromEntries(Object.entries(assets).map(([rel, text]) => [path.join('assets', rel), text]));
  const dir = await tempProject({ 'connections.yml': connections, ...files });
  const p = await loadProject({ configFile: path.join(dir, 'connections.yml'), assetsDir: path.join(dir, 'assets'), env: SECRETS, catalog: fakeCatalog });
  return { dir, p };
}

describe('loadAssets', () => {
  it('a three-line asset gets the table defaults', async () => {
    const text = 'name: intercom.contacts\nparameters:\n  source_table: contacts\n';
    const { dir, p } = await project({ 'contacts.asset.yml': text });
    expect(p.assets).toEqual([
      {
        name: 'intercom.contacts',
        schema: 'intercom',
        table: 'contacts',
        file: path.join(dir, 'assets/contacts.asset.yml'),
        sourceConnection: 'intercom',
        sourceTable: 'contacts',
        destination: 'warehouse',
        strategy: 'merge',
        primaryKey: ['id'],
        incrementalKey: 'updated_at',
        tags: [],
        customAttributeColumns: false,
        columns: [],
        raw: { name: 'intercom.contacts', parameters: { source_table: 'contacts' } },
      },
    ]);
  });

  it('infers the name from the path and the source table from the name', async () => {
    const { p: ok } = await project({
      'contacts.asset.yml': 'tags: core\n', // assets/contacts -> intercom.contacts, source table contacts
      'crm/teams.asset.yaml': 'parameters:\n  source_table: teams\n',
      'crm/notes.txt': 'not an asset',
      '.hidden/x.asset.yml': 'garbage: [',
    });
    expect(ok.assets.map((a) => [a.name, a.schema, a.table, a.sourceTable, a.strategy, a.tags])).toEqual([
      ['intercom.contacts', 'intercom', 'contacts', 'contacts', 'merge', ['core']],
      ['crm.teams', 'crm', 'teams', 'teams', 'replace', []],
    ]);
  });

  it('reads every Bruin field and our extensions', async () => {
    const { p } = await project({
      'x.asset.yml': `
name: raw.intercom_people
type: ingestr
description: People, from Intercom
owner: data@example.com
parameters:
  source_connection: intercom
  source_table: contacts
  destination: duckdb
  incremental_strategy: merge
  incremental_key: updated_at
  custom_attribute_columns: true
materialization:
  type: table
  strategy: merge
columns:
  - name: id
    type: string
    primary_key: true
    description: Intercom id
  - name: workspace_id
    primary_key: true
  - name: email
    checks: [{ name: not_null }]
start_date: "2024-01-01T06:00:00+02:00"
lookback: 2h
tags: [core, daily]
`,
    });
    const a = p.assets[0]!;
    expect(a).toMatchObject({
      name: 'raw.intercom_people',
      schema: 'raw',
      table: 'intercom_people',
      strategy: 'merge',
      primaryKey: ['id', 'workspace_id'],
      incrementalKey: 'updated_at',
      startDate: Date.UTC(2024, 0, 1, 4) / 1000,
      lookbackSeconds: 7200,
      tags: ['core', 'daily'],
      customAttributeColumns: true,
      destination: 'warehouse',
    });
    expect(a.columns).toEqual([
      { name: 'id', type: 'string', primaryKey: true, description: 'Intercom id' },
      { name: 'workspace_id', primaryKey: true },
      { name: 'email', checks: [{ name: 'not_null' }] },
    ]);
    expect(a.raw['owner']).toBe('data@example.com');
  });

  it('create+replace is replace; lookback falls back to the connection; start_date is unix seconds', async () => {
    const conns = BASE_CONNECTIONS.replace('access_token: ${INTERCOM_ACCESS_TOKEN}', 'access_token: ${INTERCOM_ACCESS_TOKEN}\n          lookback: 5m');
    const { p } = await project(
      {
        'conversations.asset.yml': 'materialization:\n  strategy: create+replace\nstart_date: "2024-03-01"\n',
        'contacts.asset.yml': 'lookback: 30\n',
      },
      conns,
    );
    const [contacts, conversations] = p.assets;
    expect(conversations).toMatchObject({ strategy: 'replace', lookbackSeconds: 300, startDate: 1709251200 });
    expect(contacts).toMatchObject({ strategy: 'merge', lookbackSeconds: 30 });
  });

  it('resolves destinations: one of several by name, by type, or the one named like the type', async () => {
    const conns = `connections:
  intercom:
    - name: a
      access_token: t
    - name: intercom
      access_token: t2
  duckdb:
    - name: duckdb
      path: x.duckdb
    - name: scratch
      path: y.duckdb
  postgres:
    - name: pg
      host: h
      database: d
      username: u
      schema: pg_default
`;
    const { p } = await project(
      {
        'a.asset.yml': 'name: contacts\nparameters:\n  destination_connection: scratch\n  source_connection: a\n',
        'b.asset.yml': 'name: teams\nparameters:\n  destination: duckdb\n',
        'c.asset.yml': 'name: conversations\nparameters:\n  destination: postgres\n',
        'd.asset.yml': 'name: s.events\nparameters:\n  destination: pg\n',
      },
      conns,
    );
    expect(p.assets.map((a) => [a.name, a.sourceConnection, a.destination])).toEqual([
      ['intercom.contacts', 'a', 'scratch'],
      ['intercom.teams', 'intercom', 'duckdb'],
      ['pg_default.conversations', 'intercom', 'pg'], // postgres `schema` is the default schema
      ['s.events', 'intercom', 'pg'],
    ]);
  });

  it('asks which destination when several exist and none is named', async () => {
    const dir = await tempProject({
      'assets/contacts.asset.yml': '{}\n',
      'connections.yml': `connections:\n  duckdb:\n    - name: a\n      path: a.duckdb\n    - name: b\n      path: b.duckdb\n  intercom:\n    - name: i\n      access_token: t\n`,
    });
    const conns = await loadConnections(path.join(dir, 'connections.yml'), { env: {} });
    await expect(loadAssets(path.join(dir, 'assets'), conns, fakeCatalog)).rejects.toThrow(
      `${path.join(dir, 'assets/contacts.asset.yml')}: parameters.destination: is required: there are several destination connections (a, b)`,
    );
  });

  it('an empty asset file is an asset of defaults, named by its path', async () => {
    const { p } = await project({ 'teams.asset.yml': '' });
    expect(p.assets.map((a) => [a.name, a.sourceTable, a.strategy, a.primaryKey, a.incrementalKey, a.raw])).toEqual([
      ['intercom.teams', 'teams', 'replace', ['id'], undefined, {}],
    ]);
  });

  it('an empty assets folder loads no assets', async () => {
    const { p } = await project({});
    expect(p.assets).toEqual([]);
  });
});
