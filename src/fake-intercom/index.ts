/**
 * A local server faithful to Intercom's REST API (2.11/2.14/2.16 shapes) for the demo, the
 * tests and the benchmarks. See docs/fake-intercom.md.
 */
import { DEFAULT_NOW, type FakeClock } from './clock.js';
import { exportRows } from './export.js';
import { FakeServer, type Stats } from './server.js';
import { assertTimeZone } from './tz.js';
import type { Contact, FakeIntercomOptions, FaultKind, Obj, Settings } from './types.js';
import { parseVersion } from './versions.js';

export type { Contact, FakeIntercomOptions, FaultKind } from './types.js';
export type { FaultRule } from './faults.js';
import type { FaultRule } from './faults.js';
export { ALL_FAULT_KINDS } from './types.js';
export { EXPORT_TABLES } from './export.js';
export type { FakeClock } from './clock.js';
export type { Stats as FakeIntercomStats } from './server.js';

/** A running fake workspace: its URL, clock, mutation API, fault controls and ground truth. */
export interface FakeIntercom {
  /** http://127.0.0.1:PORT */
  url: string;
  clock: FakeClock;
  createContact(partial?: object): Contact;
  updateContact(id: string, patch?: object): Contact;
  deleteContact(id: string): void;
  mergeContacts(fromId: string, intoId: string): void;
  createConversation(partial?: object): object;
  updateConversation(id: string, patch?: object): object;
  /** n new parts; `patch` (e.g. `{body}`) merged into each. */
  addConversationParts(id: string, n: number, patch?: object): void;
  deleteConversation(id: string): void;
  createCompany(partial?: object): object;
  updateCompany(id: string, patch?: object): object;
  createTicket(partial?: object): object;
  updateTicket(id: string, patch?: object): object;
  deleteTicket(id: string): void;
  /** A custom data attribute as POST /data_attributes makes it: `{name, model: 'contact'|'company', data_type, options?}`. */
  createDataAttribute(req: object): object;
  setFaults(opts: { rate: number; kinds?: FaultKind[] }): void;
  /** Respond 500 to every request after `n` more requests whose path starts with `pathPrefix` (default '/'); n < 0 disarms. */
  failAfter(n: number, pathPrefix?: string): void;
  /** A deterministic fault: `kind` on the requests under `path` it fits, after `after` of them, `times` times (default: for good). */
  addFaultRule(rule: FaultRule): void;
  clearFaultRules(): void;
  setRateLimit(perMinute: number | null): void;
  stats(): Stats;
  /** Ground truth of a table, same rows as GET /_fake/export/<table> (default version). */
  exportTable(table: string): AsyncIterable<object>;
  close(): Promise<void>;
}

function count(x: number | undefined, def: number, name: string): number {
  const n = x ?? def;
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`${name} must be a non-negative integer`);
  return n;
}

export function resolveSettings(o: FakeIntercomOptions = {}): Settings {
  const timezone = o.timezone ?? 'America/Los_Angeles';
  assertTimeZone(timezone);
  const defaultVersion = o.defaultVersion ?? '2.14';
  parseVersion(defaultVersion, defaultVersion);
  return {
    port: o.port ?? 0,
    seed: o.seed ?? 1,
    token: o.token ?? 'fake-token',
    counts: {
      contacts: count(o.contacts, 200, 'contacts'),
      companies: count(o.companies, 50, 'companies'),
      conversations: count(o.conversations, 100, 'conversations'),
      tickets: count(o.tickets, 30, 'tickets'),
      admins: Math.max(1, count(o.admins, 8, 'admins')),
      teams: count(o.teams, 3, 'teams'),
      // >= 26 so some contacts carry more than 10 tags.
      tags: count(o.tags, 30, 'tags'),
      segments: count(o.segments, 6, 'segments'),
      articles: count(o.articles, 40, 'articles'),
      collections: count(o.collections, 12, 'collections'),
      newsItems: count(o.newsItems, 15, 'newsItems'),
      activityLogs: count(o.activityLogs, 120, 'activityLogs'),
    },
    rateLimitPerMinute: o.rateLimitPerMinute === undefined ? 10_000 : o.rateLimitPerMinute || null,
    latencyMs: o.latencyMs ?? 0,
    searchLatencyMs: o.searchLatencyMs ?? o.latencyMs ?? 0,
    latencyJitterMs: o.latencyJitterMs ?? 0,
    faultRate: o.faultRate ?? 0,
    faultKinds: o.faultKinds ?? [],
    timezone,
    defaultVersion,
    searchIndexLagSeconds: o.searchIndexLagSeconds ?? 0,
    now: o.now ?? DEFAULT_NOW,
    realtimeClock: o.realtimeClock ?? false,
    scrollIdleMs: o.scrollIdleMs ?? 60_000,
    scrollPageSize: o.scrollPageSize ?? 50,
  };
}

