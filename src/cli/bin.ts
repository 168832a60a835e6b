#!/usr/bin/env node
/**
 * The installed `intercom-elt` command: `ingest` relaunches itself once with glibc malloc settings
 * (malloc-env.ts) before anything heavy is loaded, so this parent stays small; everything else
 * runs main.ts in this process.
 */
import { relaunchWithMallocEnv } from './malloc-env.js';

let relaunched: Promise<number> | undefined;
try {
  relaunched = relaunchWithMallocEnv();
} catch (err) {
  process.stderr.write(`error: ${(err as Error).message}\n`);
  process.exit(1);
}
if (relaunched) process.exitCode = await relaunched;
else {
  // the relaunched run: when the command that started it is killed outright (SIGKILL, a
  // scheduler's timeout), the run goes too, as it would have without the relaunch (nothing more is
  // committed), instead of running on unseen
  if (process.channel) {
    process.channel.unref();
    process.on('disconnect', () => {
      process.stderr.write('error: the intercom-elt command that started this run is gone; stopping\n');
      process.exit(2);
    });
  }
  await import('./main.js');
}
