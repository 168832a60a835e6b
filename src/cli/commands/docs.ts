/** `intercom-elt docs` (maintainers): regenerate the table reference pages (docs/tables) from the table declarations. */
import path from 'node:path';
import { DEFAULT_DOCS_DIR, writeTableDocs } from '../../docs-gen/tables.js';
import type { CommandDefinition } from '../command.js';

export const command: CommandDefinition = {
  name: 'docs',
  description: '(maintainers) Regenerate the table reference pages (docs/tables) from the table declarations',
  options: [['--out <dir>', 'Folder to write (default: docs/tables of this package)']],
  examples: ['intercom-elt docs --out docs/tables'],
  action: async ({ output }, flags: { out?: string }) => {
    const dir = flags.out ? path.resolve(flags.out) : DEFAULT_DOCS_DIR;
    const { written, removed } = await writeTableDocs(dir);
    output.out(`${dir}: ${written.length} page(s) updated${removed.length ? `, ${removed.length} removed` : ''}`);
  },
};
