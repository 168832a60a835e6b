import type { Row } from '../../core/schema.js';
import type { ChildTableSpec, ExtractContext, ListRequest, Page, TableSpec } from './spec.js';
import type { IntercomRequest } from '../types.js';
import { isObject, recordsOf } from '../pagination/envelope.js';
import { NEXT_PAGE } from '../pagination/paginate.js';
import {
  columns,
  inWindow,
  listOf,
  MAX_PER_PAGE,
  requestOf,
  SEARCH_LOOKBACK_SECONDS,
  SEARCH_SETTLE_SECONDS,
  searchProbe,
  searchRequest,
  PERMISSIONS,
} from './common.js';
import { searchPages, type SearchSpec } from '../read/slices.js';
import { fanOut } from '../read/fanout.js';

const SEARCH = searchRequest('/contacts/search', 'data');
const TAGS: ListRequest = {
  method: 'GET',
  path: '/contacts/{id}/tags',
  pagination: 'none',
  recordsKey: 'data',
  when: 'for a contact whose nested `tags` list says `has_more`',
};
const COMPANIES: ListRequest = {
  method: 'GET',
  path: '/contacts/{id}/companies',
  query: { per_page: MAX_PER_PAGE },
  pagination: 'page',
  recordsKey: 'data',
  when: 'for a contact whose nested `companies` list says `has_more`',
};

/** A contact's nested sub-list: `{type:"list", data:[{type,id,url}], url, total_count, has_more}` (2.14:L16607-16632). */
interface SubList {
  data?: Row[];
  has_more?: boolean;
}

const subList = (contact: Row, key: string): SubList => (isObject(contact[key]) ? (contact[key] as SubList) : {});
const truncated = (contact: Row) => subList(contact, 'tags').has_more === true || subList(contact, 'companies').has_more === true;

/** The full lists of one contact, fetched only where the nested list says `has_more`. */
interface FullLists {
  tags?: Row[];
  companies?: Row[];
}

/** `GET /contacts/{id}/companies` is paged (notes §1.5); its list key is `data` in examples, `companies` in the schema (notes §8). */
async function allCompanies(ctx: ExtractContext, contactId: string): Promise<Row[] | undefined> {
  let req: IntercomRequest | undefined = { ...requestOf(COMPANIES, { id: contactId }), allow404: true };
  const out: Row[] = [];
  // a contact has at most 1,000 companies (2.14:L4101): 7 pages; the cap only guards a cursor that never ends
  for (let pages = 0; req && pages < 100; pages++) {
    const res = await ctx.client.request(req);
    if (res.status === 404) return undefined;
    const key = isObject(res.body) && !Array.isArray(res.body[COMPANIES.recordsKey]) && Array.isArray(res.body.companies) ? 'companies' : COMPANIES.recordsKey;
    out.push(...(recordsOf(req, res.body, key) as Row[]));
    req = NEXT_PAGE[COMPANIES.pagination](req, res.body, key);
  }
  return out;
}

async function fullLists(ctx: ExtractContext, contact: Row): Promise<FullLists> {
  const id = String(contact.id);
  const out: FullLists = {};
  const tags = async () => {
    const req = requestOf(TAGS, { id });
    // not paginated (notes §1.5); 404 = merged or deleted since the search: keep the nested list
    const res = await ctx.client.request({ ...req, allow404: true });
    if (res.status !== 404) out.tags = listOf(req, res.body, TAGS.recordsKey);
  };
  const companies = async () => {
    out.companies = await allCompanies(ctx, id);
  };
  // both lists at once: a contact's hydration costs one round trip, not two
  await Promise.all([
    subList(contact, 'tags').has_more === true ? tags() : undefined,
    subList(contact, 'companies').has_more === true ? companies() : undefined,
  ]);
  if (out.tags || out.companies) ctx.count('contacts_hydrated');
  return out;
}

const relationRows = (contactId: string, items: Row[]) => items.map((x) => ({ contact_id: contactId, id: String(x.id) }));

/** Contacts search matches `updated_at` by whole days in the workspace zone: day-granular slices. */
const SLICES: SearchSpec = { ...SEARCH, field: 'updated_at', granularity: 'day' };

