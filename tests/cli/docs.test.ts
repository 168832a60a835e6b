/** Issue #8: the committed table reference (docs/tables) matches the table declarations. */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, test } from 'vitest';
import { DEFAULT_DOCS_DIR, REGENERATE, renderTableDocs } from '../../src/docs-gen/tables.js';
import { tables } from '../../src/intercom/tables/index.js';
import { endpointsOf } from '../../src/intercom/tables/common.js';
import { repoRoot } from '../helpers/cli.js';

const hint = `docs/tables is out of date: run \`${REGENERATE}\` to regenerate`;

describe('docs/tables', () => {
  const pages = renderTableDocs();

  test('has a page per table and an index', () => {
    expect([...pages.keys()].sort()).toEqual(['README.md', ...tables.map((t) => `${t.name}.md`)].sort());
    for (const t of tables) {
      const page = pages.get(`${t.name}.md`)!;
      expect(page).toContain(`# ${t.name}`);
      expect(page).toContain(endpointsOf(t).replace(/`/g, "'").replace(/\|/g, '\\|'));
      for (const c of t.columns) expect(page).toContain(`| \`${c.name}\` | ${c.type} |`);
    }
  });

  test('committed pages match the declarations', () => {
    const committed = readdirSync(DEFAULT_DOCS_DIR)
      .filter((f) => f.endsWith('.md'))
      .sort();
    expect(committed, hint).toEqual([...pages.keys()].sort());
    for (const [name, text] of pages) {
      const onDisk = readFileSync(path.join(DEFAULT_DOCS_DIR, name), 'utf8');
      expect(onDisk === text, `${name}: ${hint}`).toBe(true);
    }
  });
});

describe('docs/commands.md', () => {
  test('documents every command and every flag of the real CLI', async () => {
    // One child process: import the CLI entry with a harmless argv (--version), then describe buildCli()
    const script = [
      "process.argv = [process.argv[0], 'intercom-elt', '--version'];",
      `const m = await import(${JSON.stringify(pathToFileURL(path.join(repoRoot, 'src/cli/main.ts')).href)});`,
      'const cli = m.buildCli();',
      'const cmds = cli.commands.map((c) => ({ name: c.name, options: c.options.map((o) => o.names), examples: c.examples.length }));',
      "process.stdout.write('\\n' + JSON.stringify(cmds) + '\\n');",
    ].join('\n');
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: repoRoot, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const commands = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as Array<{ name: string; options: string[][]; examples: number }>;
    expect(commands.map((c) => c.name)).toEqual(expect.arrayContaining(['ingest', 'check', 'list', 'state', 'init', 'dbt-sources', 'docs']));
    const doc = readFileSync(path.join(repoRoot, 'docs/commands.md'), 'utf8');
    for (const c of commands) {
      expect(doc, `docs/commands.md has no section for ${c.name}`).toContain(`## ${c.name}\n`);
      expect(c.examples, `${c.name} --help has no example`).toBeGreaterThan(0);
      const section = doc.split(`## ${c.name}\n`)[1]!.split('\n## ')[0]!;
      for (const names of c.options) {
        const flag = `--${names.at(-1)!.replace(/[A-Z]/g, (x) => `-${x.toLowerCase()}`)}`;
        const shared = ['--config', '--assets-dir', '--environment'].includes(flag) && /project flags/.test(section);
        expect(shared || new RegExp(`\`[^\`\\n]*${flag}(?![a-z-])`).test(section), `docs/commands.md, section ${c.name}, does not document ${flag}`).toBe(true);
      }
    }
  });
});
