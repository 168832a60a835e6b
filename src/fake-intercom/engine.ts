/**
 * Executes searches and cursor lists over an overlay table with keyset pagination.
 *
 * Order: record index (creation order) by default — it never changes when a record is
 * updated, so a client paging with a frozen upper bound never skips a record that stays in
 * its window. With a 2.16 contacts `sort`, order is (field value, index). The cursor is an
 * opaque base64 JSON array [sortValue, lastIndex, nextPage] (shape as notes §1.5).
 *
 * Speed at scale: base records' updated_at grows with the index (data/timeline.ts), so the
 * top-level time intervals of a query become an index range by binary search; only that range
 * plus the overlay is evaluated, and timestamps are read without materialising records. The
 * resulting match list is cached per (query, table version, clock) so each page is a slice.
 */
import { decodeCursor, encodeCursor } from './pagination.js';
import type { Compiled, Get } from './search.js';
import type { Model, Table } from './table.js';
import { HttpError } from './types.js';

export interface Target<M extends Model> {
  name: string;
  table: Table<M>;
  /** Field accessor for live record i (lazy: materialise only when a field needs it). */
  resolver(i: number): Get;
  /** Base index range that can contain records whose `field` lies in [lo, hi), if known. */
  baseRange(field: string, lo: number, hi: number): [number, number] | null;
  /** Extra visibility rule (e.g. contacts' search-index lag). */
  visible?(i: number): boolean;
  /** Extra cache key component (e.g. the clock, when visibility depends on it). */
  epoch?(): number;
}

export interface Sort {
  field: string;
  dir: 1 | -1;
}

interface Matches {
  idx: Int32Array;
  vals: (number | string | null)[] | null;
}

interface CacheEntry {
  key: string;
  version: number;
  epoch: number;
  m: Matches;
}

const caches = new WeakMap<object, CacheEntry[]>();
const CACHE_SIZE = 8;

function cmp(a: number | string | null, b: number | string | null): number {
  if (a === b) return 0;
  if (a === null) return 1; // nulls last
  if (b === null) return -1;
  return a < b ? -1 : 1;
}

function collect<M extends Model>(t: Target<M>, q: Compiled | null, sort: Sort | null): Matches {
  let lo = 0;
  let hi = t.table.baseCount;
  if (q) {
    for (const [field, [a, b]] of q.intervals) {
      const r = t.baseRange(field, a, b);
      if (r) {
        lo = Math.max(lo, r[0]);
        hi = Math.min(hi, r[1]);
      }
    }
  }
  const out: number[] = [];
  const vals: (number | string | null)[] | null = sort ? [] : null;
  const iter = q ? t.table.candidates(lo, Math.max(lo, hi)) : t.table.indexesFrom(0);
  for (const i of iter) {
    if (t.visible && !t.visible(i)) continue;
    const get = q || sort ? t.resolver(i) : null;
    if (q && !q.pred(get as Get)) continue;
    out.push(i);
    if (vals && sort) {
      const v = (get as Get)(sort.field);
      vals.push(typeof v === 'number' || typeof v === 'string' ? v : null);
    }
  }
  if (!sort || !vals) return { idx: Int32Array.from(out), vals: null };
  const order = out.map((_, k) => k);
  order.sort((x, y) => sort.dir * cmp(vals[x] as never, vals[y] as never) || (out[x] as number) - (out[y] as number));
  return { idx: Int32Array.from(order.map((k) => out[k] as number)), vals: order.map((k) => vals[k] as number | string | null) };
}

function matches<M extends Model>(t: Target<M>, key: string, q: Compiled | null, sort: Sort | null): Matches {
  const epoch = t.epoch?.() ?? 0;
  let cache = caches.get(t.table);
  if (!cache) caches.set(t.table, (cache = []));
  const hit = cache.find((c) => c.key === key && c.version === t.table.version && c.epoch === epoch);
  if (hit) return hit.m;
  const m = collect(t, q, sort);
  cache.unshift({ key, version: t.table.version, epoch, m });
  if (cache.length > CACHE_SIZE) cache.pop();
  return m;
}

export interface Page {
  indexes: number[];
  total: number;
  page: number;
  next: string | null;
}

/** One page of a search/list. `key` must identify the query (and the target). */
export function searchPage<M extends Model>(t: Target<M>, key: string, q: Compiled | null, sort: Sort | null, pp: number, cursor: string | undefined): Page {
  const m = matches(t, `${t.name}|${key}|${sort ? sort.field + sort.dir : ''}`, q, sort);
  let start = 0;
  let page = 1;
  if (cursor) {
    const [cv, ci, cp] = decodeCursor(cursor, 3) as [number | string | null, number, number];
    page = Number(cp) || 1;
    if (!Number.isInteger(ci)) throw new HttpError(400, 'parameter_invalid', 'starting_after is invalid');
    // First position strictly after (cv, ci) in the list's order (binary search).
    let a = 0;
    let b = m.idx.length;
    while (a < b) {
      const mid = (a + b) >>> 1;
      const c = m.vals && sort ? sort.dir * cmp(m.vals[mid] as never, cv as never) || (m.idx[mid] as number) - ci : (m.idx[mid] as number) - ci;
      if (c <= 0) a = mid + 1;
      else b = mid;
    }
    start = a;
  }
  const end = Math.min(m.idx.length, start + pp);
  const indexes = Array.from(m.idx.subarray(start, end));
  let next: string | null = null;
  if (end < m.idx.length && indexes.length > 0) {
    const last = end - 1;
    next = encodeCursor([m.vals ? ((m.vals[last] ?? null) as never) : 0, m.idx[last] as number, page + 1]);
  }
  return { indexes, total: m.idx.length, page, next };
}
