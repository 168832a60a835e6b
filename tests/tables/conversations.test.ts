/**
 * Issue #4: conversations with their parts, tags and contacts, the 500-part cap, and deletes —
 * the fake Intercom over HTTP into a real DuckDB file, compared with the fake's ground truth.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startFakeIntercom, type FakeIntercom } from '../../src/fake-intercom/index.js';
import type { AssetConfig, DestinationConnection, IntercomConnection } from '../../src/config/index.js';
import { runAssets } from '../../src/pipeline/run.js';
import { query } from '../helpers/duck.js';
import { exportTable, visiblePartKeys } from '../helpers/truth.js';
import { assetConfig } from '../helpers/asset-config.js';

const TOKEN = 'tok-conv-51c2';
let fake: FakeIntercom;
let dir: string;

function project(file: string, apiVersion: string, baseUrl = fake.url) {
  const intercom: IntercomConnection = { name: 'intercom', accessToken: TOKEN, region: 'us', apiVersion, baseUrl, concurrency: 16 };
  const duck: DestinationConnection = { type: 'duckdb', name: 'duckdb', path: file };
  return { intercom: new Map([['intercom', intercom]]), destinations: new Map([['duckdb', duck]]) };
}

const asset: AssetConfig = assetConfig('conversations');

beforeAll(async () => {
  fake = await startFakeIntercom({ seed: 21, token: TOKEN, contacts: 50, companies: 5, conversations: 450, tickets: 5 });
  dir = mkdtempSync(path.join(os.tmpdir(), 'ielt-conv-'));
});
afterAll(async () => {
  await fake?.close();
});

describe('conversations with parts', () => {
  test('conversations, parts (500 most recent), tags and contacts equal the export; truncation flagged', async () => {
    const file = path.join(dir, 'conv.duckdb');
    const r = await runAssets(project(file, '2.14'), [asset]);
    expect(r.summaries[0]!.error?.message).toBeUndefined();
    const convs = await exportTable(fake.url, 'conversations');
    const got = await query(file, 'select id, epoch(updated_at)::bigint t, parts_total_count n, parts_truncated tr from intercom.conversations');
    expect(new Map(got.map((g) => [String(g['id']), Number(g['t'])]))).toEqual(new Map(convs.map((c) => [String(c['id']), Number(c['updated_at'])])));

    const allParts = await exportTable(fake.url, 'conversation_parts');
    const gotParts = await query(file, `select conversation_id || '|' || id k from intercom.conversation_parts`);
    expect(new Set(gotParts.map((p) => String(p['k'])))).toEqual(visiblePartKeys(allParts));
    expect(gotParts.length).toBe(new Set(gotParts.map((p) => p['k'])).size);

    const counts = new Map<string, number>();
    for (const p of allParts) counts.set(String(p['conversation_id']), (counts.get(String(p['conversation_id'])) ?? 0) + 1);
    const truncated = [...counts.values()].filter((n) => n > 500).length;
    expect(truncated).toBeGreaterThan(0); // the fake must exercise the cap
    for (const g of got) {
      expect(Number(g['n'])).toBe(counts.get(String(g['id'])) ?? 0);
      expect(g['tr']).toBe((counts.get(String(g['id'])) ?? 0) > 500);
    }
    expect(r.summaries[0]!.counters['conversations_parts_truncated']).toBe(truncated);

    const tags = new Set(convs.flatMap((c) => ((c['tags'] as { tags: { id: string }[] }).tags ?? []).map((t) => `${c['id']}|${t.id}`)));
    const gotTags = await query(file, `select conversation_id || '|' || id k from intercom.conversation_tags`);
    expect(new Set(gotTags.map((t) => String(t['k'])))).toEqual(tags);
    const contacts = new Set(convs.flatMap((c) => ((c['contacts'] as { contacts: { id: string }[] }).contacts ?? []).map((t) => `${c['id']}|${t.id}`)));
    const gotContacts = await query(file, `select conversation_id || '|' || id k from intercom.conversation_contacts`);
    expect(new Set(gotContacts.map((t) => String(t['k'])))).toEqual(contacts);
    // one search page per 150 conversations and exactly one GET per conversation
    expect(r.summaries[0]!.requests).toBe(1 + Math.ceil(convs.length / 150) + convs.length);
  });

  test('new parts and changed tags replace the stored children; 2.16 deletions mark rows deleted', async () => {
    const file = path.join(dir, 'conv216.duckdb');
    expect((await runAssets(project(file, '2.16'), [asset])).ok).toBe(true);
    const convs = await exportTable(fake.url, 'conversations');
    const small = convs.filter((c) => Number((c['statistics'] as { count_conversation_parts?: number } | null)?.count_conversation_parts ?? 0) < 100);
    const grow = String(small[0]!['id']);
    const victim = String(small[1]!['id']);
    fake.clock.advance(3600);
    fake.addConversationParts(grow, 3);
    fake.deleteConversation(victim);
    fake.clock.advance(3600);
    const r = await runAssets(project(file, '2.16'), [asset]);
    expect(r.summaries[0]!.error?.message).toBeUndefined();
    const allParts = await exportTable(fake.url, 'conversation_parts');
    const want = [...visiblePartKeys(allParts)].filter((k) => k.startsWith(`${grow}|`)).sort();
    const have = (await query(file, `select conversation_id || '|' || id k from intercom.conversation_parts where conversation_id = '${grow}'`))
      .map((x) => String(x['k']))
      .sort();
    expect(have).toEqual(want);
    const [dead] = await query(file, `select _elt_deleted_at is not null d from intercom.conversations where id = '${victim}'`);
    expect(dead!['d']).toBe(true);
    const [deadParts] = await query(
      file,
      `select count(*)::int n, count(_elt_deleted_at)::int d from intercom.conversation_parts where conversation_id = '${victim}'`,
    );
    expect(deadParts!['n']).toBeGreaterThan(0);
    expect(deadParts!['d']).toBe(deadParts!['n']);
    const [alive] = await query(file, `select count(_elt_deleted_at)::int d from intercom.conversations where id <> '${victim}'`);
    expect(alive!['d']).toBe(0);
  });

  test("a conversation deleted between the search and its GET is kept, marked deleted at Intercom's clock", async () => {
    // every request waits 1 s before the fake routes it, and the fake counts it on arrival: the
    // conversation is deleted as soon as the first GET by id arrives (the search was answered
    // before any GET is sent), ~1 s before any GET is routed
    const slow = await startFakeIntercom({
      seed: 22,
      token: TOKEN,
      contacts: 20,
      companies: 2,
      conversations: 12,
      tickets: 1,
      latencyMs: 1000,
      rateLimitPerMinute: null,
    });
    try {
      const victim = String((await exportTable(slow.url, 'conversations'))[3]!['id']);
      const file = path.join(dir, 'conv404.duckdb');
      expect((await runAssets(project(file, '2.14', slow.url), [asset])).ok).toBe(true);
      const [stored] = await query(file, `select count(*)::int n from intercom.conversation_parts where conversation_id = '${victim}'`);
      expect(stored!['n']).toBeGreaterThan(0);
      slow.clock.advance(3600);
      slow.updateConversation(victim, {});
      slow.clock.advance(600); // past the run's 30 s settle lag
      const gets = () => Object.entries(slow.stats().byPath).reduce((n, [p, k]) => (/^\/conversations\/(?!search$)/.test(p) ? n + k : n), 0);
      const before = gets();
      const run = runAssets(project(file, '2.14', slow.url), [asset]);
      while (gets() === before) await new Promise((r) => setTimeout(r, 5));
      slow.deleteConversation(victim);
      const r = await run;
      expect(r.summaries[0]!.error?.message).toBeUndefined();
      expect(r.summaries[0]!.counters['conversations_deleted']).toBe(1);
      // the fake's clock is frozen at 2026-01-01, far from this machine's: the 404's Date header wins
      const intercomNow = slow.clock.now();
      expect(Math.abs(intercomNow - Date.now() / 1000)).toBeGreaterThan(3600);
      const [dead] = await query(file, `select epoch(_elt_deleted_at)::bigint t from intercom.conversations where id = '${victim}'`);
      expect(Number(dead!['t'])).toBe(intercomNow);
      // the parts stored by the first run are marked with the same time
      const parts = await query(file, `select distinct epoch(_elt_deleted_at)::bigint t from intercom.conversation_parts where conversation_id = '${victim}'`);
      expect(parts.map((p) => Number(p['t']))).toEqual([intercomNow]);
      const [alive] = await query(file, `select count(_elt_deleted_at)::int d from intercom.conversations where id <> '${victim}'`);
      expect(alive!['d']).toBe(0);
    } finally {
      await slow.close();
    }
  });
});
