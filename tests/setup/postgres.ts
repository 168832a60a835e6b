/**
 * vitest global setup: a throwaway PostgreSQL cluster for the suite, unless PG_URL is set.
 * The server binaries come from the machine image (/usr/lib/postgresql/<v>/bin). As root,
 * initdb and pg_ctl must run as the `postgres` user (runuser). The cluster listens on 127.0.0.1
 * on a free port, keeps its socket in a temp folder, runs with fsync off, and is stopped after the suite.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    pgUrl: string;
  }
}

/** Connection options for `database` on the server at `url` (the suite's cluster or PG_URL): the harness's and the bench's. */
export function postgresOptions(url: string, database: string) {
  const u = new URL(url);
  return {
    host: u.hostname,
    port: Number(u.port || 5432),
    database,
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
    sslMode: 'disable' as const,
  };
}

function findBin(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  for (const v of versions) if (existsSync(path.join(root, v, 'bin', 'initdb'))) return path.join(root, v, 'bin');
  throw new Error(
    'PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin. Install them (Debian: apt-get install postgresql-15) or set PG_URL=postgresql://user:pass@host:port/db to use an existing server.',
  );
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

export default async function setup(project: TestProject): Promise<(() => void) | void> {
  if (process.env['PG_URL']) {
    project.provide('pgUrl', process.env['PG_URL']);
    return;
  }
  const bin = findBin();
  const base = mkdtempSync(path.join(os.tmpdir(), 'ielt-pg-'));
  chmodSync(base, 0o777);
  const data = path.join(base, 'data');
  const sock = path.join(base, 'sock');
  const asRoot = process.getuid?.() === 0;
  const run = (cmd: string, args: string[]) =>
    asRoot
      ? execFileSync('runuser', ['-u', 'postgres', '--', path.join(bin, cmd), ...args], { stdio: 'pipe' })
      : execFileSync(path.join(bin, cmd), args, { stdio: 'pipe' });
  const pwfile = path.join(base, 'pw');
  writeFileSync(pwfile, 'test');
  chmodSync(pwfile, 0o644);
  if (asRoot) execFileSync('mkdir', ['-p', sock]);
  else execFileSync('mkdir', ['-p', sock]);
  chmodSync(sock, 0o777);
  run('initdb', ['-D', data, '-U', 'postgres', '--auth=scram-sha-256', `--pwfile=${pwfile}`, '-E', 'UTF8', '--locale=C']);
  const port = await freePort();
  run('pg_ctl', [
    '-D',
    data,
    '-l',
    path.join(base, 'log'),
    '-w',
    '-t',
    '60',
    'start',
    '-o',
    `-c listen_addresses=127.0.0.1 -c port=${port} -c unix_socket_directories=${sock} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=100`,
  ]);
  project.provide('pgUrl', `postgresql://postgres:test@127.0.0.1:${port}/postgres`);
  return () => {
    try {
      run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  };
}
