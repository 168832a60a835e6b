/**
 * A checkpoint commit runs behind the fetching (src/pipeline/load-queue.ts): while the destination
 * commits, the next pages keep being read (up to the next checkpoint), so a slow commit does not
 * idle the rate budget. A failed write still stops the run and fails the asset.
 * The destination is the real DuckDB one, with its commits slowed or a write failing.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import path from 'node:path';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import { startFakeIntercom, type FakeIntercom } from '../../src/fake-intercom/index.js';
import type { IntercomConnection } from '../../src/config/index.js';
import { createDuckDbDestination } from '../../src/destinations/duckdb/index.js';
import type { Destination, RunWriter } from '../../src/destinations/types.js';
import { getTable } from '../../src/intercom/tables/index.js';
import { clientFor } from '../../src/pipeline/run.js';
import { runAsset } from '../../src/pipeline/run-asset.js';
import { query } from '../helpers/duck.js';
import { assetConfig } from '../helpers/asset-config.js';

const TOKEN = 'tok-overlap-51c';
let fake: FakeIntercom;
let dir: string;

beforeAll(async () => {
  // 6,000 contacts = 40 search pages of 150
  fake = await startFakeIntercom({ seed: 5, token: TOKEN, contacts: 6000, companies: 10, conversations: 5, tickets: 5, latencyMs: 5 });
  dir = mkdtempSync(path.join(os.tmpdir(), 'ielt-overlap-'));
});
afterAll(async () => {
  await fake?.close();
});

const conn = (): IntercomConnection => ({ name: 'intercom', accessToken: TOKEN, region: 'us', apiVersion: '2.14', baseUrl: fake.url }) as IntercomConnection;
const searches = () => fake.stats().byPath['/contacts/search'] ?? 0;

/** The real DuckDB destination, its writers' methods replaced where `wrap` says. */
function around(real: Destination, wrap: (w: RunWriter) => Partial<RunWriter>): Destination {
  const bind = <T extends object>(t: T, over: Record<string | symbol, unknown>) =>
    new Proxy(t, {
      get: (o, k) =>
        k in over ? over[k] : typeof Reflect.get(o, k) === 'function' ? (Reflect.get(o, k) as (...args: unknown[]) => unknown).bind(o) : Reflect.get(o, k),
    });
  return bind(real, {
    openRun: async (...a: Parameters<Destination['openRun']>) => {
      const w = await real.openRun(...a);
      return bind(w, wrap(w) as Record<string, unknown>);
    },
  });
}

/** A contacts run into `destination` (closed afterwards with the client). */
async function contactsInto(destination: Destination, o: { checkpointPages: number; batchRows?: number; maxQueuedBytes?: number }) {
  const client = clientFor(conn());
  try {
    return await runAsset({ asset: assetConfig('contacts'), table: getTable('contacts')!, client, destination, apiVersion: '2.14', fullRefresh: false, ...o });
  } finally {
    await client.close();
    await destination.close();
  }
}

/** `real` with every checkpoint commit taking 1.5 s more; `during`: the search pages read while each one waited. */
function slowCommits(real: Destination): { slow: Destination; during: number[] } {
  const during: number[] = [];
  const slow = around(real, (w) => ({
    checkpoint: async (state) => {
      const before = searches();
      await new Promise((r) => setTimeout(r, 1500));
      during.push(searches() - before);
      await w.checkpoint(state);
    },
  }));
  return { slow, during };
}

describe('checkpoint commits behind the fetching', () => {
  test('pages keep being read while a slow checkpoint commits; every row and the state land', async () => {
    const file = path.join(dir, 'slow.duckdb');
    const { slow, during } = slowCommits(await createDuckDbDestination({ path: file }));
    const summary = await contactsInto(slow, { checkpointPages: 15 });
    expect(summary.status).toBe('ok');
    expect(summary.checkpoints).toBe(2); // after pages 15 and 30
    // The first commit (after page 15) took 1.5 s: meanwhile the loop went on to page 30 (where
    // the next checkpoint waits for it). A commit that stopped the loop would leave only the
    // read-ahead: prefetch 2 + the fan-out's 3 pages = at most 5 search pages.
    expect(during[0]).toBeGreaterThanOrEqual(10);
    expect(await query(file, 'SELECT count(DISTINCT id)::INT AS n FROM intercom.contacts')).toEqual([{ n: 6000 }]);
    // the finished window moved the cursor: state committed after the rows
    const state = await query(file, "SELECT state FROM intercom._elt_state WHERE asset = 'intercom.contacts'");
    expect(state).toHaveLength(1);
    expect(String(state[0]!.state)).toContain('cursor');
  });

  test('the batches queued behind a slow commit are bounded: reading waits once they hold maxQueuedBytes', async () => {
    const file = path.join(dir, 'bounded.duckdb');
    const { slow, during } = slowCommits(await createDuckDbDestination({ path: file }));
    // a batch per page, and room for one: the first page read during the commit fills the queue
    const summary = await contactsInto(slow, { checkpointPages: 15, batchRows: 150, maxQueuedBytes: 1 });
    expect(summary.status).toBe('ok');
    // only the read-ahead (prefetch 2 + the fan-out's 3 pages) and the one page that filled the
    // queue, where the unbounded test above reads 10 or more
    expect(during[0]).toBeLessThanOrEqual(6);
    expect(await query(file, 'SELECT count(DISTINCT id)::INT AS n FROM intercom.contacts')).toEqual([{ n: 6000 }]);
  });

  test('a failed write stops the run soon and fails the asset with its error', async () => {
    const file = path.join(dir, 'failing.duckdb');
    const real = await createDuckDbDestination({ path: file });
    let writes = 0;
    const failing = around(real, (w) => ({
      write: async (...a: Parameters<RunWriter['write']>) => {
        if (++writes === 2) throw new Error('disk full (test)');
        await w.write(...a);
      },
    }));
    const before = searches();
    const summary = await contactsInto(failing, { checkpointPages: 2, batchRows: 150 }); // a write per table per page
    expect(summary.status).toBe('failed');
    expect(summary.error?.message).toBe('disk full (test)');
    // stopped at the next page (+ the read-ahead in flight), not after reading all 40
    expect(searches() - before).toBeLessThan(12);
  });
});
