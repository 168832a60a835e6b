/** Issue #8: `intercom-elt dbt-sources` emits a dbt sources.yml that parses, with freshness on _elt_loaded_at. */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { getTable } from '../../src/intercom/tables/index.js';
import { runCli } from '../helpers/cli.js';
import { asset, makeProject } from '../helpers/project.js';

interface Sources {
  version: number;
  sources: Array<{
    name: string;
    database?: string;
    schema: string;
    loaded_at_field: string;
    freshness: { warn_after: { count: number; period: string }; error_after: { count: number; period: string } };
    tables: Array<{ name: string; description: string; columns: Array<{ name: string; description: string }> }>;
  }>;
}

const TOKEN = 'tok-dbt-55aa66bb77cc';

describe('dbt-sources', () => {
  test('one source per schema, a table per asset with descriptions, freshness on _elt_loaded_at', async () => {
    const p = makeProject({
      url: 'http://127.0.0.1:9',
      token: TOKEN,
      assets: { contacts: asset('contacts'), tags: asset('tags'), support: asset('conversations').replace('name: intercom.conversations', 'name: support.conversations') },
    });
    const r = await runCli(['dbt-sources', '-c', p.configFile]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toContain(TOKEN);
    expect(r.stdout).not.toMatch(/[&*]a\d/); // no YAML anchors: plain text people can read
    const doc = parse(r.stdout) as Sources;
    expect(doc.version).toBe(2);
    expect(doc.sources.map((s) => s.name).sort()).toEqual(['intercom', 'support']);
    const intercom = doc.sources.find((s) => s.name === 'intercom')!;
    expect(intercom.schema).toBe('intercom');
    expect(intercom.database).toBe('warehouse');
    expect(intercom.loaded_at_field).toBe('_elt_loaded_at');
    expect(intercom.freshness).toEqual({ warn_after: { count: 24, period: 'hour' }, error_after: { count: 48, period: 'hour' } });
    // the contacts asset also loads its relation tables beside it
    expect(intercom.tables.map((t) => t.name).sort()).toEqual(['contact_companies', 'contact_tags', 'contacts', 'tags']);
    const contacts = intercom.tables.find((t) => t.name === 'contacts')!;
    expect(contacts.description).toContain(getTable('contacts')!.description);
    const cols = contacts.columns.map((c) => c.name);
    for (const c of getTable('contacts')!.columns) expect(cols).toContain(c.name);
    expect(cols).toContain('_elt_loaded_at');
    expect(contacts.columns.find((c) => c.name === 'id')!.description).toContain('Primary key');
    expect(contacts.columns.find((c) => c.name === 'updated_at')!.description).toContain('Incremental key');
    expect(doc.sources.find((s) => s.name === 'support')!.tables.map((t) => t.name)).toEqual(['conversations', 'conversation_parts', 'conversation_tags', 'conversation_contacts']);
  });

  test('--out writes the file', async () => {
    const p = makeProject({ url: 'http://127.0.0.1:9', token: TOKEN, assets: { contacts: asset('contacts') } });
    const out = path.join(p.dir, 'models', 'sources.yml');
    const r = await runCli(['dbt-sources', '-c', p.configFile, '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
    expect(existsSync(out)).toBe(true);
    const doc = parse(readFileSync(out, 'utf8')) as Sources;
    expect(doc.sources[0]!.tables[0]!.name).toBe('contacts');
    expect(doc.sources[0]!.freshness.error_after.count).toBe(48);
  });
});
