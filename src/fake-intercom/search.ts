/**
 * The Search API query language (notes §2.2): a single filter `{field, operator, value}` or a
 * group `{operator: AND|OR, value: [...]}`; "max 2 nested filters" and "max 15 filters for
 * each AND or OR group" (2.14:L5770-5771, L7387-7388, L14032-14033); operators
 * = != IN NIN < <= > >= ~ !~ ^ $ (2.14:L21577-21591). Each field has a type (SearchSchema.typeOf)
 * and each operator × type either evaluates or is a 400 error.list — a query the fake cannot
 * evaluate never answers an empty 200 (exact code NOT CONFIRMED upstream; `bad_request` per
 * notes §6.6).
 */
import { dayStart, nextDayStart } from './tz.js';
import { HttpError } from './types.js';

export const OPERATORS = ['=', '!=', 'IN', 'NIN', '<', '<=', '>', '>=', '~', '!~', '^', '$'] as const;
export type Op = (typeof OPERATORS)[number];

export type Get = (path: string) => unknown;
export type Pred = (get: Get) => boolean;

/** A searchable field's type as the spec's "Accepted Fields" tables name it (2.14:L5797-5839, L7395-7452, L14040-14056). */
export type FieldType = 'string' | 'integer' | 'float' | 'boolean' | 'date';
export const FIELD_TYPES: readonly FieldType[] = ['string', 'integer', 'float', 'boolean', 'date'];

/** What the compiler needs to know about the searched table. */
export interface SearchSchema {
  /** The type of a searchable field (full dotted path); undefined = not searchable here (→ 400). */
  typeOf(field: string): FieldType | undefined;
  /** Fields that take only `=` and `!=` (contacts `tag_id`, 2.14:L5845). */
  eqOnly?: ReadonlySet<string>;
  /** Contacts ≤2.16: timestamps match whole days in the workspace zone (2.14:L5773-5791). */
  dayGranular: boolean;
  timezone: string;
}

export interface Compiled {
  pred: Pred;
  /** For each timestamp field constrained at the top level (AND), the [lo, hi) seconds interval. */
  intervals: Map<string, [number, number]>;
}

const bad = (msg: string) => new HttpError(400, 'bad_request', msg);
const MAX_DEPTH = 2;
const MAX_PER_GROUP = 15;

export function compileQuery(query: unknown, schema: SearchSchema): Compiled {
  if (!query || typeof query !== 'object' || Array.isArray(query)) throw bad("'query' must be an object");
  const intervals = new Map<string, [number, number]>();
  const pred = compileNode(query as Record<string, unknown>, schema, 0, intervals, true);
  return { pred, intervals };
}

function compileNode(node: Record<string, unknown>, s: SearchSchema, depth: number, iv: Map<string, [number, number]>, topAnd: boolean): Pred {
  if ('field' in node) return compileFilter(node, s, topAnd ? iv : null);
  const op = node.operator;
  if (op !== 'AND' && op !== 'OR') throw bad(`Invalid operator for a group: ${JSON.stringify(op)}. Use AND or OR`);
  if (depth >= MAX_DEPTH) throw bad('Search queries support a maximum of 2 nested filters');
  const items = node.value;
  if (!Array.isArray(items) || items.length === 0) throw bad(`The value of an ${op} group must be a non-empty array of filters`);
  if (items.length > MAX_PER_GROUP) throw bad(`A maximum of ${MAX_PER_GROUP} filters is allowed for each AND or OR group`);
  const preds = items.map((it) => {
    if (!it || typeof it !== 'object' || Array.isArray(it)) throw bad('Each filter must be an object');
    return compileNode(it as Record<string, unknown>, s, depth + 1, iv, topAnd && op === 'AND');
  });
  return op === 'AND' ? (get) => preds.every((p) => p(get)) : (get) => preds.some((p) => p(get));
}

/**
 * A timestamp value. Intercom timestamps are integer seconds (every `*_at` is `type: integer`
 * in the spec); a fraction is truncated to its second, so `=`/`>=` 1767225600.25 keep the
 * records of second 1767225600 instead of silently losing them (docs/fake-intercom.md).
 */
