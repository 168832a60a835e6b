/** Read a YAML file into plain values; syntax errors become one-line ConfigErrors with line:col. */
import { readFile } from 'node:fs/promises';
import { LineCounter, parseDocument } from 'yaml';
import { fail } from './reader.js';

export async function readYamlFile(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw fail(file, '(file)', 'not found');
    if (code === 'EISDIR') throw fail(file, '(file)', 'is a directory, expected a YAML file');
    throw fail(file, '(file)', `cannot be read (${code ?? 'unknown error'})`);
  }
  return parseYaml(text, file);
}

export function parseYaml(text: string, file: string): unknown {
  // prettyErrors off: the pretty form quotes the offending source line, which may hold a secret.
  const lines = new LineCounter();
  const doc = parseDocument(text, { prettyErrors: false, merge: true, uniqueKeys: true, lineCounter: lines });
  const err = doc.errors[0];
  if (err) {
    const pos = lines.linePos(err.pos[0]);
    const where = `line ${pos.line}:${pos.col}`;
    const first =
      err.code === 'MULTIPLE_DOCS' ? 'only one document is allowed (remove the "---" separator)' : (err.message.split('\n')[0] ?? '').trim();
    const msg = first.length > 160 ? `${first.slice(0, 157)}...` : first;
    throw fail(file, where, `invalid YAML: ${msg}`);
  }
  try {
    return doc.toJS({ maxAliasCount: 1000 });
  } catch (e) {
    throw fail(file, '(file)', `invalid YAML: ${e instanceof Error ? e.message.split('\n')[0] : 'cannot be read'}`);
  }
}
