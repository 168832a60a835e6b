/**
 * Copy-on-write edits at paths inside JSON values (`custom_attributes.ssn`, `location.city`,
 * `source.author.email`). Rows and their nested objects are never mutated in place: an extractor
 * may share one object between a parent row and its child rows.
 */

/** A JSON object (not an array, not null). */
function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const own = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);

/**
 * Applies `op` to every key that `segs` reaches inside `value`, returning a new value only when
 * something changed. Lists are walked element by element (`tags.tags.name` reaches every tag's
 * name). A key may itself contain dots (custom attribute names are free text), so every split of
 * the remaining segments is tried: `custom_attributes.plan.tier` reaches `{"plan.tier": …}` and
 * `{"plan": {"tier": …}}`.
 */
export function editAt(value: unknown, segs: readonly string[], op: (obj: Record<string, unknown>, key: string) => void): unknown {
  if (segs.length === 0) return value;
  if (Array.isArray(value)) {
    let changed = false;
    const out = value.map((v) => {
      const n = editAt(v, segs, op);
      if (n !== v) changed = true;
      return n;
    });
    return changed ? out : value;
  }
  if (!isObject(value)) return value;
  let copy: Record<string, unknown> | undefined;
  for (let k = 1; k <= segs.length; k++) {
    const key = segs.slice(0, k).join('.');
    if (!own(value, key)) continue;
    const rest = segs.slice(k);
    copy ??= { ...value };
    if (rest.length === 0) op(copy, key);
    else copy[key] = editAt(copy[key], rest, op);
  }
  return copy ?? value;
}

/** Removes the keys `segs` reaches. */
export function removeAt(value: unknown, segs: readonly string[]): unknown {
  return editAt(value, segs, (o, k) => {
    delete o[k];
  });
}

/** Replaces the values `segs` reaches with `fn(value)`. */
export function mapAt(value: unknown, segs: readonly string[], fn: (v: unknown) => unknown): unknown {
  return editAt(value, segs, (o, k) => {
    o[k] = fn(o[k]);
  });
}

/**
 * Keeps only the given sub-paths of a JSON value (`select_columns: [custom_attributes.plan]`
 * keeps `custom_attributes` with just its `plan` key). Lists are projected element by element;
 * a scalar where an object was expected is dropped (it holds none of the selected keys).
 */
export function project(value: unknown, paths: readonly (readonly string[])[]): unknown {
  if (Array.isArray(value)) return value.map((v) => project(v, paths));
  if (!isObject(value)) return null;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const ks = key.split('.');
    const under: string[][] = [];
    let whole = false;
    for (const p of paths) {
      if (p.length < ks.length || !ks.every((s, i) => p[i] === s)) continue;
      if (p.length === ks.length) whole = true;
      else under.push(p.slice(ks.length));
    }
    if (whole) out[key] = value[key];
    else if (under.length > 0) out[key] = project(value[key], under);
  }
  return out;
}
