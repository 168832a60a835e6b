/**
 * A list page read without building its records as JS objects: one pass over the bytes finds
 * each record of the list (its byte range), the raw text of a few top-level keys of each record
 * (the ones the extraction needs: id, updated_at, nested lists), and parses the envelope (pages,
 * total_count). The records themselves can then go to a destination that parses JSON natively
 * (DuckDB's read_json) as they are: in JS, JSON.parse + re-stringifying the nested values + Arrow
 * cost ~60 µs of the main thread per 2.8 KB contact (docs/benchmarks.md, "End to end").
 *
 * Strings are skipped with `indexOf('"')` (native memchr) and an escape check, so the JS byte loop
 * only walks structure, numbers and literals. Structure is checked (balanced brackets, `:` and
 * `,` where JSON has them); the bytes of scalars are not: a destination that parses the records
 * validates them.
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;
const COLON = 0x3a;
const COMMA = 0x2c;

export class MalformedPageError extends Error {
  constructor(what: string, at: number) {
    super(`malformed JSON page: ${what} at byte ${at}`);
    this.name = 'MalformedPageError';
  }
}

export interface RawPage {
  bytes: Buffer;
  /** Byte offsets of each record of the list: record k is `bytes[starts[k], ends[k])`. */
  starts: number[];
  ends: number[];
  /** Per record, the picked top-level keys it has, parsed (small values: ids, timestamps, nested lists). */
  picked: Array<Record<string, unknown>>;
  /** The page's other top-level members, parsed (`type`, `pages`, `total_count`, …). */
  envelope: Record<string, unknown>;
  /** True when the list key was present (and held an array). */
  hasList: boolean;
}

const isSpace = (c: number | undefined): boolean => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/**
 * Scans a JSON object page `{…, "<listKey>": [ {record}, … ], …}`. Throws MalformedPageError when
 * the page is not an object, is cut short, or its structure is broken.
 */
export function scanPage(bytes: Buffer, listKey: string, pick: readonly string[]): RawPage {
  const n = bytes.length;
  const wanted = pick.map((k) => Buffer.from(JSON.stringify(k), 'utf8'));
  const listKeyBytes = Buffer.from(JSON.stringify(listKey), 'utf8');
  const out: RawPage = { bytes, starts: [], ends: [], picked: [], envelope: {}, hasList: false };

  const ws = (i: number): number => {
    while (i < n && isSpace(bytes[i])) i++;
    return i;
  };
  const expect = (i: number, c: number, what: string): void => {
    if (bytes[i] !== c) throw new MalformedPageError(`expected ${what}`, i);
  };
  /** Index after the string opening at `i`. */
  const str = (i: number): number => {
    let from = i + 1;
    for (;;) {
      const q = bytes.indexOf(QUOTE, from);
      if (q < 0) throw new MalformedPageError('unterminated string', i);
      let k = q - 1;
      while (bytes[k] === BACKSLASH) k--;
      // an even run of backslashes before the quote escapes only themselves
      if (((q - 1 - k) & 1) === 0) return q + 1;
      from = q + 1;
    }
  };
  /** Index after the value starting at `i` (a string, object, array or scalar). */
  const value = (i: number): number => {
    const c = bytes[i];
    if (c === QUOTE) return str(i);
    if (c === LBRACE || c === LBRACKET) {
      const stack: number[] = [];
      while (i < n) {
        const d = bytes[i]!;
        if (d === QUOTE) {
          i = str(i);
          continue;
        }
        if (d === LBRACE) stack.push(RBRACE);
        else if (d === LBRACKET) stack.push(RBRACKET);
        else if (d === RBRACE || d === RBRACKET) {
          if (stack.pop() !== d) throw new MalformedPageError('unbalanced brackets', i);
          if (stack.length === 0) return i + 1;
        }
        i++;
      }
      throw new MalformedPageError('unterminated value', n);
    }
    const start = i;
    while (i < n) {
      const d = bytes[i]!;
      if (d === COMMA || d === RBRACE || d === RBRACKET || isSpace(d)) break;
      i++;
    }
    if (i === start) throw new MalformedPageError('expected a value', i);
    return i;
  };
  const isKey = (a: number, b: number, key: Buffer): boolean => {
    if (b - a !== key.length) return false;
    for (let j = 0; j < key.length; j++) if (bytes[a + j] !== key[j]) return false;
    return true;
  };
  const hasBackslash = (a: number, b: number): boolean => {
    for (let j = a; j < b; j++) if (bytes[j] === BACKSLASH) return true;
    return false;
  };
  const parse = (a: number, b: number): unknown => {
    const c = bytes[a];
    // the common small values without JSON.parse: an unescaped string, an integer
    if (c === QUOTE && !hasBackslash(a, b)) return bytes.toString('utf8', a + 1, b - 1);
    if (b - a <= 15 && ((c! >= 0x30 && c! <= 0x39) || c === 0x2d)) {
      const v = Number(bytes.toString('latin1', a, b));
      if (Number.isSafeInteger(v)) return v;
    }
    try {
      return JSON.parse(bytes.toString('utf8', a, b));
    } catch {
      throw new MalformedPageError('invalid value', a);
    }
  };
  /** The members of the object opening at `i`; calls `member(keyStart, keyEnd, valueStart, valueEnd)`; returns the index after `}`. */
  const members = (i: number, member: (ka: number, kb: number, va: number) => number): number => {
    i = ws(i + 1);
    if (bytes[i] === RBRACE) return i + 1;
    for (;;) {
      expect(i, QUOTE, 'a key');
      const kb = str(i);
      const colon = ws(kb);
      expect(colon, COLON, "':'");
      const va = ws(colon + 1);
      i = ws(member(i, kb, va));
      if (bytes[i] === COMMA) {
        i = ws(i + 1);
        continue;
      }
      expect(i, RBRACE, "',' or '}'");
      return i + 1;
    }
  };
  const record = (i: number): number => {
    const picked: Record<string, unknown> = {};
    const end = members(i, (ka, kb, va) => {
      const vb = value(va);
      for (let w = 0; w < wanted.length; w++) {
        if (isKey(ka, kb, wanted[w]!)) {
          picked[pick[w]!] = parse(va, vb);
          break;
        }
      }
      return vb;
    });
    out.starts.push(i);
    out.ends.push(end);
    out.picked.push(picked);
    return end;
  };
  const list = (i: number): number => {
    out.hasList = true;
    i = ws(i + 1);
    if (bytes[i] === RBRACKET) return i + 1;
    for (;;) {
      expect(i, LBRACE, 'a record object');
      i = ws(record(i));
      if (bytes[i] === COMMA) {
        i = ws(i + 1);
        continue;
      }
      expect(i, RBRACKET, "',' or ']'");
      return i + 1;
    }
  };

  const first = ws(0);
  expect(first, LBRACE, 'a JSON object');
  const end = members(first, (ka, kb, va) => {
    if (isKey(ka, kb, listKeyBytes) && bytes[va] === LBRACKET) return list(va);
    const vb = value(va);
    out.envelope[parse(ka, kb) as string] = parse(va, vb);
    return vb;
  });
  if (ws(end) !== n) throw new MalformedPageError('trailing bytes', ws(end));
  return out;
}
