/**
 * The fast serialisation of hot pages (src/fake-intercom/json.ts, bytes.ts, data/contact-json.ts)
 * must produce exactly the bytes JSON.stringify gives for the generated objects.
 */
import { once } from 'node:events';
import net from 'node:net';
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { ByteWriter } from '../../src/fake-intercom/bytes.js';
import { writeBaseContact } from '../../src/fake-intercom/data/contact-json.js';
import { baseContact, contactObject } from '../../src/fake-intercom/data/contacts.js';
import { resolveSettings } from '../../src/fake-intercom/index.js';
import { variantOf } from '../../src/fake-intercom/json.js';
import { distinct, hex, rng } from '../../src/fake-intercom/prng.js';
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
  for (const [seed, contacts, admins, companies] of [
    [1, 1_000_000, 8, 50],
    [7, 500, 1, 0],
    [42, 20_000, 3, 9],
  ] as const) {
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
      null,
      true,
      false,
      0,
      -0,
      -17,
      3.25,
      1e21,
      2 ** 53,
      -(2 ** 60),
      1 / 3,
      Number.NaN,
      Infinity,
      '',
      'plain',
      'say "hi"\\',
      'tab\tnew\nline\u0001',
      'Zoë 李 😀 — \u2028',
      '\ud800 lone surrogate',
      [],
      [1, undefined, () => 1, 'x', [null]],
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
          const text = await rawPost(
            f.url,
            '/contacts/search',
            { query: { field: 'updated_at', operator: '>', value: 0 }, pagination: { per_page: 150, starting_after: cursor } },
            v,
          );
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
        const text = await rawPost(
          f.url,
          '/conversations/search',
          { query: { field: 'updated_at', operator: '>', value: 0 }, pagination: { per_page: 150 } },
          v,
        );
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

describe('pooled page buffers (json.ts) under concurrent requests', () => {
  it('every page in flight at once keeps its own bytes (a buffer is reused only after its response was written)', async () => {
    await withFake({ contacts: 3000, conversations: 0 }, async (f) => {
      const page = (cursor?: string) =>
        rawPost(
          f.url,
          '/contacts/search',
          { query: { field: 'updated_at', operator: '>', value: 0 }, pagination: { per_page: 150, starting_after: cursor } },
          '2.14',
        );
      // The pages one after another: the reference bytes and every page's cursor.
      const sequential: string[] = [];
      const cursors: (string | undefined)[] = [undefined];
      for (;;) {
        const text = await page(cursors[cursors.length - 1]);
        sequential.push(text);
        const next = (JSON.parse(text) as Json).pages.next?.starting_after as string | undefined;
        if (!next) break;
        cursors.push(next);
      }
      expect(sequential).toHaveLength(20);
      // Every page pipelined on each of three sockets that read nothing until all requests were
      // sent: once the kernel's socket buffers are full (a few MB on loopback) the server still
      // holds the unsent part of a page while it writes pages for the other sockets.
      const { port } = new URL(f.url);
      const sockets = [0, 1, 2].map(() => {
        const sock = net.connect(Number(port), '127.0.0.1');
        sock.pause();
        cursors.forEach((c, k) => {
          const body = JSON.stringify({ query: { field: 'updated_at', operator: '>', value: 0 }, pagination: { per_page: 150, starting_after: c } });
          sock.write(
            `POST /contacts/search HTTP/1.1\r\nhost: 127.0.0.1\r\nauthorization: Bearer fake-token\r\ncontent-type: application/json\r\n` +
              `intercom-version: 2.14\r\nconnection: ${k === cursors.length - 1 ? 'close' : 'keep-alive'}\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
          );
        });
        return sock;
      });
      await new Promise((r) => setTimeout(r, 300));
      const perSocket = await Promise.all(
        sockets.map(async (sock) => {
          const chunks: Buffer[] = [];
          sock.on('data', (b: Buffer) => chunks.push(b));
          sock.resume();
          await once(sock, 'end');
          const raw = Buffer.concat(chunks);
          const bodies: string[] = [];
          for (let at = 0; at < raw.length;) {
            const headEnd = raw.indexOf('\r\n\r\n', at);
            const length = Number(/content-length: (\d+)/i.exec(raw.subarray(at, headEnd).toString('latin1'))?.[1]);
            bodies.push(raw.subarray(headEnd + 4, headEnd + 4 + length).toString('utf8'));
            at = headEnd + 4 + length;
          }
          return bodies;
        }),
      );
      const concurrent = perSocket.flat();
      expect(concurrent).toHaveLength(3 * cursors.length);
      concurrent.forEach((text, k) => expect(text).toBe(sequential[k % cursors.length]));
    });
  });
});

describe('prng helpers keep their results', () => {
  it('hex(n, 8) equals the toString(16) form for any number', () => {
    const slow = (n: number) => (n >>> 0).toString(16).padStart(8, '0').slice(-8);
    const xs = [0, 1, 255, 256, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 32 + 5, -1, -12345, 1.7e9, 1.5, 2 ** 40 + 3, 1e15 + 7, Number.NaN];
    for (let k = 0; k < 2000; k++) xs.push(Math.floor((k * 2654435761) % 2 ** 40) - 2 ** 39);
    for (const n of xs) expect(hex(n, 8)).toBe(slow(n));
    expect(hex(0xabc, 4)).toBe('0abc');
  });

  it('distinct returns ascending distinct values, the same draws as before', () => {
    for (let seed = 0; seed < 200; seed++) {
      const a = distinct(rng(seed), 25, 30);
      const r = rng(seed);
      const b: number[] = [];
      while (b.length < 25) {
        const x = Math.floor(r() * 30);
        if (!b.includes(x)) b.push(x);
      }
      expect(a).toEqual([...b].sort((x, y) => x - y));
    }
  });
});
