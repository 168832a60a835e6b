/**
 * The fake workspace's state: generated tables with their overlays, the clock, and the
 * mutation operations (used in-process and by the /_fake HTTP API).
 */
import { type FakeClock, createClock } from './clock.js';
import { type CompanyModel, COMPANY_KIND, baseCompany, companyObject } from './data/companies.js';
import { type ContactModel, CONTACT_KIND, baseContact, baseContactRelations, contactId, contactObject } from './data/contacts.js';
import type { Gen } from './data/context.js';
import { activityLogs, articles, collections, newsItems } from './data/content.js';
import { type ConversationModel, baseConversation, basePart, newPart, statistics } from './data/conversations.js';
import { CONVERSATION_ID_BASE, PART_STRIDE, TICKET_ID_BASE, digitIndex, objectId, objectIdIndex } from './data/ids.js';
import { type TicketModel, baseTicket, ticketParts, ticketState } from './data/tickets.js';
import { admins, createdDataAttribute, dataAttributes, segments, tags, teams } from './data/workspace.js';
import { hash32, hex } from './prng.js';
import { Table } from './table.js';
import { HttpError, type Obj, type Settings } from './types.js';

export interface DeletedConversation {
  id: string;
  deleted_at: number;
}

const clone = <T>(x: T): T => structuredClone(x);

/** Shallow merge of a patch; `custom_attributes` merged key by key. */
function applyPatch(obj: Obj, patch: Obj): void {
  for (const [k, v] of Object.entries(patch)) {
    if (k === 'id' || k === 'type') continue;
    if (k === 'custom_attributes' && v && typeof v === 'object') {
      obj.custom_attributes = { ...(obj.custom_attributes as Obj), ...(v as Obj) };
    } else obj[k] = v as unknown;
  }
}

/** Contact fields derived from others follow the record: `email_domain` from `email` unless the patch sets it. */
function deriveContactFields(obj: Obj, patch: Obj): void {
  if (!('email' in patch) || 'email_domain' in patch) return;
  const email = typeof obj.email === 'string' ? obj.email : '';
  const at = email.lastIndexOf('@');
  obj.email_domain = at >= 0 && at < email.length - 1 ? email.slice(at + 1).toLowerCase() : null;
}

export class World {
  readonly g: Gen;
  readonly clock: FakeClock;
  readonly contacts: Table<ContactModel>;
  readonly companies: Table<CompanyModel>;
  readonly conversations: Table<ConversationModel>;
  readonly tickets: Table<TicketModel>;
  readonly admins: Obj[];
  readonly teams: Obj[];
  readonly tags: Obj[];
  readonly segments: Obj[];
  readonly segmentsById: Map<string, Obj>;
  readonly articles: Obj[];
  readonly collections: Obj[];
  readonly newsItems: Obj[];
  readonly activityLogs: Obj[];
  readonly deletedConversations: DeletedConversation[] = [];
  /** merged-away contact id -> surviving contact id (2.16 merge_history). */
  readonly merges = new Map<string, { into: string; at: number; role: string }>();
  /** Custom data attributes created through createDataAttribute, in creation order. */
  readonly createdAttributes: Obj[] = [];
  private userCounts: { version: number; counts: Map<string, number> } | null = null;

  constructor(readonly settings: Settings) {
    this.g = {
      seed: settings.seed,
      now0: settings.now,
      counts: settings.counts,
      timezone: settings.timezone,
      appId: hex(hash32(settings.seed, 0xa99), 8).replace(/[0-9]/g, (d) => 'abcdefghij'[Number(d)] as string),
    };
    const g = this.g;
    this.clock = createClock(settings.now, settings.realtimeClock);
    this.contacts = new Table(g.counts.contacts, (i) => baseContact(g, i));
    this.companies = new Table(g.counts.companies, (j) => baseCompany(g, j));
    this.conversations = new Table(g.counts.conversations, (i) => baseConversation(g, i));
    this.tickets = new Table(g.counts.tickets, (i) => baseTicket(g, i));
    this.admins = admins(g);
    this.teams = teams(g);
    this.tags = tags(g);
    this.segments = segments(g);
    this.segmentsById = new Map(this.segments.map((s) => [s.id as string, s]));
    this.articles = articles(g);
    this.collections = collections(g);
    this.newsItems = newsItems(g);
    this.activityLogs = activityLogs(g);
  }

  // ---- lookups -------------------------------------------------------------------------

  contactIndex(id: string): number | null {
    const i = objectIdIndex(id, this.g.seed, CONTACT_KIND);
    if (i === null) return null;
    const m = this.contacts.get(i);
    return m && m.obj.id === id ? i : null;
  }

