/** Opens the destination a connection names. The pipeline is the only place that knows every destination. */
import type { DestinationConnection } from '../config/index.js';
import type { Destination } from '../destinations/types.js';

/**
 * Metadata tables (`_elt_state`, `_elt_loads`) live in the connection's schema, default `intercom`.
 * Each driver is imported when first opened: snowflake-sdk alone costs about a second of CPU at
 * start-up, which every command (and a config error) would pay otherwise.
 */
export async function openDestination(conn: DestinationConnection): Promise<Destination> {
  switch (conn.type) {
    case 'duckdb':
      return (await import('../destinations/duckdb/index.js')).createDuckDbDestination({ path: conn.path });
    case 'postgres': {
      const { createPostgresDestination, optionsFromConnection } = await import('../destinations/postgres/index.js');
      return createPostgresDestination(optionsFromConnection(conn));
    }
    case 'snowflake':
      return (await import('../destinations/snowflake/index.js')).createSnowflakeDestination(conn);
    default:
      throw new Error(`the ${(conn as { type: string }).type} destination is not available yet`);
  }
}
