/**
 * JSON bytes of a base contact, straight from its draw (no object, no JSON.stringify): the fast
 * path of GET /contacts and POST /contacts/search pages (see ../json.ts for why). It must stay
 * byte-for-byte equal to `JSON.stringify(renderContact(contactObject(baseContact(g, i)), v))`,
 * key order included; tests/fake-intercom/fast-json.test.ts checks that across versions. A change
 * to the contact shape in contacts.ts or versions.ts must be mirrored here.
 */
import { type ByteWriter, lit, putAscii, putBytes, putDigits } from '../bytes.js';
import type { Variant } from '../json.js';
import { companyId } from './companies.js';
import { CONTACT_KIND, drawContact, emailLocal } from './contacts.js';
import type { Gen } from './context.js';
import { NOTE_ID_BASE, objectId } from './ids.js';
import { BROWSERS, CONTACT_ATTRS, COUNTRIES, DOMAINS, FIRST, LAST, OSES } from './names.js';
import { tagId } from './workspace.js';

const cat = (...xs: (string | Uint8Array)[]) => {
  const parts = xs.map((x) => (typeof x === 'string' ? lit(x) : x));
  const out = new Uint8Array(parts.reduce((n, b) => n + b.length, 0));
  let p = 0;
  for (const b of parts) {
    out.set(b, p);
    p += b.length;
  }
  return out;
};
const s = (x: unknown) => JSON.stringify(x);

/*
 * The record is copied from pre-encoded pieces. Where a field has few possible values, the
 * value is fused with the constant text around it (e.g. one piece per browser holding
 * `…"language_override":null,"browser":"chrome","browser_version":"`), so a record is about
 * fifty copies and a dozen numbers. Each piece's text is listed in field order below.
 */
const OPEN = lit('{"type":"contact","id":"');
const EXT_USER = lit(',"external_id":"ext-');
const ROLE_USER = lit('","role":"user","email":"');
const EXT_LEAD = lit(',"external_id":null,"role":"lead","email":"');
/** `<local>.` of the email, per first name. */
const EMAIL_LOCAL = FIRST.map((f) => lit(`${emailLocal(f)}.`));
/** `@<domain>","email_domain":"<domain>","phone":`, per domain. */
const EMAIL_DOMAIN = DOMAINS.map((d) => cat(`@${d}`, '","email_domain":', s(d), ',"phone":'));
const PHONE_NULL_NAME = lit('null,"name":');
const PHONE_OPEN = lit('"+1555');
const PHONE_CLOSE_NAME = lit('","name":');
/** `"<first> <last>","owner_id":` per name (first × last), and the unnamed one. */
const NAME_OWNER = FIRST.flatMap((f) => LAST.map((l) => cat(s(`${f} ${l}`), ',"owner_id":')));
const NULL_NAME_OWNER = lit('null,"owner_id":');
const NULL = lit('null');
/** `,"has_hard_bounced":…,"marked_email_as_spam":…,"unsubscribed_from_emails":…,"created_at":`, by the three flags as bits. */
const FLAGS = Array.from({ length: 8 }, (_, k) =>
  lit(`,"has_hard_bounced":${!!(k & 4)},"marked_email_as_spam":${!!(k & 2)},"unsubscribed_from_emails":${!!(k & 1)},"created_at":`),
);
const UPDATED = lit(',"updated_at":');
const SIGNED_UP = lit(',"signed_up_at":');
const LAST_SEEN = lit(',"last_seen_at":');
const LAST_REPLIED = lit(',"last_replied_at":');
const LAST_CONTACTED = lit(',"last_contacted_at":');
/** Up to `"browser_version":"`, per browser. */
const BROWSER = BROWSERS.map((b) =>
  cat(',"last_email_opened_at":null,"last_email_clicked_at":null,"language_override":null,"browser":', s(b), ',"browser_version":"'),
);
/** From `.0.0"` to the first custom attribute's key, per OS. */
const OS = OSES.map((o) =>
  cat(
    '.0.0","browser_language":"en","os":',
    s(o),
    ',"android_app_name":null,"android_app_version":null,"android_device":null,"android_os_version":null,' +
      '"android_sdk_version":null,"android_last_seen_at":null,"ios_app_name":null,"ios_app_version":null,"ios_device":null,' +
      '"ios_os_version":null,"ios_sdk_version":null,"ios_last_seen_at":null,"custom_attributes":{',
  ),
);
/** `"name":` of each custom attribute, the first without a leading comma; and with each constant value. */
const ATTR_KEY = CONTACT_ATTRS.map((a, k) => lit((k ? ',' : '') + s(a.name) + ':'));
const ATTR_NULL = ATTR_KEY.map((k) => cat(k, 'null'));
const ATTR_TRUE = ATTR_KEY.map((k) => cat(k, 'true'));
const ATTR_FALSE = ATTR_KEY.map((k) => cat(k, 'false'));
const ATTR_STR = ATTR_KEY.map((k) => cat(k, '"'));
const AVATAR_URL = lit('},"avatar":{"type":"avatar","image_url":"https://static.intercomassets.test/avatars/');
const SOCIAL_SUBS = ',"social_profiles":{"type":"list","data":[]},"opted_out_subscription_types":{"type":"list","data":[],"url":"/contacts/';
const locationOf = ([country, country_code, continent_code, region, city]: (typeof COUNTRIES)[number]) =>
  s({ type: 'location', country, region, city, country_code, continent_code });
