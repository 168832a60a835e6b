/** `intercom-elt fake-intercom`: serve the fake Intercom until stopped. */
import { EltError } from '../../core/errors.js';
import { ALL_FAULT_KINDS, type FaultKind, runFakeIntercomCommand } from '../../fake-intercom/index.js';
import { assertTimeZone } from '../../fake-intercom/tz.js';
import type { Output } from '../render.js';
import type { CommandDefinition } from '../command.js';

const num = (v: unknown): number | undefined => (v === undefined || v === '' ? undefined : Number(v));
const usage = (msg: string) => new EltError('usage', msg);
/** Milliseconds: a non-negative number, or a usage error naming the flag. */
const millis = (flag: string, v: unknown): number | undefined => {
  const n = num(v);
  if (n !== undefined && !(Number.isFinite(n) && n >= 0)) throw usage(`${flag}: '${String(v)}' is not a number of milliseconds (0 or more)`);
  return n;
};

/** `--fault-kinds a,b`: known kind names only; omitted = every kind (with a rate). */
export function parseFaultKinds(raw: unknown): FaultKind[] | undefined {
  if (raw === undefined) return undefined;
  const kinds = String(raw)
    .split(',')
    .map((k) => k.trim())
    .filter((k) => k !== '');
  const unknown = kinds.filter((k) => !(ALL_FAULT_KINDS as readonly string[]).includes(k));
  if (kinds.length === 0 || unknown.length > 0) {
    throw usage(`--fault-kinds: unknown fault kind '${unknown[0] ?? raw}'; use a comma-separated list of ${ALL_FAULT_KINDS.join(', ')}`);
  }
  return kinds as FaultKind[];
}

/** `--start-time`: unix seconds or an ISO 8601 instant with a zone (`2026-01-01T00:00:00Z`). */
export function parseStartTime(raw: unknown): number | undefined {
  if (raw === undefined) return undefined;
  const s = String(raw).trim();
  const t = /^\d+$/.test(s) ? Number(s) : /(Z|[+-]\d\d:?\d\d)$/i.test(s) ? Date.parse(s) / 1000 : NaN;
  if (!Number.isFinite(t)) throw usage(`--start-time: '${s}' is not unix seconds or an ISO 8601 instant with a zone (e.g. 2026-01-01T00:00:00Z)`);
  return Math.floor(t);
}

function parseClock(raw: unknown): boolean {
  if (raw === 'frozen') return false;
  if (raw === 'real') return true;
  throw usage(`--clock: '${String(raw)}' is not a clock mode; use frozen (moves only through /_fake/clock) or real (ticks with real time from --start-time)`);
}

function parseTimezone(raw: unknown): string {
  const tz = String(raw);
  try {
    assertTimeZone(tz);
  } catch {
    throw usage(`--timezone: '${tz}' is not an IANA time zone (e.g. Europe/Dublin)`);
  }
  return tz;
}

export const command: CommandDefinition = {
  name: 'fake-intercom',
  description: 'Serve the fake Intercom API locally (for trying things out and for tests)',
  options: [
    ['--port <port>', 'Port (0 = any free port)', { default: 0 }],
    ['--seed <n>', 'Seed of the generated data', { default: 1 }],
    ['--token <token>', 'Access token to accept', { default: 'fake-token' }],
    ['--contacts <n>', 'Number of contacts'],
    ['--companies <n>', 'Number of companies'],
    ['--conversations <n>', 'Number of conversations'],
    ['--tickets <n>', 'Number of tickets'],
    ['--rate-limit-per-minute <n>', 'Requests per minute per app (0 = unlimited)', { default: 10000 }],
    ['--latency-ms <n>', 'Added latency per request'],
    ['--search-latency-ms <n>', 'Added latency per search page (POST …/search) instead of --latency-ms'],
    ['--fault-rate <r>', 'Fraction of requests answered with an injected fault (all kinds unless --fault-kinds)'],
    ['--fault-kinds <a,b>', 'Fault kinds to inject, comma-separated (default: every kind; see docs/fake-intercom.md)'],
    ['--clock <mode>', 'frozen (moves only through /_fake/clock) | real (ticks from --start-time)', { default: 'frozen' }],
    ['--start-time <t>', 'Initial clock: unix seconds or ISO 8601 instant', { default: '2026-01-01T00:00:00Z' }],
    ['--timezone <zone>', 'Workspace time zone (GET /me app.timezone)', { default: 'America/Los_Angeles' }],
  ],
  examples: ['intercom-elt fake-intercom --port 8080 --contacts 100000'],
  action: async ({ output }, flags: Record<string, unknown>) => {
    await fakeIntercomCommand(flags, output);
  },
};

export async function fakeIntercomCommand(flags: Record<string, unknown>, o: Output): Promise<void> {
  const rate = num(flags['rateLimitPerMinute']);
  const faultRate = num(flags['faultRate']);
  const faultKinds = parseFaultKinds(flags['faultKinds']);
  if (faultKinds && !faultRate) throw usage('--fault-kinds needs --fault-rate <r> (a fraction above 0) to inject anything');
  if (faultRate !== undefined && !(faultRate >= 0 && faultRate <= 1))
    throw usage(`--fault-rate: '${String(flags['faultRate'])}' must be a fraction within [0, 1]`);
  const fake = await runFakeIntercomCommand({
    port: num(flags['port']),
    seed: num(flags['seed']),
    token: flags['token'] as string | undefined,
    contacts: num(flags['contacts']),
    companies: num(flags['companies']),
    conversations: num(flags['conversations']),
    tickets: num(flags['tickets']),
    rateLimitPerMinute: rate === 0 ? null : rate,
    latencyMs: num(flags['latencyMs']),
    searchLatencyMs: millis('--search-latency-ms', flags['searchLatencyMs']),
    faultRate,
    faultKinds,
    realtimeClock: parseClock(flags['clock']),
    now: parseStartTime(flags['startTime']),
    timezone: parseTimezone(flags['timezone']),
    stdout: (line) => o.out(line),
  });
  await new Promise<void>((resolve) => {
    const stop = () => void fake.close().then(resolve);
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
