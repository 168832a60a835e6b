/**
 * The fast serialisation of hot pages (src/fake-intercom/json.ts, bytes.ts, data/contact-json.ts)
 * must produce exactly the bytes JSON.stringify gives for the generated objects.
 */
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { ByteWriter } from '../../src/fake-intercom/bytes.js';
import { writeBaseContact } from '../../src/fake-intercom/data/contact-json.js';
import { baseContact, contactObject } from '../../src/fake-intercom/data/contacts.js';
import { resolveSettings } from '../../src/fake-intercom/index.js';
import { variantOf } from '../../src/fake-intercom/json.js';
import { parseVersion, renderContact } from '../../src/fake-intercom/versions.js';
import { World } from '../../src/fake-intercom/world.js';
import { type Json, exportTable, withFake } from './helpers.js';

const VERSIONS = ['2.11', '2.12', '2.13', '2.14', '2.15', '2.16'];

function bytesOf(write: (w: ByteWriter) => void): string {
  const w = new ByteWriter(8); // tiny on purpose: exercises growth
  write(w);
  return w.result().toString('utf8');
}

describe('base contacts written straight from the seed', () => {
  for (const [seed, contacts, admins, companies] of [[1, 1_000_000, 8, 50], [7, 500, 1, 0], [42, 20_000, 3, 9]] as const) {
    it(`equal JSON.stringify of the object for every version (seed ${seed}, ${contacts} contacts)`, () => {
      const w = new World(resolveSettings({ seed, contacts, admins, companies }));
      // Spread over the range, plus contacts with >10 tags/notes/companies (index ≡ 5 mod 97).
      const sample = [0, 1, 2, 5, 102, 199, contacts - 1, ...Array.from({ length: 300 }, (_, k) => Math.floor((k * 7919.37) % contacts))];
      let compared = 0;
      let truncatedSeen = 0;
      for (const raw of VERSIONS) {
        const v = parseVersion(raw, '2.14');
        for (const i of sample) {
          const obj = renderContact(contactObject(baseContact(w.g, i)), v);
          if ((obj.tags as Json).has_more) truncatedSeen++;
          expect(bytesOf((bw) => writeBaseContact(bw, w.g, i, variantOf(v)))).toBe(JSON.stringify(obj));
          compared++;
        }
      }
      expect(compared).toBe(VERSIONS.length * sample.length);
      if (contacts > 1000) expect(truncatedSeen).toBeGreaterThan(0);
    });
  }

  it('differs by version where the shape does (owner_id string in 2.16, formatted_phone ≤2.11)', () => {
    const w = new World(resolveSettings({ contacts: 1000 }));
    const i = Array.from({ length: 1000 }, (_, k) => k).find((k) => baseContact(w.g, k).obj.owner_id !== null) as number;
    const at = (raw: string) => JSON.parse(bytesOf((bw) => writeBaseContact(bw, w.g, i, variantOf(parseVersion(raw, '2.14')))));
    expect(typeof at('2.14').owner_id).toBe('number');
    expect(typeof at('2.16').owner_id).toBe('string');
    expect('formatted_phone' in at('2.11')).toBe(true);
    expect('formatted_phone' in at('2.14')).toBe(false);
  });
});

describe('ByteWriter.value', () => {
  it('writes what JSON.stringify writes for plain data', () => {
    const samples: unknown[] = [
      null, true, false, 0, -0, -17, 3.25, 1e21, 2 ** 53, -(2 ** 60), 1 / 3, Number.NaN, Infinity,
      '', 'plain', 'say "hi"\\', 'tab\tnew\nline\u0001', 'Zoë 李 😀 — \u2028', '\ud800 lone surrogate',
      [], [1, undefined, () => 1, 'x', [null]],
      { a: 1, b: undefined, c: () => 1, 'it\'s; "odd"': { nested: ['préférence_名前_🚀'] }, 2: 'integer-like key', 1: 'first' },
      { toJSON: () => 'custom' },
    ];
    for (const x of samples) expect(bytesOf((w) => w.value(x))).toBe(JSON.stringify(x));
  });
});

async function rawPost(url: string, path: string, body: unknown, version: string): Promise<string> {
  const r = await request(url + path, {
    method: 'POST',
    headers: { authorization: 'Bearer fake-token', 'content-type': 'application/json', 'intercom-version': version },
    body: JSON.stringify(body),
  });
  expect(r.statusCode).toBe(200);
  expect(Number(r.headers['content-length'])).toBeGreaterThan(0);
  return r.body.text();
}

async function rawGet(url: string, path: string, version: string): Promise<string> {
  const r = await request(url + path, { headers: { authorization: 'Bearer fake-token', 'intercom-version': version } });
  expect(r.statusCode).toBe(200);
  return r.body.text();
}

describe('hot pages over HTTP equal the object path (the export)', () => {
  it('contacts search pages, with base and mutated records, on 2.11/2.14/2.16', async () => {
    await withFake({ contacts: 400, conversations: 0 }, async (f) => {
      const first = (await exportTable(f.url, 'contacts'))[3] as Json;
      f.clock.advance(60);
      f.updateContact(first.id, { name: 'Renamed "quoted" 李', custom_attributes: { seats: 7 } });
      f.createContact({ email: 'new@example.com' });
      for (const v of ['2.11', '2.14', '2.16']) {
        const truth = new Map((await exportTable(f.url, 'contacts', v)).map((r) => [r.id, JSON.stringify(r)]));
        let cursor: string | undefined;
        let seen = 0;
        do {
          const text = await rawPost(f.url, '/contacts/search', { query: { field: 'updated_at', operator: '>', value: 0 }, pagination: { per_page: 150, starting_after: cursor } }, v);
          const page = JSON.parse(text) as Json;
          // Canonical JSON.stringify formatting and key order, envelope included.
          expect(text).toBe(JSON.stringify(page));
          expect(Object.keys(page)).toEqual(['type', 'data', 'total_count', 'pages']);
          for (const rec of page.data as Json[]) expect(JSON.stringify(rec)).toBe(truth.get(rec.id));
          seen += page.data.length;
          cursor = page.pages.next?.starting_after;
        } while (cursor);
        expect(seen).toBe(401);
      }
    });
  });

  it('conversations search items and GET /conversations/{id} (500-part cap) on 2.11/2.14/2.16', async () => {
    await withFake({ contacts: 50, conversations: 220 }, async (f) => {
      f.updateConversation('100003', { title: 'Ünï "t"' });
      f.addConversationParts('100004', 2);
      for (const v of ['2.11', '2.14', '2.16']) {
        const truth = new Map((await exportTable(f.url, 'conversations', v)).map((r) => [r.id, r]));
        const text = await rawPost(f.url, '/conversations/search', { query: { field: 'updated_at', operator: '>', value: 0 }, pagination: { per_page: 150 } }, v);
        const page = JSON.parse(text) as Json;
        expect(text).toBe(JSON.stringify(page));
        for (const item of page.conversations as Json[]) {
          const { conversation_parts: _parts, ...listItem } = truth.get(item.id) as Json;
          expect(JSON.stringify(item)).toBe(JSON.stringify(listItem));
        }
        for (const id of ['100003', '100004', '100007', '100150']) {
          const body = await rawGet(f.url, `/conversations/${id}`, v);
          expect(body).toBe(JSON.stringify(truth.get(id)));
        }
        expect(JSON.parse(await rawGet(f.url, '/conversations/100007', v)).conversation_parts.conversation_parts).toHaveLength(500);
      }
    });
  });
});
