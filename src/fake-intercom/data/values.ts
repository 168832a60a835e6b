/** Values of custom attributes, by data type. */
import { int, pick, type Rng } from '../prng.js';
import { WORDS, type AttrDef } from './names.js';

const wordNumbers = new Map<string, string[]>();

/** `<word>-<n>` (n in 1..999), each string made once: 16 × 999 at most, shared by every record. */
function wordNumber(word: string, n: number): string {
  let byN = wordNumbers.get(word);
  if (!byN) wordNumbers.set(word, (byN = []));
  return (byN[n] ??= `${word}-${n}`);
}

/** A value for a custom attribute; ~10% null (attributes are often unset). Dates are unix seconds. */
export function attrValue(r: Rng, d: AttrDef, around: number): string | number | boolean | null {
  if (r() < 0.1) return null;
  switch (d.data_type) {
    case 'string':
      return d.options ? pick(r, d.options) : wordNumber(pick(r, WORDS), int(r, 1, 999));
    case 'integer':
      return int(r, 0, 5000);
    case 'float':
      return Math.round(r() * 100000) / 100;
    case 'boolean':
      return r() < 0.5;
    case 'date':
      return around - int(r, -90, 365) * 86400;
  }
}

export function customAttributes(r: Rng, defs: AttrDef[], around: number): Record<string, string | number | boolean | null> {
  const out: Record<string, string | number | boolean | null> = {};
  for (const d of defs) out[d.name] = attrValue(r, d, around);
  return out;
}
