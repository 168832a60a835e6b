/**
 * Fault injection, decided by a seeded PRNG so a run with the same seed and request order
 * sees the same faults. Server errors carry `error.list` bodies ("4xx and 5xx responses may
 * be returned for any request", notes §1.7); scroll faults mirror the documented scroll
 * failure modes (2.14:L3962-3975).
 */
import { STREAM, rng, type Rng } from './prng.js';
import { ALL_FAULT_KINDS, type FaultKind } from './types.js';

/** A request as the fault injector sees it. */
export interface FaultTarget {
  method: string;
  path: string;
  /** A `GET /companies/scroll` with a `scroll_param`. */
  continuingScroll: boolean;
}

const scrolling = (t: FaultTarget) => t.continuingScroll && t.path === '/companies/scroll';
/** A page of a list or search (not the scroll, whose empty page is its documented end). */
const listPage = (t: FaultTarget) =>
  (t.method === 'POST' && (t.path.endsWith('/search') || t.path === '/companies/list')) ||
  (t.method === 'GET' && ['/contacts', '/conversations', '/companies'].includes(t.path));
/** `GET /conversations/{id}`, `GET /tickets/{id}`: the records a 404 would say are deleted. */
const recordGet = (t: FaultTarget) => t.method === 'GET' && /^\/(conversations|tickets)\/(?!search$|deleted$|attributes$)[^/]+$/.test(t.path);

/** Fault kinds that fit only some requests; every other kind fits any request. */
const FITS: Partial<Record<FaultKind, (t: FaultTarget) => boolean>> = {
  scroll_expire: scrolling,
  scroll_restart: scrolling,
  empty_page: listPage,
  missing_id: listPage,
  empty_object: recordGet,
  html_404: recordGet,
};

export const faultFits = (kind: FaultKind, t: FaultTarget): boolean => FITS[kind]?.(t) ?? true;

/**
 * A deterministic fault: `kind` on requests whose path starts with `path` and that the kind fits,
 * after skipping `after` of them, `times` times (default: every one from then on).
 */
export interface FaultRule {
  kind: FaultKind;
  path: string;
  after?: number;
  times?: number;
}

export class Faults {
  private r: Rng;
  private rate = 0;
  private kinds: FaultKind[] = [];
  injected = 0;
  /** Faults injected per kind (`fail_after` for the fail-after trap). */
  readonly byKind: Partial<Record<FaultKind | 'fail_after', number>> = {};
  private failAfterLeft: number | null = null;
  private failPrefix = '';
  private rules: Array<Required<FaultRule>> = [];

  constructor(seed: number, rate: number, kinds: FaultKind[]) {
    this.r = rng(seed, STREAM.faults);
    this.set(rate, kinds);
  }

  /** A rate with no kinds (omitted or empty) means every kind: a rate never silently injects nothing. */
  set(rate: number, kinds?: readonly FaultKind[]): void {
    if (!(rate >= 0 && rate <= 1)) throw new RangeError('fault rate must be within [0, 1]');
    this.rate = rate;
    if (kinds && kinds.length > 0) this.kinds = [...kinds];
    else if (kinds || this.kinds.length === 0) this.kinds = [...ALL_FAULT_KINDS];
  }

  /** After `n` more requests under `prefix`, answer every further such request with a 500. */
  failAfter(n: number, prefix = '/'): void {
    this.failAfterLeft = Number.isFinite(n) && n >= 0 ? n : null;
    this.failPrefix = prefix;
  }

  /** True when the fail-after trap has fired for this path. */
  tripped(path: string): boolean {
    if (this.failAfterLeft === null || !path.startsWith(this.failPrefix)) return false;
    if (this.failAfterLeft > 0) {
      this.failAfterLeft--;
      return false;
    }
    this.count('fail_after');
    return true;
  }

  /** Adds a deterministic fault (rules are tried before the random faults); `clearRules` removes them all. */
  addRule(rule: FaultRule): void {
    this.rules.push({ after: 0, times: Number.POSITIVE_INFINITY, ...rule });
  }

  clearRules(): void {
    this.rules = [];
  }

  /** The fault to inject for this request, if any: a rule's, else a random one of the kinds that fit it. */
  decide(path: string, continuingScroll: boolean, method = 'GET'): FaultKind | null {
    const t: FaultTarget = { method, path, continuingScroll };
    for (const rule of this.rules) {
      if (rule.times <= 0 || !path.startsWith(rule.path) || !faultFits(rule.kind, t)) continue;
      if (rule.after > 0) {
        rule.after--;
        continue;
      }
      rule.times--;
      this.count(rule.kind);
      return rule.kind;
    }
    if (this.rate <= 0 || this.kinds.length === 0) return null;
    const roll = this.r();
    if (roll >= this.rate) return null;
    const eligible = this.kinds.filter((k) => faultFits(k, t));
    if (eligible.length === 0) return null;
    const kind = eligible[Math.floor(this.r() * eligible.length)] as FaultKind;
    this.count(kind);
    return kind;
  }

  private count(kind: FaultKind | 'fail_after'): void {
    this.injected++;
    this.byKind[kind] = (this.byKind[kind] ?? 0) + 1;
  }
}

export const SERVER_ERRORS: Record<string, { status: number; code: string; message: string }> = {
  http_500: { status: 500, code: 'server_error', message: 'Internal server error' },
  http_502: { status: 502, code: 'server_error', message: 'Bad gateway' },
  http_503: { status: 503, code: 'service_unavailable', message: 'Service unavailable' },
  http_504: { status: 504, code: 'request_timeout', message: 'Gateway timeout' },
};

/** The list of a page: the one array beside `total_count` (`data`, `conversations`, `tickets`…). */
function listOf(page: Record<string, unknown>): unknown[] | undefined {
  for (const v of Object.values(page)) if (Array.isArray(v)) return v;
  return undefined;
}

/**
 * `empty_page`: the page's list emptied and its next page removed, `total_count` kept — a page
 * that contradicts its own total (what a proxy serving a stale or cut response sends).
 */
export function emptyPage(page: Record<string, unknown>): Record<string, unknown> {
  const list = listOf(page);
  if (list) list.length = 0;
  const pages = page.pages as Record<string, unknown> | undefined;
  if (pages && typeof pages === 'object') pages.next = null;
  return page;
}

/** `missing_id`: the first record loses its `id`, the second has `id: null`. */
export function withoutIds(page: Record<string, unknown>): Record<string, unknown> {
  const list = (listOf(page) ?? []) as Array<Record<string, unknown>>;
  if (list[0]) delete list[0].id;
  if (list[1]) list[1].id = null;
  return page;
}

/** `html_404`: a load balancer's page, not Intercom's `error.list`. */
export const HTML_404 =
  '<html><head><title>404 Not Found</title></head><body><center><h1>404 Not Found</h1></center><hr><center>nginx</center></body></html>\n';
