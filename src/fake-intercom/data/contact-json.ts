/**
 * JSON bytes of a base contact, straight from its draw (no object, no JSON.stringify): the fast
 * path of GET /contacts and POST /contacts/search pages (see ../json.ts for why). It must stay
 * byte-for-byte equal to `JSON.stringify(renderContact(contactObject(baseContact(g, i)), v))`,
 * key order included; tests/fake-intercom/fast-json.test.ts checks that across versions. A change
 * to the contact shape in contacts.ts or versions.ts must be mirrored here.
 */
import { type ByteWriter, lit } from '../bytes.js';
import type { Variant } from '../json.js';
import { companyId } from './companies.js';
import { drawContact, emailLocal, noteId } from './contacts.js';
import type { Gen } from './context.js';
import { BROWSERS, CONTACT_ATTRS, COUNTRIES, DOMAINS, FIRST, LAST, OSES } from './names.js';
import { tagId } from './workspace.js';

const json = (x: unknown) => lit(JSON.stringify(x));
const NAMES = FIRST.flatMap((f) => LAST.map((l) => json(`${f} ${l}`)));
const EMAIL_LOCAL = FIRST.map((f) => emailLocal(f));
const DOMAIN_RAW = DOMAINS.map((d) => lit(d));
const DOMAIN_STR = DOMAINS.map(json);
const BROWSER_STR = BROWSERS.map(json);
const OS_STR = OSES.map(json);
const LOCATION = COUNTRIES.map(([country, country_code, continent_code, region, city]) =>
  json({ type: 'location', country, region, city, country_code, continent_code }));
/** `"name":` of each custom attribute, the first without a leading comma. */
const ATTR_KEYS = CONTACT_ATTRS.map((a, k) => lit((k ? ',' : '') + JSON.stringify(a.name) + ':'));

const P = {
  open: lit('{"type":"contact","id":"'),
  workspace: lit('","workspace_id":'),
  extIdUser: lit(',"external_id":"ext-'),
  extIdLead: lit(',"external_id":null,"role":"lead","email":"'),
  roleUser: lit('","role":"user","email":"'),
  emailDomain: lit('","email_domain":'),
  phone: lit(',"phone":'),
  phonePrefix: lit('"+1555'),
  name: lit(',"name":'),
  owner: lit(',"owner_id":'),
  hard: lit(',"has_hard_bounced":'),
  spam: lit(',"marked_email_as_spam":'),
  unsub: lit(',"unsubscribed_from_emails":'),
  created: lit(',"created_at":'),
  updated: lit(',"updated_at":'),
  signedUp: lit(',"signed_up_at":'),
  lastSeen: lit(',"last_seen_at":'),
  lastReplied: lit(',"last_replied_at":'),
  lastContacted: lit(',"last_contacted_at":'),
  nulls1: lit(',"last_email_opened_at":null,"last_email_clicked_at":null,"language_override":null,"browser":'),
  browserVersion: lit(',"browser_version":"'),
  os: lit('.0.0","browser_language":"en","os":'),
  nulls2: lit(',"android_app_name":null,"android_app_version":null,"android_device":null,"android_os_version":null,'
    + '"android_sdk_version":null,"android_last_seen_at":null,"ios_app_name":null,"ios_app_version":null,"ios_device":null,'
    + '"ios_os_version":null,"ios_sdk_version":null,"ios_last_seen_at":null,"custom_attributes":{'),
  avatarUrl: lit('},"avatar":{"type":"avatar","image_url":"https://static.intercomassets.test/avatars/'),
  avatarUrlEnd: lit('.png"},"location":'),
  avatarNull: lit('},"avatar":{"type":"avatar","image_url":null},"location":'),
  subsOut: lit(',"social_profiles":{"type":"list","data":[]},"opted_out_subscription_types":{"type":"list","data":[],"url":"/contacts/'),
  subsEnd: lit('/subscriptions","total_count":0,"has_more":false}'),
  subsIn: lit(',"opted_in_subscription_types":{"type":"list","data":[],"url":"/contacts/'),
  nulls3: lit(',"utm_campaign":null,"utm_content":null,"utm_medium":null,"utm_source":null,"utm_term":null,"referrer":null,"enabled_push_messaging":null,"tags":'),
  listOpen: lit('{"type":"list","data":['),
  listUrl: lit('],"url":"/contacts/'),
  total: lit('","total_count":'),
  hasMore: lit(',"has_more":'),
  notes: lit(',"notes":'),
  companies: lit(',"companies":'),
  formattedPhone: lit(',"formatted_phone":'),
  null: lit('null'),
  q: lit('"'),
};

interface Sub {
  item: Uint8Array;
  url: Uint8Array;
  close: Uint8Array;
  suffix: string;
}
const sub = (type: string, path: string, suffix: string): Sub => ({
  item: lit(`{"type":"${type}","id":"`),
  url: lit(`","url":"${path}`),
  close: lit('"}'),
  suffix,
});
const TAGS = sub('tag', '/tags/', '/tags');
const NOTES = sub('note', '/notes/', '/notes');
const COMPANIES = sub('company', '/companies/', '/companies');

const companyIds = new WeakMap<Gen, string[]>();

