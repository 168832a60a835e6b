/**
 * Validates response bodies against the response schemas of Intercom's OpenAPI descriptions
 * (shared/intercom-openapi/{2.11,2.14,2.16}). Specs are parsed once per test file (cached).
 *
 * OAS 3.0 → JSON Schema translation, and the spec/reality disagreements tolerated (each one
 * narrow, with its reason):
 *  1. `nullable: true` becomes a `null` member of `type` (or an anyOf with null) — OAS 3.0
 *     semantics, not a tolerance.
 *  2. `format` is dropped on integers/numbers: the spec declares `format: date-time` /
 *     `timestamp` on integer UNIX timestamps (e.g. contact.created_at, 2.14:L16419-16467);
 *     formats only apply to strings anyway, and unknown formats (`timestamp`) are dropped.
 *  3. `format: uri` is checked as `uri-reference`: nested list urls are relative
 *     (`/contacts/<id>/tags`) in every example (2.14:L16607-16632), though typed `uri`.
 *  4. company `custom_attributes` values: the schema says strings, examples and real
 *     responses hold numbers/booleans (notes §8) → any JSON value accepted.
 *  5. data_attribute `model` enum (contact|company) lacks `conversation`, which
 *     GET /data_attributes?model=conversation returns before 2.16 (2.14:L9184-9240) → added.
 *  7. 2.11 marks tag `applied_at`/`applied_by` required, but they only exist when a tag is
 *     returned as part of tagging an object (2.14:L21766-21797; GET /tags example has
 *     neither) → not required.
 *  8. 2.11 `company_scroll.pages` is not nullable, but the scroll example has `pages: null`
 *     (2.14:L3990-4019; 2.14 marks it nullable) → nullable.
 *  9. 2.11 references `#/components/schemas/custom_attributes` without defining it (a dangling
 *     $ref in the spec file) → defined as an object.
 * 10. 2.11 `contact_attached_companies` requires the key `companies`; the example and real
 *     responses use `data` (2.14:L4184-4215, notes §8) → not required.
 * 11. 2.11 `conversation_rating` is not nullable, yet conversations without a rating carry
 *     `null` (2.14 marks it nullable) → nullable.
 * 12. GET /admins/{admin_id} answers `avatar` as an object `{type:'avatar', image_url}` in every
 *     version (a third-party all-fields test against the real 2.12 API; docs/fake-intercom.md
 *     "Evidence"), where the 2.12+ `admin` schema says a URI string. The caller checks the object
 *     and validates the rest with the URL in its place (see `adminAvatarAsUrl`).
 *  6. Page-number lists (companies, articles, collections, news, activity logs) declare
 *     `cursor_pages` whose `next` is an object; the fake sends the next page's URL (as
 *     `pages_link` does, 2.14:L21305; the real shape is NOT CONFIRMED, notes §1.5). The caller
 *     checks the URL and validates the rest with `next: null` (see `pageNumberNext`).
 */
