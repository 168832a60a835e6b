import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeIntercom, type FakeIntercom } from '../../src/fake-intercom/index.js';
import { UnexpectedResponseError } from '../../src/core/errors.js';
import { scanPage, type RawPage } from '../../src/intercom/raw-page.js';
import { rng } from '../../src/fake-intercom/prng.js';

const PICK = ['id', 'updated_at', 'tags', 'companies'];

/** What scanPage must agree with: JSON.parse of the whole page. */
function expectSameAsParse(bytes: Buffer, listKey = 'data', pick = PICK): RawPage {
  const page = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>;
  const scanned = scanPage(bytes, listKey, pick);
  const list = page[listKey];
  const records = (Array.isArray(list) ? list : []) as Array<Record<string, unknown>>;
  expect(scanned.hasList).toBe(Array.isArray(list));
  expect(scanned.starts.length).toBe(records.length);
  records.forEach((r, k) => {
    expect(JSON.parse(bytes.toString('utf8', scanned.starts[k], scanned.ends[k]))).toEqual(r);
    expect(scanned.picked[k]).toEqual(Object.fromEntries(pick.filter((p) => p in r).map((p) => [p, r[p]])));
  });
  const { [listKey]: _list, ...envelope } = page;
  expect(scanned.envelope).toEqual(Array.isArray(list) || list === undefined ? envelope : { ...envelope, [listKey]: list });
  return scanned;
}

/** Awkward JSON values from the fake's seeded generator. */
const NASTY = ['"', '\\', '\\"', '"\\', '}', ']', '{', '[', ',', ':', '\n', '\u2028', 'é', '日本', '😀', '\u0000', '\t', '"data":[', '\\\\"', ''];
function randomValue(r: () => number, depth: number): unknown {
  const k = Math.floor(r() * (depth > 2 ? 5 : 8));
  switch (k) {
    case 0:
      return null;
    case 1:
      return r() < 0.5;
    case 2:
      return [0, -1, 1.5e300, -2.25e-7, 1_700_000_000, 42][Math.floor(r() * 6)];
    case 3:
    case 4:
      return Array.from({ length: Math.floor(r() * 4) }, () => NASTY[Math.floor(r() * NASTY.length)]).join('x');
    case 5:
      return Array.from({ length: Math.floor(r() * 4) }, () => randomValue(r, depth + 1));
    default:
      return Object.fromEntries(
        Array.from({ length: Math.floor(r() * 4) }, (_, i) => [`${NASTY[Math.floor(r() * NASTY.length)]}${i}`, randomValue(r, depth + 1)]),
      );
  }
}

/**
 * The same JSON written differently, as another server might: letters inside strings (keys
 * included) as \uXXXX escapes, `/` as `\/`, integers as `1E0`-style or `.0` numbers, spaces.
 */
function rewrite(text: string, r: () => number): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (inString) {
      if (ch === '\\') {
        out += ch + text[++i]!;
        continue;
      }
      if (ch === '"') inString = false;
      else if (/[a-z]/i.test(ch) && r() < 0.3) {
        out += `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`;
        continue;
      } else if (ch === '/' && r() < 0.5) {
        out += '\\/';
        continue;
      }
      out += ch;
      continue;
    }
    if (ch === '"') {
      inString = true;
      out += ch;
      continue;
    }
    const num = /^-?\d+(?![\d.eE])/.exec(text.slice(i));
    if (num && !/[\d.eE+-]/.test(text[i - 1] ?? '')) {
      const v = num[0];
      out += [v, `${v}.0`, `${v}E0`, `${v}e+0`, `${v}.00e-0`][Math.floor(r() * 5)]!;
      i += v.length - 1;
      continue;
    }
    out += ch;
    if ((ch === ',' || ch === ':' || ch === '{' || ch === '[') && r() < 0.2) out += ' \r\n\t'.slice(0, 1 + Math.floor(r() * 4));
  }
  return out;
}

