import type { Row } from '../../core/schema.js';
import type { ExtractContext, ListRequest, Page, TableSpec } from './spec.js';
import { columns, inWindow, listOf, requestOf } from './common.js';
import { companies, readCompanies } from './companies.js';
import { fanOut } from '../read/fanout.js';

const SEGMENTS: ListRequest = {
  method: 'GET',
  path: '/companies/{id}/segments',
  pagination: 'none',
  recordsKey: 'data',
  when: 'once per company changed in the window',
};

/** The segments of one company: `GET /companies/{id}/segments`, one unpaginated list (2.14:L3800-3858). */
async function segmentsOf(ctx: ExtractContext, company: Row): Promise<Row[]> {
  const id = String(company.id);
  const req = requestOf(SEGMENTS, { id });
  // 404 company_not_found: deleted since it was listed; no segments then
  const res = await ctx.client.request({ ...req, allow404: true });
  if (res.status === 404) return [];
  return listOf(req, res.body, SEGMENTS.recordsKey).map((s) => ({
    company_id: id,
    company_updated_at: company.updated_at,
    id: s.id,
    type: s.type,
    name: s.name,
    created_at: s.created_at,
    updated_at: s.updated_at,
    person_type: s.person_type,
  }));
}

/**
 * Companies are read the way the companies table reads them (list or scroll, filtered to the
 * window on `updated_at`), then one segments request per company in the window, `concurrency`
 * at a time through the shared client (its limiter paces them). Cost: one request per changed
 * company per run.
 *
 * A changed company's rows are replaced as a set (`parentKey`), so a segment the company left
 * disappears; unchanged companies are not touched.
 */
async function* extract(ctx: ExtractContext): AsyncIterable<Page> {
  const keep = inWindow(ctx.window, 'updated_at');
  const pages = (async function* () {
    for await (const p of readCompanies(ctx)) yield { items: p.rows.filter(keep), resume: p.resume };
  })();
  for await (const { page, results } of fanOut(pages, (c: Row) => segmentsOf(ctx, c), { concurrency: ctx.concurrency })) {
    yield {
      rows: { company_segments: results.flat() },
      resume: page.resume,
      replaceChildren: { company_segments: { parentKey: ['company_id'], parents: page.items.map((c) => [String(c.id)]) } },
    };
  }
}

export const companySegments = {
  name: 'company_segments',
  description: 'Which segments each company belongs to: one request per company changed in the window.',
  requests: [...companies.requests, SEGMENTS],
  // check probes the companies list: a company id is only known after it, and the segments need the same permission
  probe: companies.probe,
  primaryKey: ['company_id', 'id'],
  parentKey: ['company_id'],
  // the window applies to the company's updated_at (the segment's own updated_at is the segment definition's)
  incrementalKey: 'company_updated_at',
  defaultStrategy: 'merge',
  lookbackSeconds: 300,
  settleSeconds: 0,
  columns: columns({
    company_id: 'string',
    // the company's updated_at when its segments were read
    company_updated_at: 'timestamp',
    // the segment id
    id: 'string',
    type: 'string',
    name: 'string',
    created_at: 'timestamp',
    updated_at: 'timestamp',
    person_type: 'string',
  }),
  extract,
} satisfies TableSpec;
