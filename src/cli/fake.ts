/** `intercom-elt fake-intercom`: serve the fake Intercom until stopped. */
import { ConfigError } from '../errors.js';
import { runFakeIntercomCommand } from '../fake-intercom/index.js';
import type { Output } from './render.js';

const num = (v: unknown): number | undefined => (v === undefined || v === '' ? undefined : Number(v));
/** Milliseconds: a non-negative number, or an error naming the flag. */
const millis = (flag: string, v: unknown): number | undefined => {
  const n = num(v);
  if (n !== undefined && !(Number.isFinite(n) && n >= 0)) throw new ConfigError(flag, 'value', `'${String(v)}' is not a number of milliseconds (0 or more)`);
  return n;
};

export async function fakeIntercomCommand(flags: Record<string, unknown>, o: Output): Promise<void> {
  const rate = num(flags['rateLimitPerMinute']);
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
    faultRate: num(flags['faultRate']),
    stdout: (line) => o.out(line),
  });
  await new Promise<void>((resolve) => {
    const stop = () => void fake.close().then(resolve);
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
