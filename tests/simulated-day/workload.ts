/**
 * The scripted workload of the simulated day: what happens in a fake Intercom workspace between
 * (and during) two `ingest` runs. Everything is drawn from a seeded PRNG so a failing seed
 * replays exactly.
 */
import type { FakeIntercom } from '../../src/fake-intercom/index.js';

/** mulberry32: tiny, seedable, good enough to pick records and offsets. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Row = Record<string, unknown>;

/** Live ids of one table and the newest `updated_at` the workload gave each (for time travel). */
class Pool {
  readonly ids: string[] = [];
  readonly updatedAt = new Map<string, number>();
  constructor(rows: Row[]) {
    for (const r of rows) this.add(String(r['id']), Number(r['updated_at']));
  }
  add(id: string, at: number): void {
    if (!this.updatedAt.has(id)) this.ids.push(id);
    this.updatedAt.set(id, at);
  }
  remove(id: string): void {
    const k = this.ids.indexOf(id);
    if (k >= 0) this.ids.splice(k, 1);
    this.updatedAt.delete(id);
  }
  /** A live id whose current updated_at is strictly below `t` and that `ok` accepts. */
  olderThan(rnd: () => number, t: number, ok: (id: string) => boolean = () => true): string | undefined {
    const c = this.ids.filter((id) => (this.updatedAt.get(id) ?? Infinity) < t && ok(id));
    return c.length ? c[Math.floor(rnd() * c.length)] : undefined;
  }
}

/** The cursors of the incremental search tables, read from `_elt_state` after a run. */
export interface Cursors {
  contacts?: number;
  conversations?: number;
  tickets?: number;
}

type Event = { at: number; what: string; run: () => void };

export const INTERVAL = 1800;

export class Workload {
  readonly contacts: Pool;
  readonly conversations: Pool;
  readonly companies: Pool;
  readonly tickets: Pool;
  /** Contacts merged away or deleted: gone from Intercom, still in the destination (no deletion feed, notes §4). */
  readonly removedContacts = new Set<string>();
  readonly deletedConversations = new Set<string>();
  readonly deletedTickets = new Set<string>();
  /** Seeded contacts that belong to no company: removing them never hides a company (2.14:L3284). */
  private readonly loners: Set<string>;
  /** Records present before the first run: only those are deleted, so each deletion is of a row the destination holds. */
  private readonly seeded: Set<string>;
  /** The conversation grown past Intercom's 500-part window during the day. */
  readonly grower: string;
  private readonly rnd: () => number;
  private n = 0;
  /** What the workload did, by kind (the test asserts each scenario really happened). */
  readonly done = new Map<string, number>();

  constructor(
    private readonly fake: FakeIntercom,
    seed: number,
    initial: { contacts: Row[]; conversations: Row[]; companies: Row[]; tickets: Row[] },
    private readonly lookback: number,
  ) {
    this.rnd = prng(seed * 7919 + 17);
    this.contacts = new Pool(initial.contacts);
    this.conversations = new Pool(initial.conversations);
    this.companies = new Pool(initial.companies);
    this.tickets = new Pool(initial.tickets);
    this.seeded = new Set([...initial.conversations, ...initial.tickets].map((r) => String(r['id'])));
    this.loners = new Set(
      initial.contacts.filter((c) => ((c['companies'] as { data?: unknown[] } | null)?.data ?? []).length === 0).map((c) => String(c['id'])),
    );
    // under 500 parts now, well over it after ~15 intervals of +40
    const partsOf = (c: Row) => Number((c['conversation_parts'] as { total_count?: number } | undefined)?.total_count ?? 0);
    const grower = initial.conversations.filter((c) => partsOf(c) < 440).sort((a, b) => partsOf(b) - partsOf(a))[0];
    if (!grower) throw new Error('workload: no conversation under 440 parts to grow');
    this.grower = String(grower['id']);
  }

  private count(what: string): void {
    this.done.set(what, (this.done.get(what) ?? 0) + 1);
  }

  private pick(pool: Pool, not: Set<string> = new Set()): string {
    const c = pool.ids.filter((id) => !not.has(id));
    return c[Math.floor(this.rnd() * c.length)]!;
  }

