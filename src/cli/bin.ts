#!/usr/bin/env node
/**
 * The installed `intercom-elt` command: `ingest` relaunches itself once with glibc malloc settings
 * (malloc-env.ts) before anything heavy is loaded, so this parent stays small; everything else
 * runs main.ts in this process.
 */
import { relaunchWithMallocEnv } from './malloc-env.js';

const relaunched = relaunchWithMallocEnv();
if (relaunched) process.exitCode = await relaunched;
else await import('./main.js');