import fs from 'node:fs';
import AjvModule, { type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { parse } from 'yaml';

// ajv/ajv-formats are CommonJS with a `default` export: unwrap for NodeNext typing.
const Ajv = ((AjvModule as unknown as { default?: unknown }).default ?? AjvModule) as typeof AjvModule.default;
type Ajv = InstanceType<typeof Ajv>;
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as typeof addFormatsModule.default;

export const VERSIONS = ['2.11', '2.14', '2.16'] as const;
export type SpecVersion = (typeof VERSIONS)[number];

type Json = Record<string, unknown>;

const specs = new Map<string, Json>();
const validators = new Map<string, ValidateFunction>();
const ajvs = new Map<string, Ajv>();

export function loadSpec(v: SpecVersion): Json {
  let s = specs.get(v);
  if (!s) {
    s = parse(fs.readFileSync(new URL(`../../../shared/intercom-openapi/${v}/api.intercom.io.yaml`, import.meta.url), 'utf8'), { maxAliasCount: -1 }) as Json;
    specs.set(v, s);
  }
  return s;
}

const KNOWN_STRING_FORMATS = new Set(['date-time', 'date', 'email', 'uuid', 'uri-reference', 'ipv4', 'ipv6', 'hostname']);

/** OAS 3.0 schema → JSON Schema (draft-07 as understood by Ajv). */
export function convert(node: unknown, base: string): unknown {
  if (Array.isArray(node)) return node.map((x) => convert(x, base));
  if (!node || typeof node !== 'object') return node;
  const src = node as Json;
  const out: Json = {};
  for (const [k, v] of Object.entries(src)) {
    if (k === 'nullable' || k === 'example' || k === 'examples' || k.startsWith('x-')) continue;
    if (k === '$ref' && typeof v === 'string') out.$ref = v.startsWith('#/') ? base + v : v;
    else if (k === 'properties' && v && typeof v === 'object') {
      out.properties = Object.fromEntries(Object.entries(v as Json).map(([pk, pv]) => [pk, convert(pv, base)]));
    } else out[k] = convert(v, base);
  }
  if (typeof out.format === 'string') {
    if (out.type === 'integer' || out.type === 'number')
      delete out.format; // tolerance 2
    else if (out.format === 'uri')
      out.format = 'uri-reference'; // tolerance 3
    else if (!KNOWN_STRING_FORMATS.has(out.format)) delete out.format;
  }
  if (src.nullable === true) {
    if (typeof out.type === 'string') {
      out.type = [out.type, 'null'];
      if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
    } else return { anyOf: [out, { type: 'null' }] };
  }
  return out;
}

function ajvFor(v: SpecVersion): Ajv {
  let ajv = ajvs.get(v);
  if (ajv) return ajv;
  const spec = loadSpec(v);
  const base = `https://spec.local/${v}`;
  const schemas = convert((spec.components as Json).schemas, base) as Record<string, Json>;
  // tolerance 4
  const company = schemas.company as Json & { properties: Json };
  company.properties.custom_attributes = { type: 'object' };
  // tolerance 5
  const da = (schemas.data_attribute as Json & { properties: Record<string, Json> }).properties.model as Json;
  if (Array.isArray(da.enum)) da.enum = [...da.enum, 'conversation'];
  // tolerance 7
  const tag = schemas.tag as Json;
  if (Array.isArray(tag.required)) tag.required = tag.required.filter((k) => k !== 'applied_at' && k !== 'applied_by');
  // tolerance 8
  const scroll = schemas.company_scroll as Json & { properties: Record<string, Json> };
  if (scroll.properties.pages) scroll.properties.pages = { anyOf: [scroll.properties.pages, { type: 'null' }] };
  // tolerance 10
  const cac = schemas.contact_attached_companies as Json;
  if (Array.isArray(cac.required)) cac.required = cac.required.filter((k) => k !== 'companies');
  // tolerance 11
  for (const name of ['conversation', 'conversation_list_item']) {
    const props = (schemas[name] as (Json & { properties?: Record<string, Json> }) | undefined)?.properties;
    if (props?.conversation_rating) props.conversation_rating = { anyOf: [props.conversation_rating, { type: 'null' }] };
  }
  // tolerance 9
  schemas.custom_attributes ??= { type: 'object' };
  ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true });
  addFormats(ajv);
  ajv.addSchema({ $id: base, components: { schemas } });
  ajvs.set(v, ajv);
  return ajv;
}

/** The 200 response schema of `method path` (spec path template) in version v. */
export function validatorFor(v: SpecVersion, method: string, path: string, status = '200'): ValidateFunction {
  const key = `${v} ${method} ${path} ${status}`;
  const hit = validators.get(key);
  if (hit) return hit;
  const spec = loadSpec(v);
  const op = ((spec.paths as Json)[path] as Json | undefined)?.[method.toLowerCase()] as Json | undefined;
  if (!op) throw new Error(`${v}: no operation ${method} ${path} in the spec`);
  const res = (op.responses as Json)[status] as Json | undefined;
  const schema = ((res?.content as Json | undefined)?.['application/json'] as Json | undefined)?.schema;
  if (!schema) throw new Error(`${v}: ${method} ${path} has no ${status} JSON schema`);
  const fn = ajvFor(v).compile(convert(schema, `https://spec.local/${v}`) as object);
  validators.set(key, fn);
  return fn;
}

/** Returns a readable list of schema violations (empty = conforms). */
export function violations(v: SpecVersion, method: string, path: string, body: unknown, status = '200'): string[] {
  const fn = validatorFor(v, method, path, status);
  if (fn(body)) return [];
  return (fn.errors ?? []).slice(0, 10).map((e) => `${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`);
}

/** Tolerance 6: checks a page-number `next` is a URL (or null) and returns a copy with `next: null`. */
export function pageNumberNext(body: Json): { body: Json; next: string | null } {
  const pages = body.pages as Json | undefined;
  const next = (pages?.next ?? null) as string | null;
  if (next !== null && !/^https?:\/\/[^ ]+[?&]page=\d+/.test(next)) throw new Error(`pages.next is not a page URL: ${String(next)}`);
  return { body: { ...body, pages: pages ? { ...pages, next: null } : pages }, next };
}

/** Tolerance 12: checks an admin's `avatar` is `{type:'avatar', image_url}` and returns a copy with the URL in its place. */
export function adminAvatarAsUrl(body: Json): Json {
  const avatar = body.avatar as Json | null;
  if (!avatar || avatar.type !== 'avatar' || !('image_url' in avatar))
    throw new Error(`admin avatar is not {type:'avatar', image_url}: ${JSON.stringify(avatar)}`);
  return { ...body, avatar: avatar.image_url };
}
