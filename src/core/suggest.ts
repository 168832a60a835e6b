/** "Did you mean …" for unknown keys, tables, connections and enum values. */

/** Edit distance with adjacent transpositions counted as one edit (optimal string alignment). */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/** The closest candidate within a third of its length (at least 1 edit, at most 3), if any. */
export function closest(input: string, candidates: readonly string[]): string | undefined {
  const needle = input.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const dist = editDistance(needle, c.toLowerCase());
    const limit = Math.min(3, Math.max(1, Math.floor(c.length / 3)));
    if (dist <= limit && dist < bestDistance) {
      best = c;
      bestDistance = dist;
    }
  }
  return best;
}

/** `; did you mean "x"?` (from `aliases`, e.g. user -> username, or by spelling) or ` (expected one of: a, b, c)` — appended to a problem. */
export function suggestion(input: string, candidates: readonly string[], aliases: Readonly<Record<string, string>> = {}): string {
  const alias = aliases[input.toLowerCase()];
  const hit = alias !== undefined && candidates.includes(alias) ? alias : closest(input, candidates);
  if (hit !== undefined) return `; did you mean "${hit}"?`;
  return candidates.length === 0 ? '' : ` (expected one of: ${candidates.join(', ')})`;
}