/** Company ids are hashes of the company's creation time: memoised per workspace (few companies, many contacts). */
function companyIdOf(g: Gen, j: number): string {
  let ids = companyIds.get(g);
  if (!ids) companyIds.set(g, (ids = []));
  return (ids[j] ??= companyId(g, j));
}

/** `{"type":"list","data":[...≤10],"url":…,"total_count":n,"has_more":…}` (2.14:L16607-16632). */
function truncated(w: ByteWriter, ids: string[], s: Sub, id: string): void {
  w.bytes(P.listOpen);
  const k = Math.min(10, ids.length);
  for (let x = 0; x < k; x++) {
    if (x) w.byte(44);
    const v = ids[x] as string;
    w.bytes(s.item);
    w.ascii(v);
    w.bytes(s.url);
    w.ascii(v);
    w.bytes(s.close);
  }
  w.bytes(P.listUrl);
  w.ascii(id);
  w.ascii(s.suffix);
  w.bytes(P.total);
  w.num(ids.length);
  w.bytes(P.hasMore);
  w.bool(ids.length > 10);
  w.byte(125);
}

function writePhone(w: ByteWriter, digits: string | null): void {
  if (digits === null) return w.bytes(P.null);
  w.bytes(P.phonePrefix);
  w.ascii(digits);
  w.bytes(P.q);
}

/** Writes base contact `i` rendered for variant `v`. */
export function writeBaseContact(w: ByteWriter, g: Gen, i: number, v: Variant): void {
  const d = drawContact(g, i);
  const { t, id, rel } = d;
  w.bytes(P.open);
  w.ascii(id);
  w.bytes(P.workspace);
  w.str(g.appId);
  if (t.signed_up_at !== null) {
    w.bytes(P.extIdUser);
    w.num(i);
    w.bytes(P.roleUser);
  } else w.bytes(P.extIdLead);
  w.ascii(EMAIL_LOCAL[d.first] as string);
  w.byte(46); // '.'
  w.num(i);
  w.byte(64); // '@'
  w.bytes(DOMAIN_RAW[d.domain] as Uint8Array);
  w.bytes(P.emailDomain);
  w.bytes(DOMAIN_STR[d.domain] as Uint8Array);
  w.bytes(P.phone);
  writePhone(w, d.phone);
  w.bytes(P.name);
  w.bytes(d.hasName ? (NAMES[d.first * LAST.length + d.last] as Uint8Array) : P.null);
  w.bytes(P.owner);
  if (d.ownerId === null) w.bytes(P.null);
  else if (v.v216) w.str(String(d.ownerId)); // 2.16: owner_id is a string (notes §5)
  else w.num(d.ownerId);
  w.bytes(P.hard);
  w.bool(d.hardBounced);
  w.bytes(P.spam);
  w.bool(d.spam);
  w.bytes(P.unsub);
  w.bool(d.unsubscribed);
  w.bytes(P.created);
  w.num(t.created_at);
  w.bytes(P.updated);
  w.num(t.updated_at);
  w.bytes(P.signedUp);
  w.numOrNull(t.signed_up_at);
  w.bytes(P.lastSeen);
  w.numOrNull(t.last_seen_at);
  w.bytes(P.lastReplied);
  w.numOrNull(d.lastRepliedAt);
  w.bytes(P.lastContacted);
  w.numOrNull(d.lastContactedAt);
  w.bytes(P.nulls1);
  w.bytes(BROWSER_STR[d.browser] as Uint8Array);
  w.bytes(P.browserVersion);
  w.num(d.browserVersion);
  w.bytes(P.os);
  w.bytes(OS_STR[d.os] as Uint8Array);
  w.bytes(P.nulls2);
  for (let k = 0; k < ATTR_KEYS.length; k++) {
    w.bytes(ATTR_KEYS[k] as Uint8Array);
    const x = d.attrs[k];
    if (x === null || x === undefined) w.bytes(P.null);
    else if (typeof x === 'string') w.str(x);
    else if (typeof x === 'number') w.num(x);
    else w.bool(x);
  }
  if (d.avatar) {
    w.bytes(P.avatarUrl);
    w.num(i);
    w.bytes(P.avatarUrlEnd);
  } else w.bytes(P.avatarNull);
  w.bytes(LOCATION[d.country] as Uint8Array);
  w.bytes(P.subsOut);
  w.ascii(id);
  w.bytes(P.subsEnd);
  w.bytes(P.subsIn);
  w.ascii(id);
  w.bytes(P.subsEnd);
  w.bytes(P.nulls3);
  truncated(w, rel.tags.map(tagId), TAGS, id);
  w.bytes(P.notes);
  const notes: string[] = [];
  for (let k = 0; k < rel.notes; k++) notes.push(noteId(i, k));
  truncated(w, notes, NOTES, id);
  w.bytes(P.companies);
  truncated(w, rel.companies.map((j) => companyIdOf(g, j)), COMPANIES, id);
  if (v.legacyPhone) {
    w.bytes(P.formattedPhone); // ≤2.11 (notes §5), appended last as versions.renderContact does
    writePhone(w, d.phone);
  }
  w.byte(125);
}