/** From the avatar URL's end to the first subscriptions URL's contact id, per country. */
const AVATAR_END = COUNTRIES.map((c) => cat('.png"},"location":', locationOf(c), SOCIAL_SUBS));
/** The same for a contact without avatar. */
const AVATAR_NULL = COUNTRIES.map((c) => cat('},"avatar":{"type":"avatar","image_url":null},"location":', locationOf(c), SOCIAL_SUBS));
const SUBS_END = '/subscriptions","total_count":0,"has_more":false}';
const SUBS_IN = lit(SUBS_END + ',"opted_in_subscription_types":{"type":"list","data":[],"url":"/contacts/');
const LIST_OPEN = '{"type":"list","data":[';
const SUBS_TAGS = lit(
  SUBS_END +
    ',"utm_campaign":null,"utm_content":null,"utm_medium":null,"utm_source":null,"utm_term":null,"referrer":null,"enabled_push_messaging":null,"tags":' +
    LIST_OPEN,
);
const LIST_URL = lit('],"url":"/contacts/');
const TAGS_TOTAL = lit('/tags","total_count":');
const NOTES_TOTAL = lit('/notes","total_count":');
const COMPANIES_TOTAL = lit('/companies","total_count":');
/** `,"has_more":…}` and the next list's opening, by has_more. */
const MORE_NOTES = [lit(`,"has_more":false},"notes":${LIST_OPEN}`), lit(`,"has_more":true},"notes":${LIST_OPEN}`)];
const MORE_COMPANIES = [lit(`,"has_more":false},"companies":${LIST_OPEN}`), lit(`,"has_more":true},"companies":${LIST_OPEN}`)];
const MORE_END = [lit(',"has_more":false}'), lit(',"has_more":true}')];
const NOTE_ITEM = lit('{"type":"note","id":"');
const NOTE_URL = lit('","url":"/notes/');
const ITEM_CLOSE = lit('"}');
const FORMATTED_PHONE = lit(',"formatted_phone":');
const item = (type: string, id: string, url: string) => lit(s({ type, id, url }));

/** Pieces that depend on the workspace (its id, tags, companies), built once per workspace. */
interface WorkspacePieces {
  /** `","workspace_id":"<app id>"`. */
  workspace: Uint8Array;
  /** The middle 8 hex digits of this workspace's contact ids (ids.objectId). */
  contactTag: Uint8Array;
  /** `{"type":"tag","id":…,"url":…}` per tag index. */
  tags: Uint8Array[];
  /** The same per company index (filled on first use). */
  companies: Uint8Array[];
}

const pieces = new WeakMap<Gen, WorkspacePieces>();

function workspacePieces(g: Gen): WorkspacePieces {
  let x = pieces.get(g);
  if (!x) {
    x = {
      workspace: lit(`","workspace_id":${s(g.appId)}`),
      contactTag: lit(objectId(0, g.seed, CONTACT_KIND, 0).slice(8, 16)),
      tags: Array.from({ length: g.counts.tags }, (_, k) => item('tag', tagId(k), `/tags/${tagId(k)}`)),
      companies: [],
    };
    pieces.set(g, x);
  }
  return x;
}

function companyItem(g: Gen, x: WorkspacePieces, j: number): Uint8Array {
  let b = x.companies[j];
  if (!b) {
    const id = companyId(g, j);
    x.companies[j] = b = item('company', id, `/companies/${id}`);
  }
  return b;
}

// ---- writing into the buffer: each helper takes the position and returns the new one ----

/**
 * A string that JSON.stringify leaves as is (printable ASCII but `"` and `\`), or -1 (nothing
 * usable written) for any other string.
 */
function plain(buf: Buffer, p: number, t: string): number {
  const n = t.length;
  for (let k = 0; k < n; k++) {
    const c = t.charCodeAt(k);
    if (c < 0x20 || c > 0x7e || c === 34 || c === 92) return -1;
    buf[p + k] = c;
  }
  return p + n;
}

