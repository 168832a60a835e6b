/**
 * Fault injection, decided by a seeded PRNG so a run with the same seed and request order
 * sees the same faults. Server errors carry `error.list` bodies ("4xx and 5xx responses may
 * be returned for any request", notes §1.7); scroll faults mirror the documented scroll
 * failure modes (2.14:L3962-3975).
 */
import { STREAM, rng, type Rng } from './prng.js';
import { ALL_FAULT_KINDS, type FaultKind } from './types.js';

const SCROLL_ONLY: ReadonlySet<FaultKind> = new Set(['scroll_expire', 'scroll_restart']);

export class Faults {
  private r: Rng;
  private rate = 0;
  private kinds: FaultKind[] = [];
  injected = 0;
  /** Faults injected per kind (`fail_after` for the fail-after trap). */
  readonly byKind: Partial<Record<FaultKind | 'fail_after', number>> = {};
  private failAfterLeft: number | null = null;
  private failPrefix = '';

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

  /** The fault to inject for this request, if any. Scroll faults only hit a continuing scroll. */
  decide(path: string, continuingScroll: boolean): FaultKind | null {
    if (this.rate <= 0 || this.kinds.length === 0) return null;
    const roll = this.r();
    if (roll >= this.rate) return null;
    const eligible = this.kinds.filter((k) => !SCROLL_ONLY.has(k) || (continuingScroll && path === '/companies/scroll'));
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