function num(v: unknown, field: string): number {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  if (!Number.isFinite(n)) throw bad(`Value ${JSON.stringify(v)} for ${field} must be a unix timestamp`);
  return Math.floor(n);
}

function intersect(iv: Map<string, [number, number]> | null, field: string, lo: number, hi: number): void {
  if (!iv) return;
  const cur = iv.get(field);
  iv.set(field, cur ? [Math.max(cur[0], lo), Math.min(cur[1], hi)] : [lo, hi]);
}

function compileFilter(f: Record<string, unknown>, s: SearchSchema, iv: Map<string, [number, number]> | null): Pred {
  const { field, operator: op, value } = f;
  if (typeof field !== 'string' || field === '') throw bad("Each filter needs a 'field'");
  if (!(OPERATORS as readonly unknown[]).includes(op)) throw bad(`Operator ${JSON.stringify(op)} is not supported`);
  if (!('value' in f)) throw bad(`Filter on ${field} needs a 'value'`);
  const type = s.typeOf(field);
  if (!type) throw bad(`${field} is not a searchable field`);
  const operator = op as Op;
  if (s.eqOnly?.has(field) && operator !== '=' && operator !== '!=') throw bad(`Searching by ${field} supports only the = and != operators`);
  if ((operator === 'IN' || operator === 'NIN') && !Array.isArray(value)) throw bad(`${operator} requires an array value`);
  if (operator !== 'IN' && operator !== 'NIN' && Array.isArray(value)) throw bad(`${operator} does not take an array value; use IN or NIN`);
  if (['~', '!~', '^', '$'].includes(operator) && typeof value !== 'string') throw bad(`${operator} requires a string value`);

  if (type === 'date') return timestampFilter(field, operator, value, s, iv);
  return valueFilter(field, type, operator, value);
}

/**
 * Contacts: "`=` matches the whole day. `>` matches from the start of the next day … `<`
 * matches everything before the start of that day" and `!=`, `<=`, `>=`, `IN`, `NIN` on dates
 * "return an error" (2.14:L5773-5791, L5841-5864). Conversations/tickets: to the second,
 * `>` strictly greater, `<` strictly less, `<=`/`>=` inclusive (notes §2.2, 3rd-party evidence).
 */
function timestampFilter(field: string, op: Op, value: unknown, s: SearchSchema, iv: Map<string, [number, number]> | null): Pred {
  const inRange = (lo: number, hi: number): Pred => {
    intersect(iv, field, lo, hi);
    return (get) => {
      const v = get(field);
      return typeof v === 'number' && v >= lo && v < hi;
    };
  };
  if (s.dayGranular) {
    if (op !== '=' && op !== '<' && op !== '>') {
      throw bad(`The ${op} operator is not supported for date field ${field}. Use =, < or >`);
    }
    const t = num(value, field);
    if (op === '=') return inRange(dayStart(t, s.timezone), nextDayStart(t, s.timezone));
    if (op === '>') return inRange(nextDayStart(t, s.timezone), Infinity);
    return inRange(-Infinity, dayStart(t, s.timezone));
  }
  if (op === 'IN' || op === 'NIN') {
    const set = new Set((value as unknown[]).map((v) => num(v, field)));
    return (get) => set.has(get(field) as number) === (op === 'IN');
  }
  if (['~', '!~', '^', '$'].includes(op)) throw bad(`The ${op} operator is not supported for ${field}`);
  if (value === null && (op === '=' || op === '!=')) return (get) => (get(field) == null) === (op === '=');
  const t = num(value, field);
  switch (op) {
    case '=':
      return inRange(t, t + 1);
    case '!=':
      return (get) => get(field) !== t;
    case '>':
      return inRange(t + 1, Infinity);
    case '>=':
      return inRange(t, Infinity);
    case '<':
      return inRange(-Infinity, t);
    default:
      return inRange(-Infinity, t + 1); // '<='
  }
}

function norm(v: unknown): unknown {
  return typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : v;
}