/**
 * Contacts through POST /contacts/search (2.14:L5734), 150 per page, over the run's window, in
 * `search_slices` whole-day time slices read at once when the window is big (slices.ts).
 *
 * Contacts search (API ≤ 2.16) matches `updated_at` by calendar day in the workspace time zone
 * (2.14:L5773-5791), so the query asks for whole days and rows are filtered to the exact window
 * here. Merged contacts are absent from search (2.14:L5758); new contacts may be missing from
 * search for a few minutes (2.14:L5762), which the lookback covers.
 *
 * Relation tables `contact_tags` and `contact_companies` come from each contact's nested lists,
 * which stop at 10 items with `has_more` (2.14:L16607-16632): only for those contacts the full
 * list is fetched (`GET /contacts/{id}/tags`, `GET /contacts/{id}/companies`), `concurrency` at
 * a time, so the cost is proportional to the contacts affected. Every contact of a page is
 * listed in `replaceChildren`, so a removed tag or company disappears with the contact's next change.
 */
async function* extract(ctx: ExtractContext): AsyncIterable<Page> {
  const keep = inWindow(ctx.window, 'updated_at');
  const pages = (async function* () {
    for await (const p of searchPages(ctx, SLICES)) {
      const rows = p.records.filter(keep);
      yield { rows, resume: p.resume, items: rows.filter(truncated) };
    }
  })();
  // search pages are read ahead while the few truncated lists of earlier pages are fetched, so
  // hydration never serialises the search (fanOut delivers pages read before a failure first);
  // up to one page ahead per search slice, so the slices are not held back by hydration, and only
  // while the oldest page waits for its lists (a page whose lists are in goes out at once)
  const pagesAhead = Math.max(3, ctx.slices ?? 1);
  for await (const { page, results } of fanOut(pages, (c: Row) => fullLists(ctx, c), { concurrency: ctx.concurrency, pagesAhead })) {
    const full = new Map(page.items.map((c, k) => [String(c.id), results[k]!]));
    const tags: Row[] = [];
    const companies: Row[] = [];
    for (const c of page.rows) {
      const id = String(c.id);
      const f = full.get(id);
      tags.push(...relationRows(id, f?.tags ?? subList(c, 'tags').data ?? []));
      companies.push(...relationRows(id, f?.companies ?? subList(c, 'companies').data ?? []));
    }
    const parents = page.rows.map((c) => [String(c.id)]);
    yield {
      rows: { contacts: page.rows, contact_tags: tags, contact_companies: companies },
      resume: page.resume,
      replaceChildren: {
        contact_tags: { parentKey: ['contact_id'], parents },
        contact_companies: { parentKey: ['contact_id'], parents },
      },
    };
  }
}

/** Relation tables: one row per (contact, tag) and (contact, company), replaced per contact. */
const children: ChildTableSpec[] = [
  {
    name: 'contact_tags',
    primaryKey: ['contact_id', 'id'],
    parentKey: ['contact_id'],
    // names live in the tags table (join on id): the nested list carries only ids
    columns: columns({ contact_id: 'string', id: 'string' }),
  },
  {
    name: 'contact_companies',
    primaryKey: ['contact_id', 'id'],
    parentKey: ['contact_id'],
    // company details live in the companies table (join on id)
    columns: columns({ contact_id: 'string', id: 'string' }),
  },
];

export const contacts = {
  name: 'contacts',
  description: 'Users and leads, incremental on updated_at through the Search API.',
  requests: [SEARCH, TAGS, COMPANIES],
  probe: searchProbe(SEARCH, PERMISSIONS.usersAndCompanies),
  primaryKey: ['id'],
  incrementalKey: 'updated_at',
  defaultStrategy: 'merge',
  customAttributes: 'contact',
  lookbackSeconds: SEARCH_LOOKBACK_SECONDS,
  settleSeconds: SEARCH_SETTLE_SECONDS,
  columns: columns({
    id: 'string',
    type: 'string',
    workspace_id: 'string',
    external_id: 'string',
    role: 'string',
    email: 'string',
    email_domain: 'string',
    phone: 'string',
    formatted_phone: 'string',
    name: 'string',
    // integer up to 2.15, string from 2.16 (notes §5): a string column holds both
    owner_id: 'string',
    has_hard_bounced: 'bool',
    marked_email_as_spam: 'bool',
    unsubscribed_from_emails: 'bool',
    created_at: 'timestamp',
    updated_at: 'timestamp',
    signed_up_at: 'timestamp',
    last_seen_at: 'timestamp',
    last_replied_at: 'timestamp',
    last_contacted_at: 'timestamp',
    last_email_opened_at: 'timestamp',
    last_email_clicked_at: 'timestamp',
    language_override: 'string',
    browser: 'string',
    browser_version: 'string',
    browser_language: 'string',
    os: 'string',
    location: 'json',
    avatar: 'json',
    social_profiles: 'json',
    custom_attributes: 'json',
    // truncated to 10 items with has_more (2.14:L16607-16632); full lists come in relation tables
    tags: 'json',
    notes: 'json',
    companies: 'json',
  }),
  children,
  extract,
} satisfies TableSpec;