describe('scanPage', () => {
  let fake: FakeIntercom;
  beforeAll(async () => {
    fake = await startFakeIntercom({ contacts: 1200, rateLimitPerMinute: null });
  });
  afterAll(() => fake.close());

  it("agrees with JSON.parse on the fake's contacts search pages, every API version", async () => {
    for (const version of ['2.11', '2.14', '2.16']) {
      let startingAfter: string | undefined;
      let total = 0;
      for (;;) {
        const res = await fetch(`${fake.url}/contacts/search`, {
          method: 'POST',
          headers: { authorization: 'Bearer fake-token', 'content-type': 'application/json', accept: 'application/json', 'intercom-version': version },
          body: JSON.stringify({ query: { field: 'updated_at', operator: '>', value: 0 }, pagination: { per_page: 150, starting_after: startingAfter } }),
        });
        const scanned = expectSameAsParse(Buffer.from(await res.arrayBuffer()));
        total += scanned.starts.length;
        startingAfter = (scanned.envelope.pages as { next?: { starting_after?: string } }).next?.starting_after;
        if (!startingAfter) break;
      }
      expect(total).toBe(1200);
    }
  });

  it('agrees with JSON.parse on awkward strings, keys, numbers and layouts', () => {
    const r = rng(7);
    for (let round = 0; round < 300; round++) {
      const records = Array.from({ length: Math.floor(r() * 5) }, (_, i) => ({
        ...(r() < 0.9 ? { id: `id-${i}-${NASTY[i % NASTY.length]}` } : {}),
        [NASTY[Math.floor(r() * NASTY.length)]!]: randomValue(r, 0),
        updated_at: r() < 0.8 ? 1_700_000_000 + i : null,
        tags: { type: 'list', data: [{ id: '"}]' }], has_more: r() < 0.5 },
        nested: randomValue(r, 0),
      }));
      // the list before, between or after the envelope's members; compact, indented, CRLF
      const where = round % 3;
      const page =
        where === 0
          ? { data: records, pages: { next: { starting_after: 'a"]}' } } }
          : where === 1
            ? { type: 'list', data: records, total_count: records.length }
            : { type: 'list', total_count: 0, data: records };
      const text = [JSON.stringify(page), JSON.stringify(page, null, 2), JSON.stringify(page, null, '\t').replace(/\n/g, '\r\n')][round % 3]!;
      expectSameAsParse(Buffer.from(` ${text}\n`, 'utf8'));
    }
  });

  it('agrees with JSON.parse when the same pages are written with escapes, other number forms and spaces', () => {
    const r = rng(11);
    for (let round = 0; round < 300; round++) {
      const records = Array.from({ length: 1 + Math.floor(r() * 4) }, (_, i) => ({
        id: `id-${i}/x`,
        updated_at: 1_700_000_000 + i,
        tags: { type: 'list', data: [{ id: String(i), n: -i }], has_more: r() < 0.5, total_count: 10 },
        nested: randomValue(r, 0),
      }));
      const page = { type: 'list', data: records, total_count: records.length, pages: { next: { starting_after: 'WzE3MDAwMDAwMDBd' } } };
      expectSameAsParse(Buffer.from(rewrite(JSON.stringify(page), r), 'utf8'));
    }
  });

  it('reads keys as JSON.parse does: escaped, repeated, __proto__', () => {
    const escapedList = expectSameAsParse(Buffer.from('{"d\\u0061ta":[{"\\u0069d":"x","updated_at":1}]}'));
    expect(escapedList.picked).toEqual([{ id: 'x', updated_at: 1 }]);
    // the last of repeated keys wins, records or not
    expectSameAsParse(Buffer.from('{"data":[{"id":"a"}],"data":[{"id":"b"},{"id":"c"}]}'));
    const gone = expectSameAsParse(Buffer.from('{"data":[{"id":"a"}],"data":null}'));
    expect(gone.hasList).toBe(false);
    expectSameAsParse(Buffer.from('{"data":null,"data":[{"id":"a","id":"b"}]}'));
    const proto = scanPage(Buffer.from('{"__proto__":{"pages":{"next":"x"}},"data":[]}'), 'data', PICK);
    expect(Object.keys(proto.envelope)).toEqual(['__proto__']);
    expect(proto.envelope.pages).toBeUndefined();
  });

  it('reads another list key and tells whether the list was there', () => {
    const scanned = expectSameAsParse(Buffer.from('{"type":"conversation.list","conversations":[{"id":"1"},{"id":"2"}],"data":[1,2]}'), 'conversations', [
      'id',
    ]);
    expect(scanned.envelope.data).toEqual([1, 2]);
    expect(scanned.hasList).toBe(true);
    expect(scanPage(Buffer.from('{"type":"list","total_count":0}'), 'data', ['id']).hasList).toBe(false);
  });

  it('throws UnexpectedResponseError (malformed) for every cut-short page and for broken structure', () => {
    const page = Buffer.from(JSON.stringify({ type: 'list', data: [{ id: 'a"b', x: [1, { y: '}' }] }, { id: 'c' }], pages: { next: null } }));
    for (let cut = 0; cut < page.length; cut++) {
      expect(() => scanPage(page.subarray(0, cut), 'data', PICK), `cut at ${cut}`).toThrow(UnexpectedResponseError);
    }
    // JSON, but not a page of records
    for (const text of ['[1,2]', '{"data":[1]}', '"data"']) expect(() => scanPage(Buffer.from(text), 'data', PICK), text).toThrow(UnexpectedResponseError);
    const bad = [
      ...['{"data":[{"id":"a"}]}x', '{"data":[{"id":"a"]}', '{"data":[{"id" "a"}]}', '{"data":[{"id":"a",}]}', '{"a":}'],
      // nested values are checked too, and every number and literal
      ...['{"data":[{"x":[}]}]}', '{"data":[{"x":[1}}]}', '{"data":[{"x":[1 2]}]}', '{"data":[{"x":{"k"}}]}', '{"data":[{"x":[,,]}]}', '{"data":[{"x":a"b}]}'],
      ...['01', '-01', '0x1F', '1.', '.5', '+1', '-', '1e', '1e+', 'tru', 'nul', 'True'].map((v) => `{"data":[{"x":[${v}]}]}`),
      ...['{"total_count":0x10,"data":[]}', '{"data":[{"id":"a\u0001b"}]}', '{"data":[{"updated_at":01}]}'],
    ];
    for (const text of bad) {
      expect(() => JSON.parse(text), text).toThrow();
      expect(() => scanPage(Buffer.from(text), 'data', PICK), text).toThrow(UnexpectedResponseError);
    }
  });
});
