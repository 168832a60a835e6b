/**
 * glibc malloc settings for `ingest`, which only the environment can give a process (glibc reads
 * them once, at its first allocation): the CLI relaunches itself once with them, in a child that
 * inherits stdio, and exits as the child does.
 *
 * Why (issue 19, docs/benchmarks.md "Issue 19, where the memory goes"): the page bodies and the
 * Arrow batches are malloc'ed by the main thread and freed a batch later. glibc raises its mmap
 * threshold to the largest block freed so far (up to 32 MB), so after the first few batches those
 * megabytes live in the main heap and in the arenas of DuckDB's and libuv's threads, where freed
 * memory stays resident (malloc_info at 1M contacts: 150–240 MB free in bins of 200–350 MB).
 * A fixed threshold keeps blocks of 128 KB and more in their own mappings, returned at free;
 * two arenas bound the per-thread arenas.
 *
 * Not applied when the user set any of these variables, off Linux, or with
 * INTERCOM_ELT_MALLOC_ENV=0.
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:os';

const SETTINGS: Record<string, string> = {
  MALLOC_ARENA_MAX: '2',
  MALLOC_MMAP_THRESHOLD_: '131072',
};

/**
 * Whether this process should relaunch itself with SETTINGS: `ingest` anywhere in the arguments (a
 * flag's value before the command, `-c conn.yml ingest`, must not hide it; relaunching another
 * command that merely names `ingest` costs a process and nothing else). Throws on an
 * INTERCOM_ELT_MALLOC_ENV other than 0 or 1 rather than guess what it means.
 */
export function wantsMallocEnv(argv: readonly string[], env: NodeJS.ProcessEnv, platform: NodeJS.Platform): boolean {
  const opt = env.INTERCOM_ELT_MALLOC_ENV;
  if (opt !== undefined && opt !== '0' && opt !== '1') {
    throw new Error(`INTERCOM_ELT_MALLOC_ENV must be 0 (run ingest without the malloc settings) or 1 (the default); got '${opt}'`);
  }
  if (platform !== 'linux' || opt === '0') return false;
  if (Object.keys(SETTINGS).some((k) => env[k] !== undefined)) return false;
  return argv.includes('ingest');
}

/**
 * Runs this CLI again as a child with the malloc settings, when wanted; resolves to the child's
 * exit code (undefined: not relaunched, go on in this process). SIGINT and SIGTERM sent to this
 * process go to the child. A terminal's Ctrl-C reaches both (one process group), so the child sees
 * it twice within milliseconds: its handler (main.ts) takes a repeat within a second as the same
 * signal, and a second Ctrl-C later still quits at once.
 */
export function relaunchWithMallocEnv(): Promise<number> | undefined {
  const argv = process.argv.slice(2);
  if (!wantsMallocEnv(argv, process.env, process.platform)) return undefined;
  // the IPC channel tells the run when this process is gone (killed with SIGKILL): see bin.ts
  const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
    stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, ...SETTINGS },
  });
  const forward = (sig: NodeJS.Signals) => child.kill(sig);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  return new Promise((resolve) => {
    child.on('error', (err) => {
      process.stderr.write(`error: cannot relaunch with malloc settings: ${err.message}\n`);
      resolve(2);
    });
    child.on('exit', (code, signal) => {
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
      // a child killed by a signal: the same exit status a shell reports (128 + n)
      resolve(code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0));
    });
  });
}
