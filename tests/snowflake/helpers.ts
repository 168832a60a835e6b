/** Shared setup of the Snowflake tests: a fake Snowflake and destinations pointed at it. */
import type { DestinationConnection, IntercomConnection } from '../../src/config/index.js';
import { createSnowflakeDestination, type SnowflakeOptions } from '../../src/destinations/snowflake/index.js';
import type { Destination } from '../../src/destinations/types.js';
import type { DestinationFactory, Harness } from '../destinations/harness.js';
import { startFakeSnowflake, type FakeSnowflake } from './fake/server.js';

export const PASSWORD = 'pw-9f3c1e';

export function options(fake: FakeSnowflake, extra: Partial<SnowflakeOptions> = {}): SnowflakeOptions {
  return {
    account: fake.account.toLowerCase(),
    username: 'loader',
    password: PASSWORD,
    database: 'analytics',
    warehouse: 'load_wh',
    accessUrl: fake.url,
    ...extra,
  };
}

export async function fakeSnowflake(opts: { detachedAbortMs?: number } = {}): Promise<FakeSnowflake> {
  return startFakeSnowflake({ account: 'xy12345', users: { LOADER: { password: PASSWORD } }, ...opts });
}

/** The shared behaviour suite's harness: the real destination and snowflake-sdk against a fresh fake. */
export const fakeSnowflakeFactory: DestinationFactory = {
  name: 'snowflake (real snowflake-sdk, fake server)',
  async open(): Promise<Harness> {
    const fake = await fakeSnowflake();
    const open = (): Promise<Destination> => createSnowflakeDestination(options(fake));
    const h: Harness = {
      dest: await open(),
      query: (sql) => fake.query(sql),
      async reopen() {
        await h.dest.close();
        h.dest = await open();
      },
      async cleanup() {
        await h.dest.close();
        await fake.close();
      },
    };
    return h;
  },
};

/**
 * The pipeline's project: the fake Intercom as source, the fake Snowflake as destination
 * `snowflake`. Each call opens its own destination in runAssets, so its own Snowflake sessions.
 */
export function pipelineProject(fake: FakeSnowflake, intercomUrl: string, token: string) {
  const ic: IntercomConnection = { name: 'intercom', accessToken: token, region: 'us', apiVersion: '2.14', baseUrl: intercomUrl };
  // accessUrl is not a connections.yml field: the destination accepts it to reach the fake
  const dest = { type: 'snowflake', name: 'snowflake', ...options(fake) } as DestinationConnection;
  return { intercom: new Map([['intercom', ic]]), destinations: new Map([['snowflake', dest]]) };
}
