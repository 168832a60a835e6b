/**
 * The fake Snowflake's SQL layer: Snowflake SQL (the subset the destination emits) -> DuckDB.
 * It is deliberately small and literal. What it rewrites:
 * - string literals: Snowflake's backslash escapes are decoded and re-quoted for DuckDB;
 * - types: VARIANT -> JSON, TIMESTAMP_TZ -> TIMESTAMPTZ, NUMBER(38,0) -> BIGINT, FLOAT -> DOUBLE;
 * - `$1:cN` (a Parquet column of a staged file) -> cN;
 * - functions (PARSE_JSON, TRY_PARSE_JSON, TO_VARCHAR, TO_TIMESTAMP_TZ) are DuckDB macros (server.ts);
 * - statement shapes DuckDB lacks (SWAP WITH, CREATE … LIKE, stages, PUT, COPY INTO) are
 *   recognised here and executed by the server;
 * - INSERT/UPDATE/DELETE/MERGE are recognised with their target table, so the engine can lock
 *   the table and answer with Snowflake's row counts.
 * Anything else passes through: a statement DuckDB rejects fails as a Snowflake SQL error.
 */

/** One lexical piece of a statement: a string literal (decoded), a quoted identifier, or code. */
export interface Segment {
  kind: 'str' | 'ident' | 'code';
  text: string;
}

/** Split SQL into string literals (decoded the Snowflake way), quoted identifiers and code. */
export function segments(sql: string, backslashEscapes = true): Segment[] {
  const out: Segment[] = [];
  let code = '';
  let i = 0;
  const flush = (): void => {
    if (code) out.push({ kind: 'code', text: code });
    code = '';
  };
  while (i < sql.length) {
    const ch = sql[i]!;
    if (ch === "'") {
      flush();
      let value = '';
      i++;
      for (;;) {
        if (i >= sql.length) throw new SnowflakeSqlError('001003', 'SQL compilation error: unterminated string literal');
        const c = sql[i]!;
        if (c === '\\' && backslashEscapes) {
          const n = sql[i + 1] ?? '';
          value += n === 'n' ? '\n' : n === 't' ? '\t' : n === 'r' ? '\r' : n === '0' ? '\0' : n;
          i += 2;
        } else if (c === "'" && sql[i + 1] === "'") {
          value += "'";
          i += 2;
        } else if (c === "'") {
          i++;
          break;
        } else {
          value += c;
          i++;
        }
      }
      out.push({ kind: 'str', text: value });
    } else if (ch === '"') {
      flush();
      let j = i + 1;
      for (;;) {
        if (j >= sql.length) throw new SnowflakeSqlError('001003', 'SQL compilation error: unterminated identifier');
        if (sql[j] === '"' && sql[j + 1] === '"') j += 2;
        else if (sql[j] === '"') break;
        else j++;
      }
      out.push({ kind: 'ident', text: sql.slice(i, j + 1) });
      i = j + 1;
    } else {
      code += ch;
      i++;
    }
  }
  flush();
  return out;
}

const TYPE_REWRITES: Array<[RegExp, string]> = [
  [/\bNUMBER\s*\(\s*38\s*,\s*0\s*\)/gi, 'BIGINT'],
  [/\bNUMBER\b/gi, 'BIGINT'],
  [/\bTIMESTAMP_TZ\b/gi, 'TIMESTAMPTZ'],
  [/\bVARIANT\b/gi, 'JSON'],
  [/\bFLOAT\b/gi, 'DOUBLE'],
  [/\bTEMPORARY\s+TABLE\b/gi, 'TEMP TABLE'],
  [/\$1:(\w+)/g, '$1'],
  [/\binformation_schema\.columns\b/gi, 'sf_meta.columns'],
  [/\binformation_schema\.tables\b/gi, 'sf_meta.tables'],
];

/**
 * Quoted identifiers are case-sensitive in Snowflake ("Plan" and "plan" are two columns) but
 * not in DuckDB: the fake stores each upper-case ASCII letter as \u0001 + its lower case, and
 * decodes names on the way out (result columns, the information_schema views).
 */
const MARK = '\u0001';
export function encodeName(name: string): string {
  return name.replace(/[A-Z]/g, (c) => MARK + c.toLowerCase());
}
export function decodeName(name: string): string {
  return name.replace(/\u0001([a-z])/g, (_, c: string) => c.toUpperCase());
}
/** SQL expression decoding `x` (for the information_schema views). */
export function decodeSql(x: string): string {
  let out = x;
  for (let i = 0; i < 26; i++) {
    const c = String.fromCharCode(97 + i);
    out = `replace(${out}, chr(1) || '${c}', '${c.toUpperCase()}')`;
  }
  return out;
}
function encodeIdent(ident: string): string {
  return `"${encodeName(unquote(ident)).replaceAll('"', '""')}"`;
}

/** Test-side SQL (DuckDB/Postgres-portable, as the behaviour suite writes it) for the fake's database. */
export function testSqlToDuck(sql: string): string {
  return segments(sql, false)
    .map((s) => {
      if (s.kind === 'str') return `'${s.text.replaceAll("'", "''")}'`;
      if (s.kind === 'ident') return encodeIdent(s.text);
      return s.text.replace(/\binformation_schema\.(columns|tables)\b/gi, 'sf_meta.$1');
    })
    .join('');
}

/** Rewrite a statement for DuckDB (literals re-quoted, types and paths mapped, code otherwise kept). */
export function toDuck(sql: string): string {
  return segments(sql)
    .map((s) => {
      if (s.kind === 'str') return `'${s.text.replaceAll("'", "''")}'`;
      if (s.kind === 'ident') return encodeIdent(s.text);
      let t = s.text;
      for (const [re, to] of TYPE_REWRITES) t = t.replace(re, to);
      return t;
    })
    .join('');
}