/**
 * A positive number with at most two decimals below 1e9 (mrr: `round(r·100000)/100`) as
 * String(x) prints it — the shortest decimal that reads back as x, which for n/100 is n/100's
 * own digits without trailing zeros — or -1 for any other number. Number-to-string of a
 * fraction is the slowest field of a contact otherwise.
 */
function cents(buf: Buffer, p: number, x: number): number {
  if (!(x > 0 && x < 1e9)) return -1;
  const n = Math.round(x * 100);
  if (n / 100 !== x) return -1;
  const whole = Math.floor(n / 100);
  const frac = n - whole * 100;
  p = putDigits(buf, p, whole);
  if (frac === 0) return p;
  buf[p++] = 46; // '.'
  buf[p++] = 48 + Math.floor(frac / 10);
  if (frac % 10 !== 0) buf[p++] = 48 + (frac % 10);
  return p;
}

/** hex(x, 8) of ids.ts: the low 32 bits of x as 8 lowercase hex digits. */
function hex8(buf: Buffer, p: number, x: number): number {
  let v = x >>> 0;
  for (let q = p + 7; q >= p; q--) {
    buf[q] = HEX[v & 15] as number;
    v >>>= 4;
  }
  return p + 8;
}

const HEX = lit('0123456789abcdef');

/** A copy of `n` bytes written earlier at `from` (the contact id, repeated in every URL). */
function again(buf: Buffer, p: number, from: number, n: number): number {
  for (let k = 0; k < n; k++) buf[p + k] = buf[from + k] as number;
  return p + n;
}

/** Upper bound of one record's bytes: about 2.8 KB plain, under 5 KB with 10 items in each sub-list. */
const RECORD_MAX = 16384;