  companyIndex(id: string): number | null {
    const j = objectIdIndex(id, this.g.seed, COMPANY_KIND);
    if (j === null) return null;
    const m = this.companies.get(j);
    return m && m.obj.id === id ? j : null;
  }

  conversationIndex(id: string): number | null {
    const i = digitIndex(id, CONVERSATION_ID_BASE);
    return i !== null && this.conversations.get(i) ? i : null;
  }

  ticketIndex(id: string): number | null {
    const i = digitIndex(id, TICKET_ID_BASE);
    return i !== null && this.tickets.get(i) ? i : null;
  }

  private need<T>(x: T | null | undefined, what: string, code = 'not_found'): T {
    if (x === null || x === undefined) throw new HttpError(404, code, `${what} Not Found`);
    return x;
  }

  // ---- derived data --------------------------------------------------------------------

  /** user_count per company id: a scan of contact relations, cached until contacts change. */
  companyUserCounts(): Map<string, number> {
    if (this.userCounts?.version === this.contacts.version) return this.userCounts.counts;
    const counts = new Map<string, number>();
    const add = (ids: string[]) => ids.forEach((id) => counts.set(id, (counts.get(id) ?? 0) + 1));
    const companyIdOf = new Map<number, string>();
    for (const i of this.contacts.indexesFrom(0)) {
      if (this.contacts.isOverlaid(i)) add((this.contacts.get(i) as ContactModel).companyIds);
      else {
        // Base relations without materialising the contact.
        for (const j of baseContactRelations(this.g, i).companies) {
          let id = companyIdOf.get(j);
          if (!id) companyIdOf.set(j, (id = (this.companies.get(j)?.obj.id as string) ?? ''));
          counts.set(id, (counts.get(id) ?? 0) + 1);
        }
      }
    }
    this.userCounts = { version: this.contacts.version, counts };
    return counts;
  }

  /** Lists hide companies without users (2.14:L3284, L3895). */
  companyVisible(m: CompanyModel): boolean {
    return this.userCount(m) > 0;
  }

  /** Real user count from contacts; a created company counts one user unless made with has_users:false. */
  userCount(m: CompanyModel): number {
    const n = this.companyUserCounts().get(m.obj.id as string) ?? 0;
    return m.index >= this.companies.baseCount && m.hasUsers ? Math.max(1, n) : n;
  }

  contactObj(i: number): Obj {
    return contactObject(this.need(this.contacts.get(i), 'User'));
  }

  companyObj(j: number): Obj {
    const m = this.need(this.companies.get(j), 'Company', 'company_not_found');
    return companyObject(this.g, m, this.userCount(m), this.segmentsById);
  }

  partCount(m: ConversationModel): number {
    return m.baseParts + m.extraParts.length;
  }

  /** Part k (0 = oldest) of a conversation. */
  part(m: ConversationModel, k: number): Obj {
    return k < m.baseParts ? basePart(this.g, m, k) : (m.extraParts[k - m.baseParts] as Obj);
  }

  /** GET /conversations/{id}: "the 500 most recent conversation parts" (2.14:L6791-6793); total_count is the true count. */
  conversationObj(i: number, withParts: boolean): Obj {
    const m = this.need(this.conversations.get(i), 'Conversation');
    if (!withParts) return { ...m.obj };
    const total = this.partCount(m);
    const parts: Obj[] = [];
    for (let k = Math.max(0, total - 500); k < total; k++) parts.push(this.part(m, k));
    return { ...m.obj, conversation_parts: { type: 'conversation_part.list', conversation_parts: parts, total_count: total } };
  }

  ticketObj(i: number): Obj {
    const m = this.need(this.tickets.get(i), 'Ticket', 'ticket_not_found');
    return { ...m.obj, ticket_parts: ticketParts(this.g, m) };
  }

  /** GET /data_attributes items of a model: standard, generated custom, then created ones. */
  dataAttributes(model: 'contact' | 'company' | 'conversation'): Obj[] {
    return [...dataAttributes(this.g, model), ...this.createdAttributes.filter((a) => a.model === model)];
  }

  // ---- mutations (data attributes) -----------------------------------------------------

