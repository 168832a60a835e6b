/**
 * Typed access to parsed YAML mappings with one-line ConfigErrors. String readers never echo the
 * value (it may be a secret, DESIGN.md invariant 7); only enum and number readers show what they got.
 */
import { ConfigError } from '../core/errors.js';
import { suggestion } from '../core/suggest.js';

/** The YAML kind of a value, as a user would call it. */
export function kind(v: unknown): string {
  if (v === null || v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'number') return Number.isInteger(v) ? 'an integer' : 'a number';
  if (typeof v === 'boolean') return 'a boolean';
  return 'a string';
}

/** A value quoted for an error message: one line, bounded length. */
export function show(v: unknown): string {
  const s = typeof v === 'string' ? v : String(v);
  const clipped = s.length > 80 ? `${s.slice(0, 77)}...` : s;
  return JSON.stringify(clipped);
}

export function isMapping(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `a.b`, `a[0]`; the root has no prefix. */
export function join(base: string, key: string | number): string {
  if (typeof key === 'number') return `${base}[${key}]`;
  return base === '' ? key : `${base}.${key}`;
}

export function fail(file: string, field: string, problem: string): ConfigError {
  // ConfigError messages are one line: a value that slipped through with a newline is flattened.
  return new ConfigError(file, field === '' ? '(top level)' : field, problem.replace(/[\r\n]+/g, ' '));
}

/** Names people bring from other tools (ingestr URIs, dbt profiles, libpq) for our keys. */
export const KEY_ALIASES: Readonly<Record<string, string>> = {
  user: 'username',
  pass: 'password',
  db: 'database',
  dbname: 'database',
  sslmode: 'ssl_mode',
  token: 'access_token',
  api_key: 'access_token',
  apikey: 'access_token',
  accesstoken: 'access_token',
  version: 'api_version',
  intercom_version: 'api_version',
  baseurl: 'base_url',
  url: 'base_url',
  key_path: 'private_key_path',
  private_key_file: 'private_key_path',
  strategy: 'incremental_strategy',
  primary_keys: 'primary_key',
  pk: 'primary_key',
  table: 'source_table',
};

/** A YAML mapping at `path` in `file`, read field by field. */
export class MapReader {
  private constructor(
    readonly file: string,
    readonly path: string,
    readonly obj: Record<string, unknown>,
  ) {}

  /** `value` must be a mapping; `what` describes it in the error ("an asset", "a connection"). */
  static of(value: unknown, file: string, path: string, what: string): MapReader {
    if (!isMapping(value)) throw fail(file, path, `must be ${what} (a mapping of keys), got ${kind(value)}`);
    return new MapReader(file, path, value);
  }

  /** Reject keys outside `allowed`, suggesting the closest allowed key. */
  allow(allowed: readonly string[], aliases: Readonly<Record<string, string>> = KEY_ALIASES): this {
    for (const key of Object.keys(this.obj)) {
      if (!allowed.includes(key)) throw fail(this.file, this.field(key), `unknown key${suggestion(key, allowed, aliases)}`);
    }
    return this;
  }

  field(key: string | number): string {
    return join(this.path, key);
  }

  /** The value, with YAML's null (`key:` with nothing after it) read as absent. */
  get(key: string): unknown {
    const v = this.obj[key];
    return v === null ? undefined : v;
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  error(key: string, problem: string): ConfigError {
    return fail(this.file, this.field(key), problem);
  }

  /** Never echoes the value, so secrets are safe here; numbers get a quoting hint (YAML reads 0123 as 123). */
  string(key: string): string | undefined {
    const v = this.get(key);
    if (v === undefined) return undefined;
    if (typeof v !== 'string') {
      const hint = typeof v === 'number' || typeof v === 'boolean' ? ` (quote it: ${key}: "…")` : '';
      throw this.error(key, `must be a string, got ${kind(v)}${hint}`);
    }
    return v;
  }

  /** A required string; empty or whitespace-only is an error. */
  requireString(key: string): string {
    const v = this.string(key);
    if (v === undefined) throw this.error(key, 'is required');
    if (v.trim() === '') throw this.error(key, 'must not be empty');
    return v;
  }

  /** An optional string; empty means absent (e.g. `${PG_PASSWORD:-}`). */
  optionalString(key: string): string | undefined {
    const v = this.string(key);
    return v === undefined || v.trim() === '' ? undefined : v;
  }

  /** A number, or a string holding one (values from ${VAR} are strings). */
  number(key: string, range: { min?: number; max?: number; integer?: boolean }): number | undefined {
    const v = this.get(key);
    if (v === undefined) return undefined;
    let n: number;
    if (typeof v === 'number') n = v;
    else if (typeof v === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(v)) n = Number(v);
    else throw this.error(key, `must be ${range.integer ? 'an integer' : 'a number'}, got ${kind(v)}${typeof v === 'string' ? ` ${show(v)}` : ''}`);
    // YAML's .nan / .inf are numbers that pass every range test below (NaN < min is false)
    if (!Number.isFinite(n)) throw this.error(key, `must be a finite number, got ${n}`);
    if (range.integer && !Number.isInteger(n)) throw this.error(key, `must be an integer, got ${n}`);
    if ((range.min !== undefined && n < range.min) || (range.max !== undefined && n > range.max)) {
      throw this.error(key, `must be between ${range.min ?? '-∞'} and ${range.max ?? '∞'}, got ${n}`);
    }
    return n;
  }

  boolean(key: string): boolean | undefined {
    const v = this.get(key);
    if (v === undefined) return undefined;
    if (typeof v !== 'boolean') throw this.error(key, `must be true or false, got ${kind(v)}${typeof v === 'string' ? ` ${show(v)}` : ''}`);
    return v;
  }

  list(key: string): unknown[] | undefined {
    const v = this.get(key);
    if (v === undefined) return undefined;
    if (!Array.isArray(v)) throw this.error(key, `must be a list, got ${kind(v)}`);
    return v;
  }

  /** One of `choices` (case-insensitive). The value is echoed: an enum field never holds a secret. */
  choice<T extends string>(key: string, choices: readonly T[]): T | undefined {
    const v = this.string(key);
    if (v === undefined) return undefined;
    const hit = choices.find((c) => c === v.trim().toLowerCase());
    if (hit === undefined) throw this.error(key, `unknown value ${show(v)}${suggestion(v, choices)}`);
    return hit;
  }

  mapping(key: string, what: string): MapReader | undefined {
    const v = this.get(key);
    if (v === undefined) return undefined;
    return MapReader.of(v, this.file, this.field(key), what);
  }
}
