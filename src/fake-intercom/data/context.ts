/** What every generator needs: the seed, the initial clock and the table sizes. */
import type { Settings } from '../types.js';

export interface Gen {
  seed: number;
  now0: number;
  counts: Settings['counts'];
  timezone: string;
  /** Workspace id code (`app.id_code`, also `workspace_id`/`app_id` on records). */
  appId: string;
}
