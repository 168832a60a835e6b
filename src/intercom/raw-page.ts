/**
 * A list page read without building its records as JS objects: one pass over the bytes finds
 * each record of the list (its byte range), the values of a few top-level keys of each record
 * (the ones the extraction needs: id, updated_at, nested lists) and the envelope (pages,
 * total_count), parsed as JSON.parse would. The records themselves can then go to a destination
 * that parses JSON natively (DuckDB's read_json) as they are: in JS, JSON.parse + re-stringifying
 * the nested values + Arrow cost ~60 µs of the main thread per 2.8 KB contact
 * (docs/benchmarks.md, "End to end").
 *
 * What is checked: the whole structure (objects, arrays, `:` and `,`, nothing after the page),
 * every number and literal, keys and picked values exactly as JSON.parse reads them (escaped
 * keys; repeated keys: the last wins), and the envelope (parsed). What is not: the characters
 * inside strings that are neither keys nor picked (skipped with `indexOf('"')`, i.e. memchr, and
 * an escape check, so the JS byte loop only walks structure); a raw control character there is
 * left to the destination's parser. Checking the nested values costs ~1.5 µs a contact against
 * only balancing their brackets (measured 2026-12-04). A cut-short page always fails
 * (tests/intercom/raw-page.test.ts cuts one at every byte).
 */
import { UnexpectedResponseError } from '../core/errors.js';

/** Bytes that are not the page they should be: retryable, like a truncated body. */
const malformedAt = (what: string, at: number) => new UnexpectedResponseError(what, { at, retryable: true });

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;
const COLON = 0x3a;
const COMMA = 0x2c;
const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;

export interface RawPage {
  bytes: Buffer;
  /** Byte offsets of each record of the list: record k is `bytes[starts[k], ends[k])`. */
  starts: number[];
  ends: number[];
  /** Per record, the picked top-level keys it has, parsed (small values: ids, timestamps, nested lists). */
  picked: Array<Record<string, unknown>>;
  /** The page's other top-level members, parsed (`type`, `pages`, `total_count`, …). */
  envelope: Record<string, unknown>;
  /** True when the list key was present and held an array. */
  hasList: boolean;
}

/** Deeper nesting than this is refused rather than risking the stack. */
const MAX_DEPTH = 256;

const isSpace = (c: number | undefined): boolean => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
const isDigit = (c: number | undefined): boolean => c !== undefined && c >= ZERO && c <= NINE;

