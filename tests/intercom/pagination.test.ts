import { afterEach, describe, expect, it } from 'vitest';
import { EltError } from '../../src/core/errors.js';
import { createIntercomClient } from '../../src/intercom/client.js';
import { nextCursorBody, nextCursorQuery, nextPageNumber, nextScroll, paginate } from '../../src/intercom/pagination/paginate.js';
import type { IntercomRequest } from '../../src/intercom/types.js';
import { json, startServer, type TestServer } from './helpers/server.js';

const pages = (next: unknown, page = 1, total_pages = 3) => ({ type: 'pages', page, per_page: 2, total_pages, ...(next === undefined ? {} : { next }) });
const expectUnexpected = (fn: () => unknown, text: string) => {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(EltError);
    expect((e as EltError).code).toBe('unexpected_response');
    expect((e as EltError).message).toContain(text);
    return;
  }
  throw new Error('expected an unexpected_response error');
};

describe('cursor in query (GET /contacts, GET /conversations)', () => {
  const req: IntercomRequest = { method: 'GET', path: '/conversations', query: { per_page: 2 } };
  it('follows next.starting_after only, keeping the other params', () => {
    const body = { type: 'conversation.list', conversations: [{ id: '1' }], pages: pages({ page: 2, starting_after: 'WzE3MjY3NTIxNDUwMDAsNSwyXQ==' }) };
    expect(nextCursorQuery(req, body)).toEqual({
      method: 'GET',
      path: '/conversations',
      query: { per_page: 2, starting_after: 'WzE3MjY3NTIxNDUwMDAsNSwyXQ==' },
    });
  });
  it('stops when pages.next is absent or null, or pages is missing', () => {
    expect(nextCursorQuery(req, { conversations: [], pages: pages(undefined, 3) })).toBeUndefined();
    expect(nextCursorQuery(req, { conversations: [], pages: pages(null, 3) })).toBeUndefined();
    expect(nextCursorQuery(req, { conversations: [] })).toBeUndefined();
  });
  it('rejects a next without a cursor and a non-object envelope', () => {
    expectUnexpected(() => nextCursorQuery(req, { pages: pages({ page: 2 }) }), "GET /conversations: 'pages.next' has no 'starting_after'");
    expectUnexpected(() => nextCursorQuery(req, '<html>'), 'not a JSON object');
    expectUnexpected(() => nextCursorQuery(req, { pages: 'x' }), "'pages' is not an object");
  });
});

describe('cursor in body (POST …/search)', () => {
  const req: IntercomRequest = {
    method: 'POST',
    path: '/contacts/search',
    body: { query: { field: 'updated_at', operator: '>', value: 5 }, pagination: { per_page: 150 } },
  };
  it('puts the cursor in body.pagination, keeping query and per_page', () => {
    const next = nextCursorBody(req, { type: 'list', data: [{ id: 'a' }], pages: pages({ per_page: 150, starting_after: 'abc' }) });
    expect(next).toEqual({ ...req, body: { query: { field: 'updated_at', operator: '>', value: 5 }, pagination: { per_page: 150, starting_after: 'abc' } } });
    // The input request is not modified (pure).
    expect((req.body as { pagination: object }).pagination).toEqual({ per_page: 150 });
    expect(JSON.parse(JSON.stringify(next))).toEqual(next); // serialisable resume token
  });
  it('stops on the last page', () => {
    expect(nextCursorBody(req, { type: 'list', data: [{ id: 'z' }], pages: pages(null, 3) })).toBeUndefined();
  });
});

describe('page number', () => {
  const req: IntercomRequest = { method: 'GET', path: '/articles', query: { per_page: 2 } };
  it('increments page until total_pages', () => {
    expect(nextPageNumber(req, { data: [{}], pages: pages(null, 1, 3) }, 'data')).toEqual({ ...req, query: { per_page: 2, page: 2 } });
    const p2 = { ...req, query: { per_page: 2, page: 2 } };
    expect(nextPageNumber(p2, { data: [{}], pages: pages(null, 2, 3) })).toEqual({ ...req, query: { per_page: 2, page: 3 } });
    expect(nextPageNumber(p2, { data: [{}], pages: pages(null, 3, 3) })).toBeUndefined();
  });
  it('stops on an empty list even if total_pages says more', () => {
    expect(nextPageNumber(req, { data: [], pages: pages(null, 1, 9) })).toBeUndefined();
  });
  it('follows pages.next when it is a URL (deleted conversations, 2.16:L13572)', () => {
    const del: IntercomRequest = { method: 'GET', path: '/conversations/deleted', query: { per_page: 2, order: 'desc' } };
    const body = {
      type: 'conversations.list',
      conversations: [{ id: '1' }, { id: '2' }],
      pages: { type: 'pages', next: 'https://api.intercom.io/conversations/deleted?per_page=2&order=desc&page=2', page: 1, per_page: 2, total_pages: 5 },
    };
    expect(nextPageNumber(del, body, 'conversations')).toEqual({ ...del, query: { per_page: '2', order: 'desc', page: '2' } });
    const last = { ...body, pages: { type: 'pages', page: 5, per_page: 2, total_pages: 5 } };
    expect(nextPageNumber(del, last, 'conversations')).toBeUndefined();
  });
  it('rejects a missing list key', () => {
    expectUnexpected(() => nextPageNumber(req, { data: null, pages: pages(null) }, 'data'), "'data' is not a list");
  });
});

