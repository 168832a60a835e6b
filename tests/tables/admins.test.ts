/**
 * Issue 15 item 1: the `admins` table loads `avatar` in both shapes Intercom answers — the
 * object `{type:'avatar', image_url}` (2.11; GET /admins/{id} and /me in every version) and the
 * URI string (GET /admins from 2.12) — each equal to the fake's export of that version.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startFakeIntercom, type FakeIntercom } from '../../src/fake-intercom/index.js';
import { TOKEN, exportAs, rows, runOk, tempDb } from './companies-helpers.js';

let f: FakeIntercom;

beforeAll(async () => {
  f = await startFakeIntercom({ seed: 15, token: TOKEN, admins: 9, contacts: 5, companies: 2, conversations: 0, tickets: 0 });
});
afterAll(async () => {
  await f?.close();
});

describe('admins avatar', () => {
  for (const [version, shape] of [
    ['2.11', 'object'],
    ['2.14', 'string'],
  ] as const) {
    test(`loads the ${shape} avatar of ${version} as the export has it`, async () => {
      const truth = await exportAs(f.url, 'admins', version);
      expect(truth.length).toBe(9);
      expect(
        truth.every((a) => (shape === 'object' ? typeof a.avatar === 'object' && a.avatar !== null : typeof a.avatar === 'string' || a.avatar === null)),
      ).toBe(true);
      expect(truth.some((a) => a.avatar !== null)).toBe(true);
      const file = tempDb(`admins-${version.replace('.', '')}`);
      await runOk(f.url, file, 'admins', { apiVersion: version });
      const got = await rows(file, 'select id, avatar::varchar as avatar from intercom.admins order by id');
      expect(got.map((r) => [r.id, r.avatar === null ? null : JSON.parse(String(r.avatar))])).toEqual(
        truth.map((a) => [a.id, a.avatar]).sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
      );
    });
  }
});
