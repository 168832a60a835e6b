/**
 * A stand-in npm registry on loopback, built from package-lock.json: it serves a packument (the
 * version list npm resolves a range against) for every package in the lock, with exactly the
 * locked versions and their integrity. The tarballs themselves are not served: npm finds them in
 * its cache by integrity (`npm ci` put them there). So `npm install` of our tarball resolves the
 * same tree the lock pins, without the internet; a tarball missing from the cache is a 404 that
 * names it, never a download.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

interface LockEntry {
  name?: string;
  version: string;
  integrity?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, unknown>;
  bin?: Record<string, string>;
  engines?: Record<string, string>;
  os?: string[];
  cpu?: string[];
  libc?: string[];
  link?: boolean;
}

export interface LockRegistry {
  url: string;
  /** Package names npm asked for that the lock does not hold (optional peers such as pg-native). */
  unknown: Set<string>;
  close(): Promise<void>;
}

export async function startLockRegistry(lockFile: string): Promise<LockRegistry> {
  const lock = JSON.parse(readFileSync(lockFile, 'utf8')) as { packages: Record<string, LockEntry> };
  const versions = new Map<string, Map<string, LockEntry>>();
  for (const [location, entry] of Object.entries(lock.packages)) {
    if (location === '' || entry.link) continue;
    const name = entry.name ?? location.slice(location.lastIndexOf('node_modules/') + 'node_modules/'.length);
    (versions.get(name) ?? versions.set(name, new Map()).get(name)!).set(entry.version, entry);
  }
  const unknown = new Set<string>();
  const server = http.createServer((req, res) => {
    const name = decodeURIComponent((req.url ?? '/').slice(1).split('?')[0]!);
    const known = versions.get(name);
    if (req.method !== 'GET' || !known) {
      unknown.add(name);
      res
        .writeHead(404, { 'content-type': 'application/json' })
        .end(JSON.stringify({ error: `${name} is not in package-lock.json (or not in the npm cache)` }));
      return;
    }
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const doc = {
      name,
      'dist-tags': { latest: [...known.keys()].at(-1) },
      versions: Object.fromEntries(
        [...known].map(([version, e]) => [
          version,
          {
            name,
            version,
            dependencies: e.dependencies,
            optionalDependencies: e.optionalDependencies,
            peerDependencies: e.peerDependencies,
            peerDependenciesMeta: e.peerDependenciesMeta,
            bin: e.bin,
            engines: e.engines,
            os: e.os,
            cpu: e.cpu,
            libc: e.libc,
            dist: { tarball: `${base}/-/not-served/${encodeURIComponent(name)}-${version}.tgz`, integrity: e.integrity },
          },
        ]),
      ),
    };
    // no-store: these stand-in documents must never land in the user's npm cache
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(doc));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    unknown,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
