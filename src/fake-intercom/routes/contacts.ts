/** Contacts: GET /contacts, POST /contacts/search, GET /contacts/{id} and its sub-lists. */
import type { ByteWriter } from '../bytes.js';
import { writeBaseContact } from '../data/contact-json.js';
import type { ContactModel } from '../data/contacts.js';
import { noteObject } from '../data/contacts.js';
import { type Page, searchPage, type Sort } from '../engine.js';
import { cursorPages, nextPageUrl, numberPages, pageNumber, perPage } from '../pagination.js';
import { compileQuery } from '../search.js';
import { contactSchema, contactSearchTarget, contactSegmentIds, contactTarget } from '../targets.js';
import { type RawJson, rawListPage, variantOf } from '../json.js';
import { HttpError, type Obj } from '../types.js';
import { atLeast, renderAdmin, renderContact } from '../versions.js';
import { type Ctx, type Route, route } from './context.js';

function model(c: Ctx, id: string): ContactModel {
  const i = c.w.contactIndex(decodeURIComponent(id));
  // A merged-away contact id is 404 too (2.14:L5426-5428).
  if (i === null) throw new HttpError(404, 'not_found', 'User Not Found');
  return c.w.contacts.get(i) as ContactModel;
}

function render(c: Ctx, i: number): Obj {
  return renderContact(c.w.contactObj(i), c.v);
}

/** A `list` page of contacts as JSON bytes (the same bytes as JSON.stringify of {type, data, total_count, pages}). */
function page(c: Ctx, p: Page, pp: number): RawJson {
  const variant = variantOf(c.v);
  // Base records are written straight from the seed; overlay (mutated) records the slow, generic way.
  const write = (w: ByteWriter, i: number) => (c.w.contacts.isOverlaid(i) ? w.json(render(c, i)) : writeBaseContact(w, c.w.g, i, variant));
  return rawListPage('list', 'data', p.indexes, write, p.total, cursorPages(p.page, pp, p.total, p.next));
}

/** GET /contacts: cursor in the query string; default page size 10 (notes §1.5, upstream PR #639). */
function list(c: Ctx): unknown {
  const pp = perPage(c.query.get('per_page'), 10);
  const p = searchPage(contactTarget(c.w), 'list', null, null, pp, c.query.get('starting_after') ?? undefined);
  return page(c, p, pp);
}

/** `sort` exists on contacts search from 2.16 only (2.16:L25795-25827). */
function parseSort(c: Ctx): Sort | null {
  const s = c.body.sort as Obj | undefined;
  if (!s || !atLeast(c.v, '2.16')) return null;
  const order = s.order ?? 'descending';
  if (order !== 'ascending' && order !== 'descending') {
    throw new HttpError(400, 'invalid_sort_order', `Invalid sort order '${String(order)}'. Must be one of: ascending, descending`);
  }
  if (typeof s.field !== 'string') throw new HttpError(400, 'parameter_invalid', 'sort.field must be a string');
  return { field: s.field, dir: order === 'ascending' ? 1 : -1 };
}

/** POST /contacts/search: default 50 per page (2.14:L5755); timestamps by whole days in the workspace zone. */
function search(c: Ctx): unknown {
  const pg = (c.body.pagination ?? {}) as Obj;
  const pp = perPage(pg.per_page, 50);
  if (c.body.query === undefined) throw new HttpError(400, 'parameter_not_found', 'query is required');
  const q = compileQuery(c.body.query, contactSchema(c.w));
  const sort = parseSort(c);
  const p = searchPage(contactSearchTarget(c.w), JSON.stringify(c.body.query), q, sort, pp, (pg.starting_after as string | undefined) ?? undefined);
  return page(c, p, pp);
}

function get(c: Ctx, [id]: string[]): unknown {
  const m = model(c, id as string);
  const out = render(c, m.index);
  // 2.16: merge history on request (notes §4).
  if (atLeast(c.v, '2.16') && c.query.get('include_merge_history') === 'true') {
    out.merge_history = [...c.w.merges.entries()]
      .filter(([, v]) => v.into === out.id)
      .map(([from, v]) => ({ type: 'merge_history', source_contact_id: from, source_contact_role: v.role, merged_at: v.at }));
  }
  return out;
}

function tags(c: Ctx, [id]: string[]): unknown {
  const m = model(c, id as string);
  const byId = new Map(c.w.tags.map((t) => [t.id as string, t]));
  return { type: 'list', data: m.tagIds.map((t) => byId.get(t) ?? { type: 'tag', id: t, name: t }) };
}

function segments(c: Ctx, [id]: string[]): unknown {
  const m = model(c, id as string);
  return { type: 'list', data: contactSegmentIds(c.w, m).map((s) => c.w.segmentsById.get(s)) };
}

/** Page-number sub-list helper (contact notes and companies are paged, notes §1.5). */
function paged<T>(c: Ctx, all: T[], def: number, render: (x: T) => Obj): { data: Obj[]; total_count: number; pages: Obj } {
  const pp = perPage(c.query.get('per_page'), def);
  const page = pageNumber(c.query.get('page'));
  const data = all.slice((page - 1) * pp, page * pp).map(render);
  const next = page * pp < all.length ? nextPageUrl(c.baseUrl, c.path, c.query, page + 1) : null;
  return { data, total_count: all.length, pages: numberPages(page, pp, all.length, next) };
}

function notes(c: Ctx, [id]: string[]): unknown {
  const m = model(c, id as string);
  const admin = c.w.admins[0] ? renderAdmin(c.w.admins[0], c.v) : undefined;
  return {
    type: 'list',
    ...paged(
      c,
      m.noteIds.map((_, k) => k),
      50,
      (k) => noteObject(c.w.g, m, k, admin),
    ),
  };
}

/** Key `data` as in the example (2.14:L4184-4215), although the schema says `companies` (notes §8). */
function companies(c: Ctx, [id]: string[]): unknown {
  const m = model(c, id as string);
  const idx = m.companyIds.map((cid) => c.w.companyIndex(cid)).filter((j): j is number => j !== null);
  return { type: 'list', ...paged(c, idx, 50, (j) => c.w.companyObj(j)) };
}

export const contactRoutes: Route[] = [
  route('GET', '/contacts', list),
  route('POST', '/contacts/search', search),
  route('GET', '/contacts/{id}', get),
  route('GET', '/contacts/{id}/tags', tags),
  route('GET', '/contacts/{id}/segments', segments),
  route('GET', '/contacts/{id}/notes', notes),
  route('GET', '/contacts/{id}/companies', companies),
];