/** Sets `key` as an own property even when it is `__proto__` (JSON.parse does the same). */
function put(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * Scans a JSON object page `{…, "<listKey>": [ {record}, … ], …}`. Throws a malformed UnexpectedResponseError
 * (retryable, like a truncated body) when the page is not an object, is cut short or is not JSON.
 */
export function scanPage(bytes: Buffer, listKey: string, pick: readonly string[]): RawPage {
  const n = bytes.length;
  const keyOf = (name: string) => ({ name, bytes: Buffer.from(JSON.stringify(name), 'utf8') });
  const list = [keyOf(listKey)];
  const wanted = pick.map(keyOf);
  const out: RawPage = { bytes, starts: [], ends: [], picked: [], envelope: {}, hasList: false };

  const ws = (i: number): number => {
    while (i < n && isSpace(bytes[i])) i++;
    return i;
  };
  const expect = (i: number, c: number, what: string): void => {
    if (bytes[i] !== c) throw malformedAt(`expected ${what}`, i);
  };
  /** Index after the string opening at `i`. */
  const str = (i: number): number => {
    let from = i + 1;
    for (;;) {
      const q = bytes.indexOf(QUOTE, from);
      if (q < 0) throw malformedAt('unterminated string', i);
      let k = q - 1;
      while (bytes[k] === BACKSLASH) k--;
      // an even run of backslashes before the quote escapes only themselves
      if (((q - 1 - k) & 1) === 0) return q + 1;
      from = q + 1;
    }
  };
  /** A JSON number token `[a, b)`: -?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?; `integer` without fraction or exponent. */
  const isNumber = (a: number, b: number, integer: boolean): boolean => {
    let j = a;
    if (bytes[j] === MINUS) j++;
    if (bytes[j] === ZERO) j++;
    else if (isDigit(bytes[j])) while (j < b && isDigit(bytes[j])) j++;
    else return false;
    if (j === b) return true;
    if (integer) return false;
    if (bytes[j] === DOT) {
      const s = ++j;
      while (j < b && isDigit(bytes[j])) j++;
      if (j === s) return false;
    }
    if (bytes[j] === 0x65 || bytes[j] === 0x45) {
      j++;
      if (bytes[j] === PLUS || bytes[j] === MINUS) j++;
      const s = j;
      while (j < b && isDigit(bytes[j])) j++;
      if (j === s) return false;
    }
    return j === b;
  };
  /** Whether `[i, j)` is the literal `word` (true, false, null). */
  const isWord = (i: number, j: number, word: string): boolean => {
    if (j - i !== word.length) return false;
    for (let k = 0; k < word.length; k++) if (bytes[i + k] !== word.charCodeAt(k)) return false;
    return true;
  };
  /** Index after the number or literal starting at `i`. */
  const scalar = (i: number): number => {
    let j = i;
    while (j < n) {
      const d = bytes[j]!;
      if (d === COMMA || d === RBRACE || d === RBRACKET || isSpace(d)) break;
      j++;
    }
    if (isNumber(i, j, false) || isWord(i, j, 'null') || isWord(i, j, 'true') || isWord(i, j, 'false')) return j;
    throw malformedAt(i === j ? 'expected a value' : 'invalid value', i);
  };
  /** The members of the object opening at `i`; `member(keyStart, keyEnd, valueStart)` returns the index after the value. */
  const object = (i: number, member: (ka: number, kb: number, va: number) => number): number => {
    i = ws(i + 1);
    if (bytes[i] === RBRACE) return i + 1;
    for (;;) {
      expect(i, QUOTE, 'a key');
      const kb = str(i);
      const colon = ws(kb);
      expect(colon, COLON, "':'");
      i = ws(member(i, kb, ws(colon + 1)));
      if (bytes[i] === COMMA) {
        i = ws(i + 1);
        continue;
      }
      expect(i, RBRACE, "',' or '}'");
      return i + 1;
    }
  };
  /** Index after the value starting at `i`, checked as JSON (nested values without a callback per level). */
  const value = (i: number, depth: number): number => {
    const c = bytes[i];
    if (c === QUOTE) return str(i);
    if (c !== LBRACE && c !== LBRACKET) return scalar(i);
    if (depth >= MAX_DEPTH) throw malformedAt('nesting too deep', i);
    const close = c === LBRACE ? RBRACE : RBRACKET;
    i = ws(i + 1);
    if (bytes[i] === close) return i + 1;
    for (;;) {
      if (c === LBRACE) {
        expect(i, QUOTE, 'a key');
        i = ws(str(i));
        expect(i, COLON, "':'");
        i = ws(i + 1);
      }
      i = ws(value(i, depth + 1));
      if (bytes[i] === COMMA) {
        i = ws(i + 1);
        continue;
      }
      expect(i, close, c === LBRACE ? "',' or '}'" : "',' or ']'");
      return i + 1;
    }
  };

  const plainText = (a: number, b: number): boolean => {
    for (let j = a; j < b; j++) if (bytes[j] === BACKSLASH || bytes[j]! < 0x20) return false;
    return true;
  };
  /** The value `[a, b)` as JSON.parse reads it (small values: keys, picks, the envelope). */
  const parse = (a: number, b: number): unknown => {
    const c = bytes[a];
    // the common small values without JSON.parse: a string with no escape, an integer
    if (c === QUOTE && plainText(a + 1, b - 1)) return bytes.toString('utf8', a + 1, b - 1);
    if (b - a <= 15 && isNumber(a, b, true)) return Number(bytes.toString('latin1', a, b));
    try {
      return JSON.parse(bytes.toString('utf8', a, b));
    } catch {
      throw malformedAt('invalid value', a);
    }
  };
  /** Whether the key `[ka, kb)` (quotes included) is written exactly as `text`. */
  const sameBytes = (ka: number, kb: number, text: Buffer): boolean => {
    if (kb - ka !== text.length) return false;
    for (let k = 1; k < text.length - 1; k++) if (bytes[ka + k] !== text[k]) return false;
    return true;
  };
  /** The name of the key `[ka, kb)` when it is written with escapes (`"d\u0061ta"`), else undefined. */
  const escapedKey = (ka: number, kb: number): string | undefined => {
    for (let j = ka + 1; j < kb - 1; j++) if (bytes[j] === BACKSLASH) return parse(ka, kb) as string;
    return undefined;
  };
  /** Which of `keys` the key `[ka, kb)` reads as, written plainly or with escapes; undefined for none. */
  const whichKey = (ka: number, kb: number, keys: ReadonlyArray<{ name: string; bytes: Buffer }>): string | undefined => {
    for (let k = 0; k < keys.length; k++) if (sameBytes(ka, kb, keys[k]!.bytes)) return keys[k]!.name;
    const escaped = escapedKey(ka, kb);
    return escaped !== undefined && keys.some((k) => k.name === escaped) ? escaped : undefined;
  };

  const record = (i: number): number => {
    const picked: Record<string, unknown> = {};
    const end = object(i, (ka, kb, va) => {
      const vb = value(va, 1);
      const name = whichKey(ka, kb, wanted);
      if (name !== undefined) put(picked, name, parse(va, vb));
      return vb;
    });
    out.starts.push(i);
    out.ends.push(end);
    out.picked.push(picked);
    return end;
  };

  const first = ws(0);
  expect(first, LBRACE, 'a JSON object');
  const end = object(first, (ka, kb, va) => {
    if (whichKey(ka, kb, list) !== undefined) {
      // a repeated key replaces the earlier one, as in JSON.parse
      out.starts = [];
      out.ends = [];
      out.picked = [];
      delete out.envelope[listKey];
      out.hasList = bytes[va] === LBRACKET;
      if (out.hasList) {
        let at = ws(va + 1);
        if (bytes[at] === RBRACKET) return at + 1;
        for (;;) {
          expect(at, LBRACE, 'a record object');
          at = ws(record(at));
          if (bytes[at] === COMMA) {
            at = ws(at + 1);
            continue;
          }
          expect(at, RBRACKET, "',' or ']'");
          return at + 1;
        }
      }
    }
    const vb = value(va, 1);
    put(out.envelope, parse(ka, kb) as string, parse(va, vb));
    return vb;
  });
  if (ws(end) !== n) throw malformedAt('trailing bytes', ws(end));
  return out;
}