  /**
   * POST /data_attributes (2.14 `create_data_attribute_request`): `name`, `model` (contact |
   * company) and `data_type` (string | integer | float | boolean | datetime | date | options,
   * the last with at least two `options: [{value}]`) required. A name already used by the model
   * is refused; names differing only in case are distinct attributes.
   */
  createDataAttribute(req: Obj): Obj {
    const { name, model, data_type: dataType, options } = req;
    const bad = (msg: string) => new HttpError(400, 'parameter_invalid', msg);
    if (typeof name !== 'string' || name === '') throw bad('name is required');
    if (model !== 'contact' && model !== 'company') throw bad('model must be one of contact, company');
    const types = ['string', 'integer', 'float', 'boolean', 'datetime', 'date', 'options'];
    if (typeof dataType !== 'string' || !types.includes(dataType)) throw bad(`data_type must be one of ${types.join(', ')}`);
    let values: string[] | undefined;
    if (dataType === 'options') {
      if (!Array.isArray(options) || options.length < 2 || !options.every((o) => typeof (o as Obj)?.value === 'string')) {
        throw bad('options must list at least two {"value": string} objects');
      }
      values = options.map((o) => (o as Obj).value as string);
    }
    if (this.dataAttributes(model).some((a) => a.name === name)) throw bad(`You already have '${name}' in your workspace`);
    const attr = createdDataAttribute(
      model,
      name,
      dataType,
      values,
      typeof req.description === 'string' ? req.description : undefined,
      req.messenger_writable === true,
      this.createdAttributes.length,
      this.clock.now(),
    );
    this.createdAttributes.push(attr);
    return attr;
  }

  // ---- mutations (contacts) ------------------------------------------------------------

  createContact(partial: Obj = {}): Obj {
    const i = this.contacts.allocate();
    const now = this.clock.now();
    const m = baseContact(this.g, i);
    const id = contactId(this.g, i, now);
    const obj: Obj = { ...m.obj, id, created_at: now, updated_at: now, signed_up_at: m.obj.role === 'user' ? now : null, last_seen_at: null };
    for (const k of ['opted_out_subscription_types', 'opted_in_subscription_types']) (obj[k] as Obj).url = `/contacts/${id}/subscriptions`;
    const model: ContactModel = {
      index: i,
      obj,
      tagIds: [],
      companyIds: [],
      noteIds: [],
      searchableAt: now + this.settings.searchIndexLagSeconds,
      fresh: false,
    };
    this.patchRelations(model, partial);
    applyPatch(obj, stripRelations(partial));
    deriveContactFields(obj, partial);
    this.contacts.put(model);
    return contactObject(model);
  }

  updateContact(id: string, patch: Obj = {}): Obj {
    const i = this.need(this.contactIndex(id), 'User');
    const model = clone(this.contacts.get(i) as ContactModel);
    model.fresh = false;
    this.patchRelations(model, patch);
    model.obj.updated_at = this.clock.now();
    applyPatch(model.obj, stripRelations(patch));
    deriveContactFields(model.obj, patch);
    this.contacts.put(model);
    return contactObject(model);
  }

  private patchRelations(m: ContactModel, patch: Obj): void {
    if (Array.isArray(patch.tag_ids)) m.tagIds = patch.tag_ids.map(String);
    if (Array.isArray(patch.company_ids)) m.companyIds = patch.company_ids.map(String);
    if (typeof patch.note_count === 'number') m.noteIds = Array.from({ length: patch.note_count }, (_, k) => String(30_000_000 + m.index * 64 + k));
  }

  deleteContact(id: string): void {
    this.contacts.remove(this.need(this.contactIndex(id), 'User'));
  }

  /** Merged contacts vanish from list and search and 404 by id (2.14:L5426-5428, L5758-5760). */
  mergeContacts(fromId: string, intoId: string): void {
    const from = this.need(this.contactIndex(fromId), 'User');
    this.need(this.contactIndex(intoId), 'User');
    const role = (this.contacts.get(from) as ContactModel).obj.role as string;
    this.contacts.remove(from);
    this.merges.set(fromId, { into: intoId, at: this.clock.now(), role });
    this.updateContact(intoId, {});
  }

  // ---- mutations (companies) -----------------------------------------------------------

  createCompany(partial: Obj = {}): Obj {
    const j = this.companies.allocate();
    const now = this.clock.now();
    const m = baseCompany(this.g, j);
    const model: CompanyModel = {
      ...m,
      obj: { ...m.obj, id: objectId(now, this.g.seed, COMPANY_KIND, j), created_at: now, updated_at: now, last_request_at: now },
      hasUsers: partial.has_users !== false,
    };
    applyPatch(model.obj, stripRelations(partial));
    this.companies.put(model);
    return this.companyObj(j);
  }

