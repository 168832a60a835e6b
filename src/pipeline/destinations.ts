/** Opens the destination a connection names. The pipeline is the only place that knows every destination. */
import type { DestinationConnection } from '../config/index.js';
import { createDuckDbDestination } from '../destinations/duckdb/index.js';
import { createPostgresDestination, optionsFromConnection } from '../destinations/postgres/index.js';
import { createSnowflakeDestination } from '../destinations/snowflake/index.js';
import type { Destination } from '../destinations/types.js';

/** Metadata tables (`_elt_state`, `_elt_loads`) live in the connection's schema, default `intercom`. */
export async function openDestination(conn: DestinationConnection): Promise<Destination> {
  switch (conn.type) {
    case 'duckdb':
      return createDuckDbDestination({ path: conn.path });
    case 'postgres':
      return createPostgresDestination(optionsFromConnection(conn));
    case 'snowflake':
      return createSnowflakeDestination(conn);
    default:
      throw new Error(`the ${(conn as { type: string }).type} destination is not available yet`);
  }
}
