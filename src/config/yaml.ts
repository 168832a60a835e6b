/** Read a YAML file into plain values; syntax errors become one-line ConfigErrors with line:col. */
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { LineCounter, parseDocument } from 'yaml';
import { EltError } from '../core/errors.js';
import { fail } from './reader.js';

/** Largest config or asset file read (a YAML file of connections or one asset is a few KB). */
export const MAX_YAML_BYTES = 1024 * 1024;

/**
 * Only a regular file is read, and at most MAX_YAML_BYTES of it: a FIFO would block the read
 * forever (opened non-blocking, it is refused before anything is read), a device such as
 * /dev/zero or /dev/urandom never ends.
 */
export async function readYamlFile(file: string): Promise<unknown> {
  let text: string;
  try {
    const handle = await open(file, constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      const info = await handle.stat();
      if (info.isDirectory()) throw fail(file, '(file)', 'is a directory, expected a YAML file');
      if (!info.isFile()) throw fail(file, '(file)', `is ${fileKind(info)}, not a regular file; give the path of a YAML file`);
      if (info.size > MAX_YAML_BYTES) throw fail(file, '(file)', `is ${info.size} bytes, more than the ${MAX_YAML_BYTES} a YAML config file may have`);
      const buf = Buffer.alloc(MAX_YAML_BYTES + 1);
      const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
      if (bytesRead > MAX_YAML_BYTES) throw fail(file, '(file)', `is more than the ${MAX_YAML_BYTES} bytes a YAML config file may have`);
      text = buf.subarray(0, bytesRead).toString('utf8');
    } finally {
      await handle.close();
    }
  } catch (err) {
    if (err instanceof EltError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw fail(file, '(file)', 'not found');
    if (code === 'EISDIR') throw fail(file, '(file)', 'is a directory, expected a YAML file');
    throw fail(file, '(file)', `cannot be read (${code ?? 'unknown error'})`);
  }
  return parseYaml(text, file);
}

function fileKind(info: { isFIFO(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean; isSocket(): boolean }): string {
  if (info.isFIFO()) return 'a named pipe (FIFO)';
  if (info.isCharacterDevice()) return 'a character device';
  if (info.isBlockDevice()) return 'a block device';
  if (info.isSocket()) return 'a socket';
  return 'not a file';
}

export function parseYaml(text: string, file: string): unknown {
  // prettyErrors off: the pretty form quotes the offending source line, which may hold a secret.
  const lines = new LineCounter();
  const doc = parseDocument(text, { prettyErrors: false, merge: true, uniqueKeys: true, lineCounter: lines });
  const err = doc.errors[0];
  if (err) {
    const pos = lines.linePos(err.pos[0]);
    const where = `line ${pos.line}:${pos.col}`;
    const first = err.code === 'MULTIPLE_DOCS' ? 'only one document is allowed (remove the "---" separator)' : (err.message.split('\n')[0] ?? '').trim();
    const msg = first.length > 160 ? `${first.slice(0, 157)}...` : first;
    throw fail(file, where, `invalid YAML: ${msg}`);
  }
  try {
    return doc.toJS({ maxAliasCount: 1000 });
  } catch (e) {
    throw fail(file, '(file)', `invalid YAML: ${e instanceof Error ? e.message.split('\n')[0] : 'cannot be read'}`);
  }
}