describe('scroll (GET /companies/scroll)', () => {
  const req: IntercomRequest = { method: 'GET', path: '/companies/scroll' };
  it('passes scroll_param until data is empty', () => {
    const body = { type: 'list', data: [{ id: 'c1' }], pages: null, total_count: null, scroll_param: '25b649f7-4d33-4ef6-88f5-60e5b8244309' };
    expect(nextScroll(req, body)).toEqual({ ...req, query: { scroll_param: '25b649f7-4d33-4ef6-88f5-60e5b8244309' } });
    expect(nextScroll(req, { ...body, data: [] })).toBeUndefined();
  });
  it('rejects a non-empty page without scroll_param', () => {
    expectUnexpected(() => nextScroll(req, { type: 'list', data: [{ id: 'c1' }] }), "no 'scroll_param'");
  });
});

describe('paginate() through the client', () => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  const contactsServer = () =>
    startServer((req, res) => {
      const cursor = new URL(req.url, 'http://x').searchParams.get('starting_after');
      const page = cursor === null ? 1 : Number(cursor.slice(1));
      const next = page < 3 ? { page: page + 1, starting_after: `c${page + 1}` } : null;
      json(res, 200, { type: 'list', data: [{ id: `${page}a` }, { id: `${page}b` }], total_count: 6, pages: pages(next, page) });
    });

  it('reads every page, yielding the next request as a resume token', async () => {
    server = await contactsServer();
    const c = createIntercomClient({ accessToken: 't', apiVersion: '2.14', baseUrl: server.url });
    const got: Array<{ ids: string[]; next?: IntercomRequest }> = [];
    for await (const p of paginate(c, { method: 'GET', path: '/contacts', query: { per_page: 2 } }, 'cursor_query', { recordsKey: 'data' })) {
      got.push({ ids: (p.records as Array<{ id: string }>).map((r) => r.id), next: p.next });
    }
    // Resume from the token of page 1: pages 2 and 3 again.
    const resumed: string[] = [];
    for await (const p of paginate(c, { method: 'GET', path: '/contacts' }, 'cursor_query', { recordsKey: 'data', resume: got[0].next })) {
      resumed.push(...(p.records as Array<{ id: string }>).map((r) => r.id));
    }
    await c.close();
    expect(got.map((g) => g.ids)).toEqual([
      ['1a', '1b'],
      ['2a', '2b'],
      ['3a', '3b'],
    ]);
    expect(got[0].next).toEqual({ method: 'GET', path: '/contacts', query: { per_page: 2, starting_after: 'c2' } });
    expect(got[2].next).toBeUndefined();
    expect(resumed).toEqual(['2a', '2b', '3a', '3b']);
    expect(server.seen.map((s) => s.url)).toEqual([
      '/contacts?per_page=2',
      '/contacts?per_page=2&starting_after=c2',
      '/contacts?per_page=2&starting_after=c3',
      '/contacts?per_page=2&starting_after=c2',
      '/contacts?per_page=2&starting_after=c3',
    ]);
  });

  it('rejects a wrong list key and a cursor that does not move', async () => {
    server = await startServer((_req, res) => json(res, 200, { type: 'list', data: [{ id: '1' }], pages: pages({ starting_after: 'same' }) }));
    const c = createIntercomClient({ accessToken: 't', apiVersion: '2.14', baseUrl: server.url });
    const drain = async (key: string) => {
      for await (const _ of paginate(c, { method: 'GET', path: '/contacts', query: { starting_after: 'same' } }, 'cursor_query', { recordsKey: key }));
    };
    await expect(drain('contacts')).rejects.toMatchObject({
      code: 'unexpected_response',
      message: expect.stringContaining("GET /contacts: 'contacts' is not a list"),
    });
    await expect(drain('data')).rejects.toMatchObject({ code: 'unexpected_response', message: expect.stringContaining('same request') });
    await c.close();
  });
});