export async function startFakeIntercom(opts: FakeIntercomOptions = {}): Promise<FakeIntercom> {
  const s = new FakeServer(resolveSettings(opts));
  await s.listen();
  const w = s.w;
  return {
    url: s.url,
    clock: w.clock,
    createContact: (p) => w.createContact((p ?? {}) as Obj) as Contact,
    updateContact: (id, p) => w.updateContact(id, (p ?? {}) as Obj) as Contact,
    deleteContact: (id) => w.deleteContact(id),
    mergeContacts: (a, b) => w.mergeContacts(a, b),
    createConversation: (p) => w.createConversation((p ?? {}) as Obj),
    updateConversation: (id, p) => w.updateConversation(id, (p ?? {}) as Obj),
    addConversationParts: (id, n, p) => w.addConversationParts(id, n, (p ?? {}) as Obj),
    deleteConversation: (id) => w.deleteConversation(id),
    createCompany: (p) => w.createCompany((p ?? {}) as Obj),
    updateCompany: (id, p) => w.updateCompany(id, (p ?? {}) as Obj),
    createTicket: (p) => w.createTicket((p ?? {}) as Obj),
    updateTicket: (id, p) => w.updateTicket(id, (p ?? {}) as Obj),
    deleteTicket: (id) => w.deleteTicket(id),
    createDataAttribute: (r) => w.createDataAttribute(r as Obj),
    setFaults: (o) => s.setFaults(o),
    failAfter: (n, prefix) => s.failAfter(n, prefix),
    addFaultRule: (r) => s.addFaultRule(r),
    clearFaultRules: () => s.clearFaultRules(),
    setRateLimit: (n) => s.setRateLimit(n),
    stats: () => s.stats(),
    exportTable(table: string): AsyncIterable<object> {
      const v = parseVersion(undefined, s.settings.defaultVersion);
      const rows = exportRows(w, table, v);
      return {
        async *[Symbol.asyncIterator]() {
          yield* rows;
        },
      };
    },
    close: () => s.close(),
  };
}

/** For the CLI (`intercom-elt fake-intercom`): starts the server and prints where it listens, first line. */
export async function runFakeIntercomCommand(opts: FakeIntercomOptions & { stdout: (line: string) => void }): Promise<FakeIntercom> {
  const { stdout, ...rest } = opts;
  const fake = await startFakeIntercom(rest);
  stdout(`fake Intercom listening on ${fake.url}`);
  const s = resolveSettings(rest);
  stdout(`token: ${s.token === 'fake-token' ? 'fake-token' : '(as configured)'}; Intercom-Version default ${s.defaultVersion}; time zone ${s.timezone}`);
  stdout(
    `data: ${s.counts.contacts} contacts, ${s.counts.companies} companies, ${s.counts.conversations} conversations, ${s.counts.tickets} tickets (seed ${s.seed})`,
  );
  stdout(
    `clock: ${s.realtimeClock ? 'real, ticking from' : 'frozen at'} ${new Date(s.now * 1000).toISOString()}; faults: ${s.faultRate > 0 ? `${s.faultRate} of requests, ${s.faultKinds.length > 0 ? s.faultKinds.join(',') : 'every kind'}` : 'none'}`,
  );
  return fake;
}
