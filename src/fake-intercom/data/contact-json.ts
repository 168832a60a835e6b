/**
 * JSON text of a base contact, straight from its draw (no object, no JSON.stringify): the fast
 * path of GET /contacts and POST /contacts/search pages (see ../json.ts for why and for byte
 * strings). It must stay byte-for-byte equal to
 * `JSON.stringify(renderContact(contactObject(baseContact(g, i)), v))`, key order included;
 * tests/fake-intercom/fast-json.test.ts checks that across versions. A change to the contact
 * shape in contacts.ts or versions.ts must be mirrored here.
 */
import { type Variant, str, strTable, u8 } from '../json.js';
import { companyId } from './companies.js';
import { type ContactDraw, drawContact, emailLocal, noteId } from './contacts.js';
import type { Gen } from './context.js';
import { BROWSERS, CONTACT_ATTRS, COUNTRIES, DOMAINS, FIRST, LAST, OSES } from './names.js';
import { tagId } from './workspace.js';

const NAMES = FIRST.flatMap((f) => LAST.map((l) => u8(JSON.stringify(`${f} ${l}`))));
const EMAIL_LOCAL = FIRST.map((f) => u8(emailLocal(f)));
const DOMAIN_RAW = DOMAINS.map(u8);
const DOMAIN_STR = strTable(DOMAINS);
const BROWSER_STR = strTable(BROWSERS);
const OS_STR = strTable(OSES);
const LOCATION = COUNTRIES.map(([country, country_code, continent_code, region, city]) =>
  u8(JSON.stringify({ type: 'location', country, region, city, country_code, continent_code })));
/** `"name":` of each custom attribute, the first without a leading comma. */
const ATTR_KEYS = CONTACT_ATTRS.map((a, k) => (k ? ',' : '') + u8(JSON.stringify(a.name)) + ':');

const NULLS_1 = ',"last_email_opened_at":null,"last_email_clicked_at":null,"language_override":null,"browser":';
const NULLS_2 = ',"android_app_name":null,"android_app_version":null,"android_device":null,"android_os_version":null,'
  + '"android_sdk_version":null,"android_last_seen_at":null,"ios_app_name":null,"ios_app_version":null,"ios_device":null,'
  + '"ios_os_version":null,"ios_sdk_version":null,"ios_last_seen_at":null,"custom_attributes":{';
const NULLS_3 = ',"utm_campaign":null,"utm_content":null,"utm_medium":null,"utm_source":null,"utm_term":null,"referrer":null,"enabled_push_messaging":null,"tags":';

const companyIds = new WeakMap<Gen, string[]>();

/** Company ids are hashes of the company's creation time: memoised per workspace (few companies, many contacts). */
function companyIdOf(g: Gen, j: number): string {
  let ids = companyIds.get(g);
  if (!ids) companyIds.set(g, (ids = []));
  return (ids[j] ??= companyId(g, j));
}

const n = (x: number | null) => (x === null ? 'null' : '' + x);
const b = (x: boolean) => (x ? 'true' : 'false');

function attrs(d: ContactDraw): string {
  let s = '';
  for (let k = 0; k < ATTR_KEYS.length; k++) {
    const x = d.attrs[k];
    s += ATTR_KEYS[k] + (x === null ? 'null' : typeof x === 'string' ? str(x) : '' + x);
  }
  return s;
}

/** `{"type":"list","data":[...≤10],"url":…,"total_count":n,"has_more":…}` (2.14:L16607-16632). */
function truncated(ids: string[], type: string, prefix: string, listUrl: string): string {
  let s = '{"type":"list","data":[';
  const k = Math.min(10, ids.length);
  for (let x = 0; x < k; x++) s += (x ? ',{"type":"' : '{"type":"') + type + '","id":"' + ids[x] + '","url":"' + prefix + ids[x] + '"}';
  return s + '],"url":"' + listUrl + '","total_count":' + ids.length + ',"has_more":' + b(ids.length > 10) + '}';
}

/** Byte string of base contact `i` rendered for variant `v`. */
export function baseContactJson(g: Gen, i: number, v: Variant): string {
  const d = drawContact(g, i);
  const { t, id } = d;
  const user = t.signed_up_at !== null;
  const phone = d.phone === null ? 'null' : '"+1555' + d.phone + '"';
  const owner = d.ownerId === null ? 'null' : v.v216 ? '"' + d.ownerId + '"' : '' + d.ownerId;
  const base = '/contacts/' + id;
  const subs = '{"type":"list","data":[],"url":"' + base + '/subscriptions","total_count":0,"has_more":false}';
  const rel = d.rel;
  const tags = rel.tags.map(tagId);
  const companies = rel.companies.map((j) => companyIdOf(g, j));
  const notes: string[] = [];
  for (let k = 0; k < rel.notes; k++) notes.push(noteId(i, k));
  return '{"type":"contact","id":"' + id + '","workspace_id":"' + g.appId
    + '","external_id":' + (user ? '"ext-' + i + '"' : 'null')
    + ',"role":' + (user ? '"user"' : '"lead"')
    + ',"email":"' + EMAIL_LOCAL[d.first] + '.' + i + '@' + DOMAIN_RAW[d.domain]
    + '","email_domain":' + DOMAIN_STR[d.domain]
    + ',"phone":' + phone
    + ',"name":' + (d.hasName ? NAMES[d.first * LAST.length + d.last] : 'null')
    + ',"owner_id":' + owner
    + ',"has_hard_bounced":' + b(d.hardBounced)
    + ',"marked_email_as_spam":' + b(d.spam)
    + ',"unsubscribed_from_emails":' + b(d.unsubscribed)
    + ',"created_at":' + t.created_at
    + ',"updated_at":' + t.updated_at
    + ',"signed_up_at":' + n(t.signed_up_at)
    + ',"last_seen_at":' + n(t.last_seen_at)
    + ',"last_replied_at":' + n(d.lastRepliedAt)
    + ',"last_contacted_at":' + n(d.lastContactedAt)
    + NULLS_1 + BROWSER_STR[d.browser]
    + ',"browser_version":"' + d.browserVersion + '.0.0","browser_language":"en","os":' + OS_STR[d.os]
    + NULLS_2 + attrs(d)
    + '},"avatar":{"type":"avatar","image_url":' + (d.avatar ? '"https://static.intercomassets.test/avatars/' + i + '.png"' : 'null')
    + '},"location":' + LOCATION[d.country]
    + ',"social_profiles":{"type":"list","data":[]},"opted_out_subscription_types":' + subs
    + ',"opted_in_subscription_types":' + subs
    + NULLS_3 + truncated(tags, 'tag', '/tags/', base + '/tags')
    + ',"notes":' + truncated(notes, 'note', '/notes/', base + '/notes')
    + ',"companies":' + truncated(companies, 'company', '/companies/', base + '/companies')
    + (v.legacyPhone ? ',"formatted_phone":' + phone : '')
    + '}';
}
