/**
 * Contacts: a pure function of (seed, index). Canonical shape = 2.14 `contact`
 * (2.14:L16353-16584) plus the example-only fields real responses carry (notes §8).
 */
import { STREAM, distinct, int, rng } from '../prng.js';
import type { Obj } from '../types.js';
import { companyId } from './companies.js';
import type { Gen } from './context.js';
import { NOTE_ID_BASE, objectId } from './ids.js';
import { type AttrDef, BROWSERS, CONTACT_ATTRS, COUNTRIES, DOMAINS, FIRST, LAST, OSES } from './names.js';
import { MAX_LAG, baseUpdatedAt } from './timeline.js';
import { attrValue } from './values.js';
import { adminId, tagId } from './workspace.js';

export const CONTACT_KIND = 0xc0;

/** A stored contact: the canonical object (without nested lists) plus its relations. */
export interface ContactModel {
  index: number;
  obj: Obj;
  tagIds: string[];
  companyIds: string[];
  noteIds: string[];
  /** Contacts search ignores a new contact until this instant (index lag, 2.14:L5762-5764). */
  searchableAt: number;
  /** True for a just-generated base model: `obj` is complete and unshared, served as is (hot path). */
  fresh?: boolean;
}

/** Cheap timestamps of a base contact (no object materialised); used by the search planner. */
export function baseContactTimes(g: Gen, i: number): { updated_at: number; created_at: number; signed_up_at: number | null; last_seen_at: number | null } {
  const n = g.counts.contacts;
  const updated = baseUpdatedAt(i, n, g.now0);
  const r = rng(g.seed, STREAM.contact, i, 1);
  const created = updated - Math.floor(r() * MAX_LAG);
  const isUser = r() < 0.7;
  const seen = r() < 0.85 ? updated - Math.floor(r() * Math.min(updated - created + 1, 30 * 86400)) : null;
  return { updated_at: updated, created_at: created, signed_up_at: isUser ? created : null, last_seen_at: seen };
}

/** Relations of a base contact: ~3% have more than 10 tags/companies/notes (truncation, 2.14:L16607-16632). */
export function baseContactRelations(g: Gen, i: number): { tags: number[]; companies: number[]; notes: number } {
  const r = rng(g.seed, STREAM.contact, i, 2);
  const many = r() < 0.03 || i % 97 === 5;
  const nTags = many ? int(r, 11, 25) : int(r, 0, 3);
  const nCompanies = many ? int(r, 11, 14) : int(r, 0, 2);
  const nNotes = many ? int(r, 11, 15) : int(r, 0, 2);
  const populated = populatedCompanyCount(g);
  const picks = distinct(r, Math.min(nCompanies, populated), populated);
  for (let k = 0; k < picks.length; k++) picks[k] = populatedCompany(g, picks[k] as number);
  return { tags: distinct(r, Math.min(nTags, g.counts.tags), g.counts.tags), companies: picks, notes: nNotes };
}

/** Companies whose index ≡ 3 (mod 7) have no users, so lists must hide them (2.14:L3284, L3895). */
function populatedCompanyCount(g: Gen): number {
  const n = g.counts.companies;
  return n - (n > 3 ? Math.floor((n - 4) / 7) + 1 : 0);
}

function populatedCompany(_g: Gen, k: number): number {
  // k-th company index with users (every 7th, index%7==3, is empty).
  const full = Math.floor(k / 6);
  const rem = k % 6;
  return full * 7 + (rem >= 3 ? rem + 1 : rem);
}

export function contactId(g: Gen, i: number, createdAt: number): string {
  return objectId(createdAt, g.seed, CONTACT_KIND, i);
}

export function noteId(i: number, k: number): string {
  return String(NOTE_ID_BASE + i * 32 + k);
}

/**
 * Every random draw of a base contact, in PRNG order. The one source of truth for both the
 * object (`baseContact`) and its JSON text (`contact-json.ts`, the fast path of list/search
 * pages); list entries are indexes into the word lists of names.ts.
 */
