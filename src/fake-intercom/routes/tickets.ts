/** Tickets: POST /tickets/search, GET /tickets/{id} (notes §3.6). */
import { searchPage } from '../engine.js';
import { cursorPages, perPage } from '../pagination.js';
import { compileQuery } from '../search.js';
import { ticketSchema, ticketTarget } from '../targets.js';
import { HttpError, type Obj } from '../types.js';
import { renderTicket } from '../versions.js';
import { type Ctx, type Route, route } from './context.js';

/** No list endpoint exists; search is the way to enumerate tickets. Default 20 per page (2.14:L14024). */
function search(c: Ctx): unknown {
  const pg = (c.body.pagination ?? {}) as Obj;
  const pp = perPage(pg.per_page, 20);
  if (c.body.query === undefined) throw new HttpError(400, 'parameter_not_found', 'query is required');
  const q = compileQuery(c.body.query, ticketSchema(c.w));
  const p = searchPage(ticketTarget(c.w), JSON.stringify(c.body.query), q, null, pp, (pg.starting_after as string | undefined) ?? undefined);
  return {
    type: 'ticket.list',
    tickets: p.indexes.map((i) => renderTicket(c.w.ticketObj(i), c.v)),
    total_count: p.total,
    pages: cursorPages(p.page, pp, p.total, p.next),
  };
}

/** GET /tickets/{id}: the internal `id`, not the Inbox `ticket_id` (2.14:L21989-21993). */
function get(c: Ctx, [id]: string[]): unknown {
  const i = c.w.ticketIndex(decodeURIComponent(id as string));
  if (i === null) throw new HttpError(404, 'ticket_not_found', 'Ticket not found');
  return renderTicket(c.w.ticketObj(i), c.v);
}

export const ticketRoutes: Route[] = [route('POST', '/tickets/search', search), route('GET', '/tickets/{id}', get)];
