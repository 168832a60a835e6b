/** What the operational commands share: loading the project from the common flags, time and table formatting. */
import path from 'node:path';
import { findConfigFile, loadProject, noProjectError, type Project } from '../config/index.js';
import { tableCatalog } from '../intercom/tables/index.js';
import type { AssetState } from '../destinations/types.js';
import type { OptionDefinition } from './command.js';

/** The project flags every command accepts (same names as `ingest`). */
export interface ProjectFlags {
  config?: string;
  assetsDir?: string;
  environment?: string;
}

/** The project flags, spelled as `ingest` spells them. */
export function projectOptions(configOptional = false): OptionDefinition[] {
  const found = 'connections.yml or .bruin.yml here or in the nearest parent folder';
  return [
    ['-c, --config <file>', `connections.yml to read (default: ${found}${configOptional ? ', when there is one' : ''})`],
    ['--assets-dir <dir>', 'Folder of *.asset.yml files (default: assets/ beside the config)'],
    ['-e, --environment <name>', 'Environment of connections.yml to use'],
  ];
}

/**
 * `-c` as given, else connections.yml (or Bruin's .bruin.yml) in this folder or the nearest parent
 * that has one; undefined outside any project.
 */
export function configPath(f: ProjectFlags, cwd = process.cwd()): string | undefined {
  return f.config !== undefined ? path.resolve(cwd, f.config) : findConfigFile(cwd);
}

/**
 * connections.yml + assets/ exactly as `ingest` reads them (assets/ beside the config unless
 * --assets-dir). Outside any project: the one-line error naming what to do.
 */
export async function projectFromFlags(f: ProjectFlags, cwd = process.cwd(), orSourceUri = false): Promise<Project> {
  const configFile = configPath(f, cwd);
  if (configFile === undefined) throw noProjectError(orSourceUri);
  return loadProject({
    configFile,
    assetsDir: path.resolve(cwd, f.assetsDir ?? path.join(path.dirname(configFile), 'assets')),
    environment: f.environment,
    env: process.env,
    catalog: tableCatalog,
  });
}

/** `--json` of check, list and state show. */
export interface JsonFlag {
  /** Print one JSON document on stdout instead of the text report. */
  json?: boolean;
}

/** A command's result as its one JSON document: bigints as numbers (text beyond 2^53), driver value objects as their text. */
export function jsonDocument(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      const proto = Object.getPrototypeOf(v) as unknown;
      if (proto !== Object.prototype && proto !== null) return cellText(v);
    }
    return v;
  });
}

/** Unix seconds → `2024-05-01T12:00:00Z`. */
export function isoSeconds(ts: number): string {
  return new Date(ts * 1000).toISOString().replace('.000Z', 'Z');
}

/** A cursor as users read it: ISO time (UTC), or '-' when there is none. */
export function cursorText(state: AssetState | undefined): string {
  return typeof state?.cursor === 'number' && Number.isFinite(state.cursor) ? isoSeconds(state.cursor) : '-';
}

/** A value read back from `_elt_loads` (Date, ISO text, driver timestamp objects, numbers) as display text. */
export function cellText(v: unknown): string {
  if (v === null || v === undefined) return '-';
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? '-' : v.toISOString().replace('.000Z', 'Z');
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'object') {
    const s = String(v);
    return s === '[object Object]' ? JSON.stringify(v) : s;
  }
  return String(v);
}

/** Aligned columns with a dashed rule under the header. */
export function formatTable(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)];
}
