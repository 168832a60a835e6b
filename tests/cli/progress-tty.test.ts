/**
 * Issue #8: live progress in a real terminal. The CLI runs inside tmux (a pseudo-terminal); the
 * test reads the screen while the run is going: one live line per running asset, redrawn in
 * place (never a scroll of repeated lines), then the summary table.
 */
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startFakeIntercom, type FakeIntercom } from '../../src/fake-intercom/index.js';
import { repoRoot } from '../helpers/cli.js';
import { asset, makeProject } from '../helpers/project.js';

const TOKEN = 'tok-tty-0c3d';
const session = `ielt-${process.pid}`;
let fake: FakeIntercom;
const hasTmux = (() => {
  try {
    execFileSync('tmux', ['-V']);
    return true;
  } catch {
    return false;
  }
})();

beforeAll(async () => {
  // latency makes the run last a few seconds, so the screen can be read mid-run
  fake = await startFakeIntercom({ seed: 5, token: TOKEN, contacts: 3000, conversations: 300, companies: 10, tickets: 5, latencyMs: 60 });
});
afterAll(async () => {
  if (hasTmux) {
    try {
      execFileSync("tmux", ["kill-session", "-t", session], { stdio: "ignore" });
    } catch {
      // already gone
    }
  }
  await fake?.close();
});

const screen = () => execFileSync('tmux', ['capture-pane', '-p', '-t', session]).toString();

test.skipIf(!hasTmux)('interactive progress redraws one line per running asset, then prints the summary', async () => {
  const p = makeProject({ url: fake.url, token: TOKEN, assets: { contacts: asset('contacts'), conversations: asset('conversations') } });
  const cmd = `node ${repoRoot}/dist/cli/main.js ingest --config ${p.configFile} --progress interactive; echo EXIT=$?; sleep 30`;
  execFileSync('tmux', ['new-session', '-d', '-s', session, '-x', '200', '-y', '50', cmd]);
  let sawLive = false;
  let maxLiveLinesPerAsset = 0;
  let final = '';
  for (let i = 0; i < 300; i++) {
    await new Promise((r) => setTimeout(r, 100));
    const s = screen();
    const live = s.split('\n').filter((l) => /^intercom\.contacts: [\d,]+ rows, [\d,]+ pages, [\d,]+ requests/.test(l));
    if (live.length > 0) sawLive = true;
    maxLiveLinesPerAsset = Math.max(maxLiveLinesPerAsset, live.length);
    if (s.includes('EXIT=')) {
      final = s;
      break;
    }
  }
  expect(sawLive).toBe(true);
  expect(maxLiveLinesPerAsset).toBe(1);
  expect(final).toContain('EXIT=0');
  expect(final).toMatch(/intercom\.contacts\s+ok\s+3,000/);
  expect(final).toMatch(/intercom\.conversations\s+ok\s+300/);
  // no live line is left behind once the assets are done
  expect(final.split('\n').filter((l) => / rows, [\d,]+ pages, /.test(l))).toEqual([]);
  expect(final).not.toContain(TOKEN);
});
