/** Opening destinations for read-only commands (list, state show): read-only, without creating files, one open per connection. */
import type { DestinationConnection } from '../config/index.js';
import type { Destination } from '../destinations/types.js';
import { openExisting } from '../destinations/registry.js';

/** Opens each destination connection at most once; `close()` closes them all. */
export class DestinationPool {
  private readonly open = new Map<string, Promise<Destination | undefined>>();

  /**
   * The destination of a connection, or undefined when there is nothing to read yet (a DuckDB
   * file that does not exist: opening it would create an empty file just to list nothing).
   */
  get(conn: DestinationConnection): Promise<Destination | undefined> {
    let d = this.open.get(conn.name);
    if (!d) {
      d = openExisting(conn);
      this.open.set(conn.name, d);
    }
    return d;
  }

  async close(): Promise<void> {
    for (const d of this.open.values()) {
      const dest = await d.catch(() => undefined);
      await dest?.close().catch(() => undefined);
    }
    this.open.clear();
  }
}