  private int(lo: number, hi: number): number {
    return lo + Math.floor(this.rnd() * (hi - lo + 1));
  }

  // ---- single mutations (each records the new updated_at = the fake clock) ----------------

  updateContact(id = this.pick(this.contacts)): void {
    this.fake.updateContact(id, { name: `Sim ${++this.n}` });
    this.contacts.add(id, this.fake.clock.now());
  }

  createContact(): void {
    const c = this.fake.createContact({ role: 'user', email: `sim${++this.n}@example.com` });
    this.contacts.add(c.id, this.fake.clock.now());
  }

  updateConversation(id = this.pick(this.conversations)): void {
    this.fake.updateConversation(id, { read: this.rnd() < 0.5 });
    this.conversations.add(id, this.fake.clock.now());
  }

  addParts(id: string, n: number): void {
    this.fake.addConversationParts(id, n);
    this.conversations.add(id, this.fake.clock.now());
  }

  updateTicket(id = this.pick(this.tickets)): void {
    this.fake.updateTicket(id, {});
    this.tickets.add(id, this.fake.clock.now());
  }

  updateCompany(id = this.pick(this.companies)): void {
    this.fake.updateCompany(id, { name: `Sim Co ${++this.n}` });
    this.companies.add(id, this.fake.clock.now());
  }

  /**
   * Writes that land in the past: an update stamped exactly at a table's cursor and one exactly
   * at `cursor - lookback`, applied after the run that set the cursor. They stand for writes
   * Intercom's search index shows late ("a few minutes", 2.14:L5762) — exactly what the
   * inclusive lower bound `updated_at >= cursor - lookback` exists for. A strict `>` or a
   * shorter lookback misses them for ever.
   */
  timeTravel(cursors: Cursors, now: number): void {
    const stamp = (t: number, fn: () => void) => {
      this.fake.clock.set(t);
      fn();
    };
    for (const at of [cursors.contacts, cursors.contacts === undefined ? undefined : cursors.contacts - this.lookback]) {
      if (at === undefined) continue;
      const id = this.contacts.olderThan(this.rnd, at);
      if (id) stamp(at, () => (this.updateContact(id), this.count('contact_at_boundary')));
    }
    for (const at of [cursors.conversations, cursors.conversations === undefined ? undefined : cursors.conversations - this.lookback]) {
      if (at === undefined) continue;
      const id = this.conversations.olderThan(this.rnd, at, (x) => x !== this.grower);
      if (id) stamp(at, () => (this.updateConversation(id), this.count('conversation_at_boundary')));
    }
    for (const at of [cursors.tickets, cursors.tickets === undefined ? undefined : cursors.tickets - this.lookback]) {
      if (at === undefined) continue;
      const id = this.tickets.olderThan(this.rnd, at);
      if (id) stamp(at, () => (this.updateTicket(id), this.count('ticket_at_boundary')));
    }
    this.fake.clock.set(now);
  }

