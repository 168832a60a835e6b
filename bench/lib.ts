/** Benchmark plumbing: child processes, peak RSS from /proc (VmHWM), the fake Intercom as a separate process. */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ColumnDef } from '../src/core/schema.js';
import { contacts } from '../src/intercom/tables/contacts.js';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** The compiled bin, as users run it (`npm run build` first; `npm run bench` does). */
export const cliEntry = path.join(root, 'dist/cli/main.js');
/** The installed command's entry: `ingest` relaunches itself with malloc settings (src/cli/malloc-env.ts), as users run it. */
export const binEntry = path.join(root, 'dist/cli/bin.js');

/** Peak resident set size of a live process in MB (Linux VmHWM). */
export function peakRssMb(pid: number): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** The fake the benches read: the given counts, a few of everything else, no rate limit, no latency. */
export function fakeArgs(counts: { contacts?: number; conversations?: number }, token: string): string[] {
  const flags = { contacts: 10, companies: 10, conversations: 10, tickets: 5, 'rate-limit-per-minute': 0, ...counts, token };
  return Object.entries(flags).flatMap(([k, v]) => [`--${k}`, String(v)]);
}

/** The fake the contacts benches read: `n` contacts, a few of everything else, no rate limit. */
export const contactsFakeArgs = (n: number, token: string): string[] => fakeArgs({ contacts: n }, token);

/** Starts `intercom-elt fake-intercom …` in its own process; resolves with its URL. */
export function startFakeProcess(args: string[]): Promise<{ url: string; child: ChildProcess; stop(): Promise<void> }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliEntry, 'fake-intercom', '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let buf = '';
    child.stdout!.on('data', (d) => {
      buf += d;
      const m = /listening on (http:\/\/\S+)/.exec(buf);
      if (m) {
        resolve({
          url: m[1]!,
          child,
          stop: () =>
            new Promise<void>((r) => {
              child.once('exit', () => r());
              child.kill('SIGTERM');
            }),
        });
      }
    });
    child.once('exit', (code) => reject(new Error(`fake-intercom exited ${code}`)));
  });
}

/** Runs the CLI to completion, sampling its peak RSS. */
export function runMeasured(args: string[], cwd: string): Promise<{ seconds: number; peakRssMb: number; code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    // main.js: the sampled pid is the run itself (bin.js would relaunch ingest in a child)
    const child = spawn(process.execPath, [cliEntry, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let peak = 0;
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setInterval(() => (peak = Math.max(peak, peakRssMb(child.pid!))), 50);
    child.on('exit', (code) => {
      clearInterval(timer);
      resolve({ seconds: (performance.now() - t0) / 1000, peakRssMb: peak, code, stdout, stderr });
    });
  });
}

export const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** CPU time (user + system) a live process has used so far, in seconds (Linux /proc/<pid>/stat; 0 once it is gone). */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // fields after the parenthesised command name: state is field 3, utime 14, stime 15 (1-based)
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100; // USER_HZ is 100 on Linux
  } catch {
    return 0;
  }
}

/**
 * Runs the CLI to completion under `/usr/bin/time`: CPU seconds (user + system, every thread,
 * counted by the kernel up to the exit) and peak RSS (the kernel's max RSS) of the process itself.
 * `nodeArgs` go before the entry (e.g. `--cpu-prof`); `env` is added to this process's environment.
 */
export function runTimed(
  args: string[],
  cwd: string,
  o: { nodeArgs?: string[]; env?: Record<string, string>; entry?: string } = {},
): Promise<{
  seconds: number;
  cpuSeconds: number;
  userSeconds: number;
  sysSeconds: number;
  peakRssMb: number;
  code: number | null;
  stdout: string;
  stderr: string;
}> {
  const out = path.join(cwd, `.time-${process.pid}-${Date.now()}`);
  return new Promise((resolve) => {
    const t0 = performance.now();
    const child = spawn('/usr/bin/time', ['-f', '%U %S %M', '-o', out, process.execPath, ...(o.nodeArgs ?? []), o.entry ?? binEntry, ...args], {
      cwd,
      env: { ...process.env, ...o.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => {
      const seconds = (performance.now() - t0) / 1000;
      const [user, sys, maxKb] = readFileSync(out, 'utf8').trim().split('\n').pop()!.split(' ').map(Number);
      rmSync(out, { force: true });
      resolve({ seconds, cpuSeconds: user! + sys!, userSeconds: user!, sysSeconds: sys!, peakRssMb: maxKb! / 1024, code, stdout, stderr });
    });
  });
}

/** Like {@link runMeasured}, plus the child's CPU seconds (last sample before exit) and a per-sample callback. */
export function runSampled(
  args: string[],
  cwd: string,
  onSample?: (s: { t: number; cpu: number }) => void,
  everyMs = 250,
): Promise<{ seconds: number; peakRssMb: number; cpuSeconds: number; code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    // main.js: the sampled pid is the run itself (bin.js would relaunch ingest in a child)
    const child = spawn(process.execPath, [cliEntry, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let peak = 0;
    let cpu = 0;
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setInterval(() => {
      peak = Math.max(peak, peakRssMb(child.pid!));
      cpu = Math.max(cpu, cpuSeconds(child.pid!));
      onSample?.({ t: Date.now(), cpu });
    }, everyMs);
    child.on('exit', (code) => {
      clearInterval(timer);
      resolve({ seconds: (performance.now() - t0) / 1000, peakRssMb: peak, cpuSeconds: cpu, code, stdout, stderr });
    });
  });
}

/**
 * DuckDB types of the contacts table's declared columns as read_json reads the raw records: nested
 * values as JSON, timestamps as the unix seconds Intercom sends. Auto-detection cannot be used:
 * custom attribute names that differ only in case (which the fake generates on purpose) are
 * duplicate struct keys to DuckDB.
 */
export const CONTACTS_READ_TYPES = { string: 'VARCHAR', int64: 'BIGINT', float64: 'DOUBLE', bool: 'BOOLEAN', timestamp: 'BIGINT', json: 'JSON' } as const;
/** read_json's `columns = {…}` for records of a table's declared columns (types as {@link CONTACTS_READ_TYPES}). */
export const readJsonColumns = (columns: readonly ColumnDef[]): string => `{${columns.map((c) => `'${c.name}': '${CONTACTS_READ_TYPES[c.type]}'`).join(', ')}}`;
/** read_json's `columns = {…}` for the contacts records. */
export const contactsReadJsonColumns = readJsonColumns(contacts.columns);

/** The headers of the bench clients' requests to the fake. */
const intercomHeaders = (token: string, version: string): Record<string, string> => ({
  authorization: `Bearer ${token}`,
  'content-type': 'application/json',
  accept: 'application/json',
  'intercom-version': version,
});

/** A search (`POST /contacts/search`, `POST /conversations/search`) as the bench clients send it (fetch or undici). */
export function intercomSearch(
  searchPath: string,
  token: string,
  version: string,
  body: object,
): { method: 'POST'; path: string; headers: Record<string, string>; body: string } {
  return { method: 'POST', path: searchPath, headers: intercomHeaders(token, version), body: JSON.stringify(body) };
}