export interface ContactDraw {
  i: number;
  t: ReturnType<typeof baseContactTimes>;
  rel: ReturnType<typeof baseContactRelations>;
  first: number;
  last: number;
  domain: number;
  country: number;
  hasName: boolean;
  /** Digits after +1555, or null. */
  phone: string | null;
  ownerId: number | null;
  hardBounced: boolean;
  spam: boolean;
  unsubscribed: boolean;
  lastRepliedAt: number | null;
  lastContactedAt: number | null;
  browser: number;
  browserVersion: number;
  os: number;
  attrs: (string | number | boolean | null)[];
  avatar: boolean;
}

const idx = (r: () => number, n: number) => Math.floor(r() * n); // = pick()'s index

export function drawContact(g: Gen, i: number): ContactDraw {
  const t = baseContactTimes(g, i);
  const rel = baseContactRelations(g, i);
  const r = rng(g.seed, STREAM.contact, i, 3);
  // The id (contactId of created_at) is not drawn: baseContact builds it, contact-json writes its bytes.
  // Same order of r() calls as the object literal this replaced: do not reorder.
  const first = idx(r, FIRST.length);
  const last = idx(r, LAST.length);
  const domain = idx(r, DOMAINS.length);
  const country = idx(r, COUNTRIES.length);
  const hasName = r() < 0.9;
  const phone = r() < 0.4 ? String(int(r, 0, 9999999)).padStart(7, '0') : null;
  const ownerId = r() < 0.5 && g.counts.admins > 0 ? adminId(int(r, 0, g.counts.admins - 1)) : null;
  const hardBounced = r() < 0.02;
  const spam = r() < 0.01;
  const unsubscribed = r() < 0.1;
  const lastRepliedAt = r() < 0.3 ? t.updated_at - int(r, 0, 86400) : null;
  const lastContactedAt = r() < 0.3 ? t.updated_at - int(r, 0, 86400) : null;
  const browser = idx(r, BROWSERS.length);
  const browserVersion = int(r, 90, 130);
  const os = idx(r, OSES.length);
  const attrs: ContactDraw['attrs'] = [];
  for (let k = 0; k < CONTACT_ATTRS.length; k++) attrs.push(attrValue(r, CONTACT_ATTRS[k] as AttrDef, t.updated_at));
  const avatar = r() < 0.5;
  return {
    i,
    t,
    rel,
    first,
    last,
    domain,
    country,
    hasName,
    phone,
    ownerId,
    hardBounced,
    spam,
    unsubscribed,
    lastRepliedAt,
    lastContactedAt,
    browser,
    browserVersion,
    os,
    attrs,
    avatar,
  };
}

/** Local part of a base contact's email: the first name lowercased, letters only. */
export function emailLocal(first: string): string {
  return first.toLowerCase().replace(/[^a-z]/g, '') || 'user';
}