/** Writes base contact `i` rendered for variant `v`. */
export function writeBaseContact(w: ByteWriter, g: Gen, i: number, v: Variant): void {
  const d = drawContact(g, i);
  const { t, rel } = d;
  const ws = workspacePieces(g);
  w.reserve(RECORD_MAX);
  let buf = w.buf;
  let p = putBytes(buf, w.pos, OPEN);
  // The id: contactId = objectId(created_at, seed, CONTACT_KIND, i), its 24 hex digits written here.
  const idAt = p;
  p = hex8(buf, p, t.created_at);
  p = putBytes(buf, p, ws.contactTag);
  p = hex8(buf, p, i);
  const idLen = p - idAt;
  p = putBytes(buf, p, ws.workspace);
  if (t.signed_up_at !== null) {
    p = putBytes(buf, p, EXT_USER);
    p = putDigits(buf, p, i);
    p = putBytes(buf, p, ROLE_USER);
  } else p = putBytes(buf, p, EXT_LEAD);
  p = putBytes(buf, p, EMAIL_LOCAL[d.first] as Uint8Array);
  p = putDigits(buf, p, i);
  p = putBytes(buf, p, EMAIL_DOMAIN[d.domain] as Uint8Array);
  if (d.phone === null) p = putBytes(buf, p, PHONE_NULL_NAME);
  else {
    p = putBytes(buf, p, PHONE_OPEN);
    p = putAscii(buf, p, d.phone);
    p = putBytes(buf, p, PHONE_CLOSE_NAME);
  }
  p = putBytes(buf, p, d.hasName ? (NAME_OWNER[d.first * LAST.length + d.last] as Uint8Array) : NULL_NAME_OWNER);
  if (d.ownerId === null) p = putBytes(buf, p, NULL);
  else if (v.v216) {
    // 2.16: owner_id is a string (notes §5)
    buf[p++] = 34;
    p = putDigits(buf, p, d.ownerId);
    buf[p++] = 34;
  } else p = putDigits(buf, p, d.ownerId);
  p = putBytes(buf, p, FLAGS[(d.hardBounced ? 4 : 0) | (d.spam ? 2 : 0) | (d.unsubscribed ? 1 : 0)] as Uint8Array);
  p = putDigits(buf, p, t.created_at);
  p = putBytes(buf, p, UPDATED);
  p = putDigits(buf, p, t.updated_at);
  p = putBytes(buf, p, SIGNED_UP);
  p = t.signed_up_at === null ? putBytes(buf, p, NULL) : putDigits(buf, p, t.signed_up_at);
  p = putBytes(buf, p, LAST_SEEN);
  p = t.last_seen_at === null ? putBytes(buf, p, NULL) : putDigits(buf, p, t.last_seen_at);
  p = putBytes(buf, p, LAST_REPLIED);
  p = d.lastRepliedAt === null ? putBytes(buf, p, NULL) : putDigits(buf, p, d.lastRepliedAt);
  p = putBytes(buf, p, LAST_CONTACTED);
  p = d.lastContactedAt === null ? putBytes(buf, p, NULL) : putDigits(buf, p, d.lastContactedAt);
  p = putBytes(buf, p, BROWSER[d.browser] as Uint8Array);
  p = putDigits(buf, p, d.browserVersion);
  p = putBytes(buf, p, OS[d.os] as Uint8Array);
  const attrs = d.attrs;
  let q: number;
  for (let k = 0; k < attrs.length; k++) {
    const x = attrs[k];
    if (x === null || x === undefined) p = putBytes(buf, p, ATTR_NULL[k] as Uint8Array);
    else if (x === true) p = putBytes(buf, p, ATTR_TRUE[k] as Uint8Array);
    else if (x === false) p = putBytes(buf, p, ATTR_FALSE[k] as Uint8Array);
    else if (typeof x === 'number' && x >= 0 && x <= Number.MAX_SAFE_INTEGER && Math.floor(x) === x) {
      p = putBytes(buf, p, ATTR_KEY[k] as Uint8Array);
      p = putDigits(buf, p, x);
    } else if (typeof x === 'number' && (q = cents(buf, putBytes(buf, p, ATTR_KEY[k] as Uint8Array), x)) > 0) {
      p = q;
    } else if (typeof x === 'string' && (q = plain(buf, putBytes(buf, p, ATTR_STR[k] as Uint8Array), x)) > 0) {
      p = q;
      buf[p++] = 34;
    } else {
      // Fractions (mrr) and anything unusual: the writer's exact path, then back to the local buffer.
      p = putBytes(buf, p, ATTR_KEY[k] as Uint8Array);
      w.pos = p;
      if (typeof x === 'number') w.num(x);
      else w.str(x as string);
      w.reserve(RECORD_MAX);
      buf = w.buf;
      p = w.pos;
    }
  }
  if (d.avatar) {
    p = putBytes(buf, p, AVATAR_URL);
    p = putDigits(buf, p, i);
    p = putBytes(buf, p, AVATAR_END[d.country] as Uint8Array);
  } else p = putBytes(buf, p, AVATAR_NULL[d.country] as Uint8Array);
  p = again(buf, p, idAt, idLen);
  p = putBytes(buf, p, SUBS_IN);
  p = again(buf, p, idAt, idLen);
  p = putBytes(buf, p, SUBS_TAGS);
  // tags, notes, companies: "Up to 10 will be displayed here. Use the url to get more." (2.14:L16607-16632)
  const tags = rel.tags;
  for (let x = 0; x < tags.length && x < 10; x++) {
    if (x) buf[p++] = 44;
    p = putBytes(buf, p, ws.tags[tags[x] as number] as Uint8Array);
  }
  p = putBytes(buf, p, LIST_URL);
  p = again(buf, p, idAt, idLen);
  p = putBytes(buf, p, TAGS_TOTAL);
  p = putDigits(buf, p, tags.length);
  p = putBytes(buf, p, MORE_NOTES[tags.length > 10 ? 1 : 0] as Uint8Array);
  const notes = rel.notes;
  for (let k = 0; k < notes && k < 10; k++) {
    if (k) buf[p++] = 44;
    p = putBytes(buf, p, NOTE_ITEM);
    const at = p;
    p = putDigits(buf, p, NOTE_ID_BASE + i * 32 + k); // = noteId(i, k)
    const n = p - at;
    p = putBytes(buf, p, NOTE_URL);
    p = again(buf, p, at, n);
    p = putBytes(buf, p, ITEM_CLOSE);
  }
  p = putBytes(buf, p, LIST_URL);
  p = again(buf, p, idAt, idLen);
  p = putBytes(buf, p, NOTES_TOTAL);
  p = putDigits(buf, p, notes);
  p = putBytes(buf, p, MORE_COMPANIES[notes > 10 ? 1 : 0] as Uint8Array);
  const companies = rel.companies;
  for (let x = 0; x < companies.length && x < 10; x++) {
    if (x) buf[p++] = 44;
    p = putBytes(buf, p, companyItem(g, ws, companies[x] as number));
  }
  p = putBytes(buf, p, LIST_URL);
  p = again(buf, p, idAt, idLen);
  p = putBytes(buf, p, COMPANIES_TOTAL);
  p = putDigits(buf, p, companies.length);
  p = putBytes(buf, p, MORE_END[companies.length > 10 ? 1 : 0] as Uint8Array);
  if (v.legacyPhone) {
    p = putBytes(buf, p, FORMATTED_PHONE); // ≤2.11 (notes §5), appended last as versions.renderContact does
    if (d.phone === null) p = putBytes(buf, p, NULL);
    else {
      p = putBytes(buf, p, PHONE_OPEN);
      p = putAscii(buf, p, d.phone);
      buf[p++] = 34;
    }
  }
  buf[p++] = 125;
  w.pos = p;
}
