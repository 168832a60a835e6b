/**
 * Issue #17, responses that cannot be right: an empty page that contradicts its own total_count,
 * records without their id, `{}` for a conversation or ticket, a plain HTML 404 that is not
 * Intercom's. Each persists (a fault rule of the fake) on a second run over changed records: the
 * asset must exit 1 naming it, keep its cursor, load no NULL-key row and mark nothing deleted;
 * with the fault gone the rerun equals the export. Cases: plan.ts MALFORMED.
 */
import { afterAll, describe, expect, test } from 'vitest';
import { startFakeIntercom, type FakeIntercom } from '../../src/fake-intercom/index.js';
import { exportTable } from '../helpers/truth.js';
import { comparedTables, expectEqualsExport, ingest, ingestOk, openTarget, project, stateOf, type Target } from './harness.js';
import { MALFORMED, MALFORMED_MAX_ATTEMPTS, MALFORMED_TARGETS, MALFORMED_WORKSPACE, RUN_ASSETS } from './plan.js';

const TOKEN = 'tok-rel-malformed-5e8a13';
const open: Array<{ close(): Promise<void> }> = [];
afterAll(async () => {
  for (const o of open.reverse()) await o.close();
});

/** Every record of the asset's table changes a minute later (the next run reads them all again). */
async function touch(fake: FakeIntercom, asset: string): Promise<void> {
  fake.clock.advance(60);
  const ids = (await exportTable(fake.url, asset)).map((r) => String(r['id']));
  const update = { contacts: fake.updateContact, companies: fake.updateCompany, conversations: fake.updateConversation, tickets: fake.updateTicket }[asset]!;
  for (const id of ids) update(id, {});
  fake.clock.advance(120); // past the settle lag
}

/** No row of any table of the assets has a NULL key column. */
async function expectNoNullKeys(target: Target, assets: readonly string[]): Promise<void> {
  for (const t of comparedTables(assets)) {
    const where = t.key.map((c) => `"${c}" IS NULL`).join(' OR ');
    const [row] = await target.query(`SELECT count(*) AS n FROM "intercom"."${t.name}" WHERE ${where}`);
    expect(Number(row!['n']), `${target.kind} ${t.name}: rows without their key`).toBe(0);
  }
}

async function deletedCount(target: Target, table: string): Promise<number> {
  const [row] = await target.query(`SELECT count(*) AS n FROM "intercom"."${table}" WHERE "_elt_deleted_at" IS NOT NULL`);
  return Number(row!['n']);
}

describe.each(MALFORMED_TARGETS)('responses that cannot be right, into %s', (kind) => {
  let fake: FakeIntercom;
  let target: Target;
  let p: ReturnType<typeof project>;

  test('the first run loads every asset', async () => {
    fake = await startFakeIntercom({ token: TOKEN, ...MALFORMED_WORKSPACE, timezone: 'Europe/Berlin' });
    open.push(fake);
    target = await openTarget(kind, () => p.duckdbPath);
    open.push(target);
    p = project(fake, TOKEN, target, RUN_ASSETS, { maxAttempts: MALFORMED_MAX_ATTEMPTS });
    await ingestOk(p, target);
    await expectEqualsExport(fake, target, RUN_ASSETS);
  }, 120_000);

  test.each(MALFORMED)(
    '$rule.kind on $rule.path: exit 1, cursor kept, no NULL key, nothing deleted; the rerun equals the export',
    async (c) => {
      const asset = `intercom.${c.asset}`;
      await touch(fake, c.asset);
      const before = (await stateOf(target)).get(asset)!;
      const deleted = c.asset === 'conversations' ? await deletedCount(target, 'conversations') : 0;
      fake.addFaultRule(c.rule);
      const r = await ingest(p, target, [asset]);
      fake.clearFaultRules();
      const out = r.stdout + r.stderr;
      expect(r.code, out).toBe(1);
      expect(out).toMatch(c.message);
      expect(out).toMatch(new RegExp(asset.replace('.', '\\.')));
      expect(out).not.toMatch(/^\s+at /m); // no stack trace without --debug
      expect((await stateOf(target)).get(asset)!['cursor']).toBe(before['cursor']);
      await expectNoNullKeys(target, [c.asset]);
      if (c.asset === 'conversations') expect(await deletedCount(target, 'conversations')).toBe(deleted);
      await ingestOk(p, target, [asset]);
      await expectEqualsExport(fake, target, [c.asset]);
    },
    120_000,
  );
});