function eq(actual: unknown, expected: unknown): boolean {
  if (actual === null || actual === undefined) return expected === null;
  if (Array.isArray(actual)) return actual.some((a) => eq(a, expected));
  return norm(actual) === norm(expected);
}

/**
 * Filters on string, number and boolean fields. Every operator × type either evaluates or is a
 * 400 (never an empty 200): `=`/`!=`/`IN`/`NIN` on all; `<`/`<=`/`>`/`>=` on numbers;
 * `>`/`<` on strings compare strings (code-unit order) — the spec lists them for integers
 * and dates only, but a widely used client has sent `id > ""` to conversations search since
 * 2024 and gets every conversation; `~ !~ ^ $` on strings (case-insensitive); the rest → 400.
 */
function valueFilter(field: string, type: Exclude<FieldType, 'date'>, op: Op, value: unknown): Pred {
  const unsupported = () => bad(`The ${op} operator is not supported for ${type} field ${field}`);
  const checkValue = (x: unknown) => {
    if (x === null) return;
    const ok =
      type === 'string'
        ? typeof x === 'string' || typeof x === 'number'
        : type === 'boolean'
          ? typeof x === 'boolean' || x === 'true' || x === 'false'
          : Number.isFinite(typeof x === 'string' && x.trim() !== '' ? Number(x) : x);
    if (!ok) throw bad(`Value ${JSON.stringify(x)} for ${field} must be a ${type}`);
  };
  for (const x of Array.isArray(value) ? value : [value]) checkValue(x);
  const str = (v: unknown) => (v === null || v === undefined ? null : String(v).toLowerCase());
  const needle = typeof value === 'string' ? value.toLowerCase() : '';
  const compare = (cmp: (d: number) => boolean): Pred => {
    if (value === null) throw bad(`${op} needs a value for ${field}, not null`);
    const b = type === 'string' ? String(value) : Number(value);
    // the sign of (record value − b); NaN (never matches) for null or a value of another type
    const diff = (x: unknown): number =>
      typeof b === 'string' ? (x == null ? NaN : String(x) < b ? -1 : String(x) > b ? 1 : 0) : typeof x === 'number' ? x - b : NaN;
    return (get) => {
      const a = get(field);
      return Array.isArray(a) ? a.some((x) => cmp(diff(x))) : cmp(diff(a));
    };
  };
  switch (op) {
    case '=':
      return (get) => eq(get(field), value);
    case '!=':
      return (get) => !eq(get(field), value);
    case 'IN':
      return (get) => (value as unknown[]).some((x) => eq(get(field), x));
    case 'NIN':
      return (get) => !(value as unknown[]).some((x) => eq(get(field), x));
    case '>':
    case '<':
      if (type === 'boolean') throw unsupported();
      return compare(op === '>' ? (d) => d > 0 : (d) => d < 0);
    case '>=':
    case '<=':
      if (type !== 'integer' && type !== 'float') throw unsupported();
      return compare(op === '>=' ? (d) => d >= 0 : (d) => d <= 0);
    default:
      if (type !== 'string') throw unsupported();
      switch (op) {
        case '~':
          return (get) => str(get(field))?.includes(needle) ?? false;
        case '!~':
          return (get) => !(str(get(field))?.includes(needle) ?? false);
        case '^':
          return (get) => str(get(field))?.startsWith(needle) ?? false;
        default:
          return (get) => str(get(field))?.endsWith(needle) ?? false; // '$'
      }
  }
}

/** Resolves a dotted path; `custom_attributes.<name>` takes the rest verbatim (names may hold dots). */
export function resolvePath(obj: unknown, path: string): unknown {
  if (path.startsWith('custom_attributes.')) {
    const ca = (obj as Record<string, unknown>).custom_attributes as Record<string, unknown> | undefined;
    return ca?.[path.slice('custom_attributes.'.length)];
  }
  let cur: unknown = obj;
  for (const k of path.split('.')) {
    if (cur === null || cur === undefined || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[k];
  }
  return cur;
}