  updateCompany(id: string, patch: Obj = {}): Obj {
    const j = this.need(this.companyIndex(id), 'Company', 'company_not_found');
    const model = clone(this.companies.get(j) as CompanyModel);
    model.obj.updated_at = this.clock.now();
    if (typeof patch.has_users === 'boolean') model.hasUsers = patch.has_users;
    applyPatch(model.obj, stripRelations(patch));
    this.companies.put(model);
    return this.companyObj(j);
  }

  // ---- mutations (conversations) -------------------------------------------------------

  createConversation(partial: Obj = {}): Obj {
    const i = this.conversations.allocate();
    const now = this.clock.now();
    const m = baseConversation(this.g, i);
    const model: ConversationModel = { ...m, baseParts: 0, extraParts: [], partsFrom: now, partsTo: now };
    model.obj = { ...m.obj, created_at: now, updated_at: now, waiting_since: now };
    model.extraParts.push(newPart(this.g, model, 0, now));
    model.obj.statistics = statistics(now, now, 1, null);
    applyPatch(model.obj, partial);
    this.conversations.put(model);
    return this.conversationObj(i, true);
  }

  updateConversation(id: string, patch: Obj = {}): Obj {
    const i = this.need(this.conversationIndex(id), 'Conversation');
    const model = clone(this.conversations.get(i) as ConversationModel);
    model.obj.updated_at = this.clock.now();
    if (typeof patch.state === 'string' && patch.open === undefined) patch = { ...patch, open: patch.state !== 'closed' };
    applyPatch(model.obj, patch);
    this.conversations.put(model);
    return this.conversationObj(i, true);
  }

  /**
   * Appends n parts at clock.now(); bumps updated_at and statistics.count_conversation_parts.
   * `patch` (e.g. `{body}`, as a reply would carry) is merged into each new part.
   */
  addConversationParts(id: string, n: number, patch: Obj = {}): void {
    const i = this.need(this.conversationIndex(id), 'Conversation');
    const model = clone(this.conversations.get(i) as ConversationModel);
    const now = this.clock.now();
    const total = this.partCount(model);
    if (total + n > PART_STRIDE) throw new HttpError(422, 'data_invalid', `a conversation holds at most ${PART_STRIDE} parts in the fake`);
    for (let k = 0; k < n; k++) {
      const part = newPart(this.g, model, total + k, now);
      applyPatch(part, patch);
      model.extraParts.push(part);
    }
    model.obj.updated_at = now;
    model.obj.statistics = { ...(model.obj.statistics as Obj), count_conversation_parts: total + n };
    this.conversations.put(model);
  }

  /** Permanent delete (2.14:L7312-7318); feeds GET /conversations/deleted (2.16:L13521+). */
  deleteConversation(id: string): void {
    const i = this.need(this.conversationIndex(id), 'Conversation');
    this.conversations.remove(i);
    this.deletedConversations.push({ id, deleted_at: this.clock.now() });
  }

  // ---- mutations (tickets) -------------------------------------------------------------

  createTicket(partial: Obj = {}): Obj {
    const i = this.tickets.allocate();
    const now = this.clock.now();
    const m = baseTicket(this.g, i);
    const model: TicketModel = { ...m, obj: { ...m.obj, created_at: now, updated_at: now, ticket_state: ticketState(0), open: true } };
    applyTicketPatch(model.obj, partial);
    this.tickets.put(model);
    return this.ticketObj(i);
  }

  updateTicket(id: string, patch: Obj = {}): Obj {
    const i = this.need(this.ticketIndex(id), 'Ticket', 'ticket_not_found');
    const model = clone(this.tickets.get(i) as TicketModel);
    model.obj.updated_at = this.clock.now();
    applyTicketPatch(model.obj, patch);
    this.tickets.put(model);
    return this.ticketObj(i);
  }

  deleteTicket(id: string): void {
    this.tickets.remove(this.need(this.ticketIndex(id), 'Ticket', 'ticket_not_found'));
  }
}

function stripRelations(p: Obj): Obj {
  const { tag_ids: _t, company_ids: _c, note_count: _n, has_users: _h, ...rest } = p;
  return rest;
}

/** `ticket_state` may be patched by category name ('resolved') for convenience. */
function applyTicketPatch(obj: Obj, patch: Obj): void {
  const { ticket_state, ...rest } = patch;
  if (typeof ticket_state === 'string') {
    const k = ['submitted', 'in_progress', 'waiting_on_customer', 'resolved'].indexOf(ticket_state);
    if (k < 0) throw new HttpError(400, 'parameter_invalid', `unknown ticket_state ${ticket_state}`);
    obj.ticket_state = ticketState(k);
    obj.open = k !== 3;
  }
  applyPatch(obj, rest);
}
