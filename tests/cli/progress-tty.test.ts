/**
 * Issues #8 and #14: live progress in a real terminal. The CLI runs inside tmux (a
 * pseudo-terminal); the test reads the screen while the run is going: one live line per running
 * asset, redrawn in place (never a scroll of repeated lines), with the elapsed time and, for a
 * search, the total Intercom announced; then the summary and no live line left behind — also
 * after Ctrl-C, whose notice stays on the screen.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startFakeIntercom, type FakeIntercom } from '../../src/fake-intercom/index.js';
import { repoRoot } from '../helpers/cli.js';
import { asset, makeProject } from '../helpers/project.js';
import { hasTmux, openTerminal } from '../helpers/tmux.js';

const TOKEN = 'tok-tty-0c3d';
let fake: FakeIntercom;

beforeAll(async () => {
  // latency makes the run last a few seconds, so the screen can be read mid-run
  fake = await startFakeIntercom({ seed: 5, token: TOKEN, contacts: 3000, conversations: 300, companies: 10, tickets: 5, latencyMs: 60 });
});
afterAll(async () => {
  await fake?.close();
});

const liveContacts = /^intercom\.contacts: [\d,]+ rows of ~3,000 \(\d+%\), [\d,]+ pages, [\d,]+ requests \([\d,]+\/s\), \d+:\d\d elapsed/;
const anyLive = / rows(?: of ~[\d,]+ \(\d+%\))?, [\d,]+ pages, |: starting, \d+:\d\d elapsed/;

test.skipIf(!hasTmux)('interactive progress redraws one line per running asset with elapsed time and the search total, then prints the summary', async () => {
  const p = makeProject({ url: fake.url, token: TOKEN, assets: { contacts: asset('contacts'), conversations: asset('conversations') } });
  const term = openTerminal(`node ${repoRoot}/dist/cli/main.js ingest --config ${p.configFile} --progress interactive; echo EXIT=$?; sleep 30`);
  try {
    let sawLive = false;
    let maxLiveLinesPerAsset = 0;
    const final = await term.waitFor(
      (s) => s.includes('EXIT='),
      30_000,
      (s) => {
        const live = s.split('\n').filter((l) => liveContacts.test(l));
        if (live.length > 0) sawLive = true;
        maxLiveLinesPerAsset = Math.max(maxLiveLinesPerAsset, live.length);
      },
    );
    expect(sawLive).toBe(true);
    expect(maxLiveLinesPerAsset).toBe(1);
    expect(final).toContain('EXIT=0');
    expect(final).toMatch(/intercom\.contacts\s+ok\s+3,000/);
    expect(final).toMatch(/intercom\.conversations\s+ok\s+300/);
    // no live line is left behind once the assets are done
    expect(final.split('\n').filter((l) => anyLive.test(l))).toEqual([]);
    expect(final).not.toContain(TOKEN);
  } finally {
    term.close();
  }
});

test.skipIf(!hasTmux)('Ctrl-C: the notice stays on the screen, no stale live line, exit 2', async () => {
  const p = makeProject({ url: fake.url, token: TOKEN, assets: { contacts: asset('contacts') } });
  const term = openTerminal(`node ${repoRoot}/dist/cli/main.js ingest --config ${p.configFile} --progress interactive; echo EXIT=$?; sleep 30`);
  try {
    await term.waitFor((s) => liveContacts.test(s.split('\n').find((l) => l.startsWith('intercom.contacts: ') && l.includes(' rows of ')) ?? ''), 30_000);
    term.keys('C-c');
    const final = await term.waitFor((s) => s.includes('EXIT='), 30_000);
    expect(final).toContain('SIGINT: stopping at the next checkpoint (send again to quit at once)');
    expect(final).toMatch(/error: interrupted by SIGINT; .*committed/);
    expect(final).toContain('EXIT=2');
    expect(final.split('\n').filter((l) => anyLive.test(l))).toEqual([]);
  } finally {
    term.close();
  }
});