/** The code of a statement with literals and identifiers blanked, for classification. */
export function shape(sql: string): string {
  return segments(sql)
    .map((s) => (s.kind === 'code' ? s.text : s.kind === 'str' ? "''" : '""'))
    .join('')
    .replace(/\s+/g, ' ')
    .trim()
    .toUpperCase();
}

/** A failed statement, as Snowflake reports it (code, message, SQL state). */
export class SnowflakeSqlError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly sqlState = '42000',
  ) {
    super(message);
  }
}

const IDENT = String.raw`"(?:[^"]|"")*"`;
const QNAME = String.raw`${IDENT}\.${IDENT}`;

export type Parsed =
  | { kind: 'begin' | 'commit' | 'rollback' | 'noop' }
  | { kind: 'set-timezone'; zone: string }
  | { kind: 'create-stage'; name: string }
  | { kind: 'put'; file: string; stage: string; autoCompress: boolean; overwrite: boolean }
  | { kind: 'copy'; target: string; columns: string; select: string; stage: string; file: string; purge: boolean }
  | { kind: 'swap'; a: [string, string]; b: [string, string] }
  | { kind: 'create-like'; target: string; source: string; ifNotExists: boolean }
  | { kind: 'create-temp-table'; name: string; sql: string }
  | { kind: 'ddl'; sql: string }
  | { kind: 'write'; verb: WriteVerb; table: string; sql: string }
  | { kind: 'dml'; sql: string };

export type WriteVerb = 'INSERT' | 'UPDATE' | 'DELETE' | 'MERGE';

/** Recognise a statement (the exact shapes the destination emits; anything else is plain SQL). */
export function parse(sqlText: string): Parsed {
  const sql = sqlText.trim().replace(/;\s*$/, '');
  const s = shape(sql);
  if (/^(BEGIN|START TRANSACTION)( TRANSACTION| WORK)?$/.test(s)) return { kind: 'begin' };
  if (/^COMMIT( WORK)?$/.test(s)) return { kind: 'commit' };
  if (/^ROLLBACK( WORK)?$/.test(s)) return { kind: 'rollback' };
  if (s.startsWith('ALTER SESSION SET TIMEZONE')) {
    const zone = segments(sql).find((x) => x.kind === 'str')?.text ?? 'UTC';
    return { kind: 'set-timezone', zone };
  }
  if (s.startsWith('ALTER SESSION ')) return { kind: 'noop' };
  let m = new RegExp(String.raw`^CREATE TEMPORARY STAGE (?:IF NOT EXISTS )?(${QNAME})$`, 'i').exec(sql);
  if (m) return { kind: 'create-stage', name: m[1]! };
  m = new RegExp(String.raw`^PUT '([^']+)' @(${QNAME})(.*)$`, 'is').exec(sql);
  if (m) {
    if (!m[1]!.startsWith('file://')) throw new SnowflakeSqlError('001003', 'SQL compilation error: PUT source must be a file:// URI');
    const opts = m[3]!.toUpperCase();
    return {
      kind: 'put',
      file: m[1]!.slice('file://'.length),
      stage: m[2]!,
      autoCompress: !/AUTO_COMPRESS\s*=\s*FALSE/.test(opts),
      overwrite: /OVERWRITE\s*=\s*TRUE/.test(opts),
    };
  }
  m = new RegExp(
    String.raw`^COPY INTO (${QNAME}) \((.*?)\) FROM \(SELECT (.*) FROM @(${QNAME})\) FILES = \('([^']+)'\) FILE_FORMAT = \(TYPE = PARQUET\)(?: PURGE = (TRUE|FALSE))?$`,
    'is',
  ).exec(sql);
  if (m) return { kind: 'copy', target: m[1]!, columns: m[2]!, select: m[3]!, stage: m[4]!, file: m[5]!, purge: m[6]?.toUpperCase() === 'TRUE' };
  if (s.startsWith('COPY ')) throw new SnowflakeSqlError('001003', `SQL compilation error: the fake Snowflake does not understand this COPY: ${sql}`);
  m = new RegExp(String.raw`^ALTER TABLE (${IDENT})\.(${IDENT}) SWAP WITH (${IDENT})\.(${IDENT})$`, 'i').exec(sql);
  if (m) return { kind: 'swap', a: [m[1]!, m[2]!], b: [m[3]!, m[4]!] };
  m = new RegExp(String.raw`^CREATE TABLE (IF NOT EXISTS )?(${QNAME}) LIKE (${QNAME})$`, 'i').exec(sql);
  if (m) return { kind: 'create-like', ifNotExists: Boolean(m[1]), target: m[2]!, source: m[3]! };
  m = new RegExp(String.raw`^CREATE TEMPORARY TABLE (${QNAME}) `, 'i').exec(sql);
  if (m) return { kind: 'create-temp-table', name: m[1]!, sql };
  if (/^(CREATE|ALTER|DROP) /.test(s)) return { kind: 'ddl', sql };
  m = new RegExp(String.raw`^(INSERT INTO|UPDATE|DELETE FROM|MERGE INTO) (${QNAME}|${IDENT})[\s(]`, 'i').exec(sql);
  if (m) return { kind: 'write', verb: m[1]!.split(' ')[0]!.toUpperCase() as WriteVerb, table: m[2]!, sql };
  return { kind: 'dml', sql };
}

/** The unquoted name of a quoted identifier. */
export function unquote(ident: string): string {
  return ident.slice(1, -1).replaceAll('""', '"');
}