  /**
   * The half hour [T, T+1800): events at random offsets, applied in time order with the clock set
   * to each event's second, then the clock left at T+1800 (the next run). `k` is the interval
   * number; `midnight` the workspace's local midnight (contacts search matches local days).
   */
  interval(T: number, k: number, midnight: number): void {
    const ev: Event[] = [];
    const at = (offset: number, what: string, run: () => void) => ev.push({ at: T + offset, what, run });
    const rand = () => this.int(1, INTERVAL - 120);
    for (let i = this.int(3, 8); i > 0; i--) at(rand(), 'contact_updated', () => this.updateContact());
    for (let i = this.int(1, 3); i > 0; i--) at(rand(), 'contact_created', () => this.createContact());
    for (let i = this.int(2, 5); i > 0; i--) at(rand(), 'conversation_updated', () => this.updateConversation());
    for (let i = this.int(0, 2); i > 0; i--)
      at(rand(), 'conversation_created', () => {
        const c = this.fake.createConversation({}) as Row;
        this.conversations.add(String(c['id']), this.fake.clock.now());
      });
    for (let i = this.int(0, 2); i > 0; i--) at(rand(), 'parts_added', () => this.addParts(this.pick(this.conversations), this.int(1, 5)));
    // the grower passes 500 parts around interval 3-4 and keeps growing: the oldest parts must leave the destination
    if (k < 15) at(rand(), 'grower_parts', () => this.addParts(this.grower, 40));
    for (let i = this.int(0, 2); i > 0; i--) at(rand(), 'company_updated', () => this.updateCompany());
    if (this.rnd() < 0.25)
      at(rand(), 'company_created', () => {
        const c = this.fake.createCompany({ name: `Sim New Co ${++this.n}` }) as Row;
        this.companies.add(String(c['id']), this.fake.clock.now());
      });
    for (let i = this.int(1, 3); i > 0; i--) at(rand(), 'ticket_updated', () => this.updateTicket());
    if (this.rnd() < 0.3)
      at(rand(), 'ticket_created', () => {
        const t = this.fake.createTicket({}) as Row;
        this.tickets.add(String(t['id']), this.fake.clock.now());
      });
    if (k % 6 === 1) {
      at(rand(), 'contact_merged', () => {
        const from = this.pick(this.contacts, new Set([...this.contacts.ids].filter((id) => !this.loners.has(id))));
        const into = this.pick(this.contacts, new Set([from]));
        this.fake.mergeContacts(from, into);
        this.contacts.remove(from);
        this.contacts.add(into, this.fake.clock.now());
        this.removedContacts.add(from);
      });
      at(rand(), 'contact_deleted', () => {
        const id = this.pick(this.contacts, new Set([...this.contacts.ids].filter((x) => !this.loners.has(x))));
        this.fake.deleteContact(id);
        this.contacts.remove(id);
        this.removedContacts.add(id);
      });
      at(rand(), 'conversation_deleted', () => {
        const id = this.pick(this.conversations, new Set([this.grower, ...this.conversations.ids.filter((x) => !this.seeded.has(x))]));
        this.fake.deleteConversation(id);
        this.conversations.remove(id);
        this.deletedConversations.add(id);
      });
      at(rand(), 'ticket_deleted', () => {
        const id = this.pick(this.tickets, new Set(this.tickets.ids.filter((x) => !this.seeded.has(x))));
        this.fake.deleteTicket(id);
        this.tickets.remove(id);
        this.deletedTickets.add(id);
      });
    }
    // minutes either side of the workspace's local midnight, one contact crossing it
    if (midnight > T && midnight <= T + INTERVAL - 60) {
      const crosser = this.pick(this.contacts);
      for (const d of [-300, -60, -1, 0, 1, 120]) at(midnight - T + d, 'contact_at_midnight', () => this.updateContact());
      at(midnight - T - 90, 'contact_at_midnight', () => this.updateContact(crosser));
      at(midnight - T + 45, 'contact_at_midnight', () => this.updateContact(crosser));
      at(midnight - T - 30, 'contact_created_at_midnight', () => this.createContact());
    }
    // new contacts still hidden from search at the next run (search-index lag), and writes
    // inside the settle lag (after the next run's frozen upper bound)
    at(INTERVAL - 90, 'contact_created_hidden', () => this.createContact());
    at(INTERVAL - 85, 'contact_created_hidden', () => this.createContact());
    at(INTERVAL - 10, 'contact_in_settle_lag', () => this.updateContact());
    at(INTERVAL - 10, 'conversation_in_settle_lag', () => this.updateConversation());
    at(INTERVAL - 5, 'ticket_in_settle_lag', () => this.updateTicket());
    ev.sort((a, b) => a.at - b.at);
    for (const e of ev) {
      this.fake.clock.set(e.at);
      e.run();
      this.count(e.what);
    }
    this.fake.clock.set(T + INTERVAL);
  }

  /**
   * Mutations while a run paginates: called on an asset's first page event; moves the clock a
   * second (Intercom's clock runs during a run) and touches records the run may or may not
   * have read yet.
   */
  duringRun(asset: string): void {
    this.fake.clock.advance(1);
    this.count(`mid_run_${asset}`);
    this.updateContact();
    this.createContact();
    const conv = this.pick(this.conversations);
    this.updateConversation(conv);
    this.addParts(this.pick(this.conversations), 3);
    this.updateTicket();
    this.updateCompany();
  }
}
