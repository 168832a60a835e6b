/**
 * The /_fake control API: mutations, clock, faults, stats and the ground-truth export.
 * No auth, no rate limit, no faults, no latency.
 */
import type { FaultKind, Obj } from '../types.js';
import { ALL_FAULT_KINDS, HttpError } from '../types.js';
import type { World } from '../world.js';

export interface Controls {
  w: World;
  setFaults(opts: { rate: number; kinds?: FaultKind[] }): void;
  failAfter(n: number, pathPrefix?: string): void;
  setRateLimit(perMinute: number | null): void;
  stats(): object;
}

type FakeHandler = (k: Controls, body: Obj, params: string[]) => unknown;

const ok = { ok: true };

function id(p: string[], k = 0): string {
  return decodeURIComponent(p[k] as string);
}

function kinds(x: unknown): FaultKind[] | undefined {
  if (x === undefined) return undefined;
  if (!Array.isArray(x) || !x.every((k) => (ALL_FAULT_KINDS as readonly unknown[]).includes(k))) {
    throw new HttpError(400, 'parameter_invalid', `kinds must be a subset of ${ALL_FAULT_KINDS.join(', ')}`);
  }
  return x as FaultKind[];
}

const routes: [string, RegExp, FakeHandler][] = [
  ['POST', /^\/_fake\/contacts$/, (k, b) => k.w.createContact(b)],
  ['POST', /^\/_fake\/contacts\/([^/]+)$/, (k, b, p) => k.w.updateContact(id(p), b)],
  ['DELETE', /^\/_fake\/contacts\/([^/]+)$/, (k, _b, p) => (k.w.deleteContact(id(p)), ok)],
  ['POST', /^\/_fake\/contacts\/([^/]+)\/merge_into\/([^/]+)$/, (k, _b, p) => (k.w.mergeContacts(id(p), id(p, 1)), ok)],
  ['POST', /^\/_fake\/companies$/, (k, b) => k.w.createCompany(b)],
  ['POST', /^\/_fake\/companies\/([^/]+)$/, (k, b, p) => k.w.updateCompany(id(p), b)],
  ['POST', /^\/_fake\/conversations$/, (k, b) => k.w.createConversation(b)],
  ['POST', /^\/_fake\/conversations\/([^/]+)$/, (k, b, p) => k.w.updateConversation(id(p), b)],
  [
    'POST',
    /^\/_fake\/conversations\/([^/]+)\/parts$/,
    (k, b, p) => {
      const n = Number(b.count ?? 1);
      if (!Number.isInteger(n) || n < 1) throw new HttpError(400, 'parameter_invalid', 'count must be a positive integer');
      k.w.addConversationParts(id(p), n, b.part && typeof b.part === 'object' ? (b.part as Obj) : {});
      return ok;
    },
  ],
  ['DELETE', /^\/_fake\/conversations\/([^/]+)$/, (k, _b, p) => (k.w.deleteConversation(id(p)), ok)],
  ['POST', /^\/_fake\/data_attributes$/, (k, b) => k.w.createDataAttribute(b)],
  ['POST', /^\/_fake\/tickets$/, (k, b) => k.w.createTicket(b)],
  ['POST', /^\/_fake\/tickets\/([^/]+)$/, (k, b, p) => k.w.updateTicket(id(p), b)],
  ['DELETE', /^\/_fake\/tickets\/([^/]+)$/, (k, _b, p) => (k.w.deleteTicket(id(p)), ok)],
  [
    'POST',
    /^\/_fake\/clock$/,
    (k, b) => {
      if (typeof b.now === 'number') k.w.clock.set(b.now);
      if (typeof b.advance === 'number') k.w.clock.advance(b.advance);
      return { now: k.w.clock.now() };
    },
  ],
  ['GET', /^\/_fake\/clock$/, (k) => ({ now: k.w.clock.now() })],
  [
    'POST',
    /^\/_fake\/faults$/,
    (k, b) => {
      if (b.rate !== undefined) k.setFaults({ rate: Number(b.rate), kinds: kinds(b.kinds) });
      if (b.failAfter !== undefined) k.failAfter(Number(b.failAfter), typeof b.pathPrefix === 'string' ? b.pathPrefix : undefined);
      return ok;
    },
  ],
  ['POST', /^\/_fake\/rate_limit$/, (k, b) => (k.setRateLimit(b.perMinute === null ? null : Number(b.perMinute)), ok)],
  ['GET', /^\/_fake\/stats$/, (k) => k.stats()],
];

/** Returns the handler result, or throws 404 for an unknown /_fake route. */
export function fakeRoute(k: Controls, method: string, path: string, body: Obj): unknown {
  for (const [m, re, h] of routes) {
    const hit = re.exec(path);
    if (hit && m === method) return h(k, body, hit.slice(1));
  }
  throw new HttpError(404, 'not_found', `no fake route ${method} ${path}`);
}
