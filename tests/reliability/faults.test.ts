/**
 * Issue #7, faults: the fake Intercom answers 5% of requests with a fault of every kind (429
 * bursts, 5xx, resets, hung responses past the client timeout, truncated JSON, scroll expiry
 * and restart). Every run exits 0 and every table equals the export with no duplicate keys.
 * When the faults exhaust the retries, the run exits 1 naming the table, the endpoint and the
 * Intercom error code, and the destination keeps its last checkpoint.
 */
import { afterAll, describe, expect, test } from 'vitest';
import { startFakeIntercom } from '../../src/fake-intercom/index.js';
import { expectEqualsExport, expectStateNotAhead, ingest, ingestOk, openTarget, project, stateOf, type Target } from './harness.js';
import { FAULTS, MALFORMED_PASSING, RUN_ASSETS } from './plan.js';

const TOKEN = 'tok-rel-faults-7c1d9e';
const open: Array<{ close(): Promise<void> }> = [];
const injected: Record<string, number> = {};
const count = (byKind: Record<string, number>): void => {
  for (const [k, n] of Object.entries(byKind)) injected[k] = (injected[k] ?? 0) + n;
};
afterAll(async () => {
  for (const o of open.reverse()) await o.close();
});

async function setup(seed: number, kind: Target['kind'], maxAttempts?: number) {
  const fake = await startFakeIntercom({ seed, token: TOKEN, ...FAULTS.workspace, timezone: 'Europe/Berlin' });
  open.push(fake);
  let p: ReturnType<typeof project> | undefined;
  const target = await openTarget(kind, () => p!.duckdbPath);
  open.push(target);
  p = project(fake, TOKEN, target, RUN_ASSETS, { timeoutSeconds: FAULTS.timeoutSeconds, maxAttempts });
  return { fake, target, p };
}

describe('faults from Intercom never lose or duplicate a row', () => {
  test.each(FAULTS.seeds)(
    'seed $seed into $target: 5% faults of every kind, exit 0, equal to the export',
    async ({ seed, target: kind }) => {
      const { fake, target, p } = await setup(seed, kind);
      fake.setFaults({ rate: FAULTS.rate, kinds: [...FAULTS.kinds] });
      const r = await ingest(p, target, ['--checkpoint-pages', '3'], { INTERCOM_ELT_COMPANIES_LIST_LIMIT: String(FAULTS.companiesListLimit) });
      const stats = fake.stats();
      fake.setFaults({ rate: 0 });
      console.log(`faults seed ${seed} (${kind}): ${stats.requests} requests, ${stats.faultsInjected} faults ${JSON.stringify(stats.faultsByKind)}`);
      count(stats.faultsByKind);
      expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
      // the faults were real: about 5% of the requests, the scroll among them
      expect(stats.faultsInjected).toBeGreaterThan(0);
      expect(stats.faultsInjected).toBeGreaterThanOrEqual(Math.floor(stats.requests * FAULTS.rate * 0.5));
      expect(stats.byPath['/companies/scroll'] ?? 0).toBeGreaterThan(5);
      await expectEqualsExport(fake, target, RUN_ASSETS);
    },
    180_000,
  );

  test('the companies scroll under 5% faults: restarts, lost pages asked again, equal to the export', async () => {
    const { fake, target, p } = await setup(FAULTS.scroll.seed, 'duckdb');
    for (let i = 0; i < FAULTS.scroll.companiesCreated; i++) fake.createCompany({ name: `Scrolled ${i}` });
    fake.setFaults({ rate: FAULTS.rate, kinds: FAULTS.scroll.kinds });
    const r = await ingest(p, target, ['intercom.companies'], { INTERCOM_ELT_COMPANIES_LIST_LIMIT: String(FAULTS.companiesListLimit) });
    const stats = fake.stats();
    fake.setFaults({ rate: 0 });
    count(stats.faultsByKind);
    console.log(
      `scroll seed ${FAULTS.scroll.seed}: ${stats.byPath['/companies/scroll']} scroll requests, ${stats.faultsInjected} faults ${JSON.stringify(stats.faultsByKind)}`,
    );
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(stats.faultsInjected).toBeGreaterThan(0);
    expect(r.stdout).toMatch(/scroll_restarts=\d/);
    await expectEqualsExport(fake, target, ['companies']);
  }, 180_000);

  test('responses that cannot be right, each kind passing twice on every path it fits: retried, exit 0, equal to the export', async () => {
    const { fake, target, p } = await setup(FAULTS.malformedSeed, 'duckdb');
    for (const rule of MALFORMED_PASSING) fake.addFaultRule(rule);
    const r = await ingest(p, target, [], { INTERCOM_ELT_COMPANIES_LIST_LIMIT: String(FAULTS.companiesListLimit * 100) });
    const stats = fake.stats();
    fake.clearFaultRules();
    count(stats.faultsByKind);
    console.log(`malformed responses: ${stats.faultsInjected} faults ${JSON.stringify(stats.faultsByKind)}`);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(stats.faultsInjected).toBe(MALFORMED_PASSING.length * 2);
    await expectEqualsExport(fake, target, RUN_ASSETS);
  }, 180_000);

  test('across the seeds every fault kind was injected', () => {
    expect(Object.keys(injected).sort()).toEqual([...FAULTS.kinds].sort());
  });

  test('faults that exhaust the retries: exit 1 naming table, endpoint and code; the last checkpoint kept; a rerun completes', async () => {
    const { fake, target, p } = await setup(4, 'duckdb', 3);
    await ingestOk(p, target, ['intercom.contacts']);
    const before = (await stateOf(target)).get('intercom.contacts')!;
    // a second day of changes, then the search dies after 2 of its pages
    fake.clock.set(fake.clock.now() + 86_400);
    const ids = (await target.query(`SELECT id FROM intercom.contacts ORDER BY id LIMIT 450`)).map((r) => String(r['id']));
    for (const id of ids) fake.updateContact(id, { name: `changed ${id}` });
    fake.clock.set(fake.clock.now() + 3600);
    fake.failAfter(2, '/contacts/search');
    const r = await ingest(p, target, ['intercom.contacts', '--checkpoint-pages', '1']);
    fake.failAfter(-1);
    expect(fake.stats().faultsByKind.fail_after).toBeGreaterThan(0);
    expect(r.code).toBe(1);
    const out = r.stdout + r.stderr;
    expect(out).toMatch(/intercom\.contacts/);
    expect(out).toMatch(/POST \/contacts\/search/);
    expect(out).toMatch(/500/);
    expect(out).toMatch(/server_error/);
    expect(out).not.toMatch(/^\s+at /m); // no stack trace without --debug
    // the state did not move past the rows: the cursor is the old one, the resume point (if any) is behind loaded rows
    const after = (await stateOf(target)).get('intercom.contacts')!;
    expect(after['cursor']).toBe(before['cursor']);
    const changed = await target.query(`SELECT count(*) AS n FROM intercom.contacts WHERE name LIKE 'changed %'`);
    expect(Number(changed[0]!['n'])).toBe(300); // the two pages read before the failure, checkpointed
    await expectStateNotAhead(fake, target, ['contacts']);
    await ingestOk(p, target, ['intercom.contacts']);
    await expectEqualsExport(fake, target, ['contacts']);
  }, 180_000);
});
