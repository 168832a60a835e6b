/**
 * Layer 3 of docs/destinations/snowflake.md: the shared destination behaviour suite
 * (tests/destinations/behaviour.test.ts, the same assertions DuckDB and Postgres pass) run
 * through the real Snowflake destination and the real snowflake-sdk, against the fake
 * Snowflake server. The suite is imported after pointing its factory list at the fake.
 */
import { FACTORIES } from '../destinations/harness.js';
import { fakeSnowflakeFactory } from './helpers.js';

FACTORIES.splice(0, FACTORIES.length, fakeSnowflakeFactory);
await import('../destinations/behaviour.test.js');