export function baseContact(g: Gen, i: number): ContactModel {
  const d = drawContact(g, i);
  const { t, rel } = d;
  const id = contactId(g, i, t.created_at);
  const first = FIRST[d.first] as string;
  const last = LAST[d.last] as string;
  const domain = DOMAINS[d.domain] as string;
  const role = t.signed_up_at !== null ? 'user' : 'lead';
  const [country, countryCode, continent, region, city] = COUNTRIES[d.country] as (typeof COUNTRIES)[number];
  const custom: Obj = {};
  CONTACT_ATTRS.forEach((a, k) => (custom[a.name] = d.attrs[k]));
  const obj: Obj = {
    type: 'contact',
    id,
    workspace_id: g.appId,
    external_id: role === 'user' ? `ext-${i}` : null,
    role,
    email: `${emailLocal(first)}.${i}@${domain}`,
    email_domain: domain,
    phone: d.phone === null ? null : `+1555${d.phone}`,
    name: d.hasName ? `${first} ${last}` : null,
    owner_id: d.ownerId,
    has_hard_bounced: d.hardBounced,
    marked_email_as_spam: d.spam,
    unsubscribed_from_emails: d.unsubscribed,
    created_at: t.created_at,
    updated_at: t.updated_at,
    signed_up_at: t.signed_up_at,
    last_seen_at: t.last_seen_at,
    last_replied_at: d.lastRepliedAt,
    last_contacted_at: d.lastContactedAt,
    last_email_opened_at: null,
    last_email_clicked_at: null,
    language_override: null,
    browser: BROWSERS[d.browser],
    browser_version: `${d.browserVersion}.0.0`,
    browser_language: 'en',
    os: OSES[d.os],
    android_app_name: null,
    android_app_version: null,
    android_device: null,
    android_os_version: null,
    android_sdk_version: null,
    android_last_seen_at: null,
    ios_app_name: null,
    ios_app_version: null,
    ios_device: null,
    ios_os_version: null,
    ios_sdk_version: null,
    ios_last_seen_at: null,
    custom_attributes: custom,
    avatar: { type: 'avatar', image_url: d.avatar ? `https://static.intercomassets.test/avatars/${i}.png` : null },
    location: { type: 'location', country, region, city, country_code: countryCode, continent_code: continent },
    social_profiles: { type: 'list', data: [] },
    // Example-only fields of real responses (2.14:L5471, L5504, L5516, L5522).
    opted_out_subscription_types: { type: 'list', data: [], url: `/contacts/${id}/subscriptions`, total_count: 0, has_more: false },
    opted_in_subscription_types: { type: 'list', data: [], url: `/contacts/${id}/subscriptions`, total_count: 0, has_more: false },
    utm_campaign: null,
    utm_content: null,
    utm_medium: null,
    utm_source: null,
    utm_term: null,
    referrer: null,
    enabled_push_messaging: null,
  };
  const m: ContactModel = {
    index: i,
    obj,
    tagIds: rel.tags.map(tagId),
    companyIds: rel.companies.map((j) => companyId(g, j)),
    noteIds: Array.from({ length: rel.notes }, (_, k) => noteId(i, k)),
    searchableAt: 0,
    fresh: true,
  };
  // Nested lists added in place: copying a 50-key object per record costs more than generating it.
  obj.tags = truncated(m.tagIds, 'tag', (t) => `/tags/${t}`, `/contacts/${id}/tags`);
  obj.notes = truncated(m.noteIds, 'note', (n) => `/notes/${n}`, `/contacts/${id}/notes`);
  obj.companies = truncated(m.companyIds, 'company', (c) => `/companies/${c}`, `/contacts/${id}/companies`);
  return m;
}

/** Nested sub-list: "Up to 10 will be displayed here. Use the url to get more." (2.14:L16607-16632). */
function truncated(ids: string[], type: string, urlOf: (id: string) => string, listUrl: string): Obj {
  return {
    type: 'list',
    data: ids.slice(0, 10).map((id) => ({ type, id, url: urlOf(id) })),
    url: listUrl,
    total_count: ids.length,
    has_more: ids.length > 10,
  };
}

/** The API object of a contact (canonical version; see versions.renderContact). Always a fresh, unshared object. */
export function contactObject(m: ContactModel): Obj {
  if (m.fresh) {
    m.fresh = false; // hand the generated object out once
    return m.obj;
  }
  const id = m.obj.id as string;
  return {
    ...m.obj,
    tags: truncated(m.tagIds, 'tag', (t) => `/tags/${t}`, `/contacts/${id}/tags`),
    notes: truncated(m.noteIds, 'note', (n) => `/notes/${n}`, `/contacts/${id}/notes`),
    companies: truncated(m.companyIds, 'company', (c) => `/companies/${c}`, `/contacts/${id}/companies`),
  };
}

/** A note of a contact (`note`, 2.14 note_list items). */
export function noteObject(g: Gen, m: ContactModel, k: number, author: Obj | undefined): Obj {
  const r = rng(g.seed, STREAM.note, m.index, k);
  const created = (m.obj.created_at as number) + Math.floor(r() * Math.max(1, (m.obj.updated_at as number) - (m.obj.created_at as number)));
  return {
    type: 'note',
    id: m.noteIds[k],
    created_at: created,
    contact: { type: 'contact', id: m.obj.id },
    author: author ?? null,
    body: `<p>Note ${k + 1}: customer asked about ${['billing', 'SSO', 'exports'][k % 3]}.</p>`,
  };
}
