/**
 * Issue #14: loading snowflake-sdk is quiet. On import the SDK used to detect its cloud platform
 * for telemetry (metadata endpoints, AWS STS); the STS client it built printed the AWS SDK's
 * Node-version warning into every run and test. The driver turns the detection off.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createSnowflakeDestination } from '../../src/destinations/snowflake/index.js';
import type { FakeSnowflake } from './fake/server.js';
import { fakeSnowflake, options } from './helpers.js';

const warnings: string[] = [];
const onWarning = (w: Error) => warnings.push(`${w.name}: ${w.message}`);
let fake: FakeSnowflake;

beforeAll(async () => {
  // before anything in this process loads the SDK
  process.on('warning', onWarning);
  fake = await fakeSnowflake();
});
afterAll(async () => {
  process.off('warning', onWarning);
  await fake?.close();
});

test('the first Snowflake connection prints no warning and leaves platform detection off', async () => {
  delete process.env['SNOWFLAKE_DISABLE_PLATFORM_DETECTION'];
  const dest = await createSnowflakeDestination(options(fake));
  try {
    expect(await dest.readState('x')).toBeUndefined();
  } finally {
    await dest.close();
  }
  // the detection's own timeout is 200 ms: anything it would have printed is out by now
  await new Promise((r) => setTimeout(r, 400));
  expect(warnings).toEqual([]);
  expect(process.env['SNOWFLAKE_DISABLE_PLATFORM_DETECTION']).toBe('true');
});
