/** In-process runs of one table against the fake Intercom into a real DuckDB file (issue #4 table tests). */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AssetConfig, DestinationConnection, IntercomConnection } from '../../src/config/index.js';
import { runAssets, type RunOptions, type RunResult } from '../../src/pipeline/run.js';
import type { AssetSummary } from '../../src/pipeline/events.js';
import { query } from '../helpers/duck.js';
import { assetConfig } from '../helpers/asset-config.js';

export const TOKEN = 'tok-tables-4c1f';

export function tempDb(name: string): string {
  return path.join(mkdtempSync(path.join(os.tmpdir(), 'ielt-tables-')), `${name}.duckdb`);
}

export function project(url: string, file: string, o: { apiVersion?: string; maxAttempts?: number; concurrency?: number } = {}) {
  const intercom: IntercomConnection = {
    name: 'intercom',
    accessToken: TOKEN,
    region: 'us',
    apiVersion: o.apiVersion ?? '2.14',
    baseUrl: url,
    maxAttempts: o.maxAttempts ?? 3,
    concurrency: o.concurrency ?? 8,
  };
  const duck: DestinationConnection = { type: 'duckdb', name: 'duckdb', path: file };
  return { intercom: new Map([['intercom', intercom]]), destinations: new Map([['duckdb', duck]]) };
}

export function assetFor(table: string, strategy?: AssetConfig['strategy']): AssetConfig {
  return assetConfig(table, strategy ? { strategy } : {});
}

/** Runs one asset and returns its summary; fails the test with the run's error if it failed. */
export async function runOk(url: string, file: string, table: string, o: Parameters<typeof project>[2] & RunOptions = {}): Promise<AssetSummary> {
  const r: RunResult = await runAssets(project(url, file, o), [assetFor(table)], o);
  const s = r.summaries[0]!;
  if (s.status !== 'ok') throw s.error ?? new Error(`run of ${table} ${s.status}`);
  return s;
}

export async function rows(file: string, sql: string): Promise<Record<string, unknown>[]> {
  return query(file, sql);
}

/** GET a fake Intercom API path with the test token (the ground truth of sub-resources). */
export async function api<T = Record<string, unknown>>(url: string, p: string, version = '2.14'): Promise<T> {
  const res = await fetch(`${url}${p}`, { headers: { authorization: `Bearer ${TOKEN}`, accept: 'application/json', 'intercom-version': version } });
  if (!res.ok) throw new Error(`GET ${p}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** The fake's ground truth of a table as a given API version renders it. */
export async function exportAs(url: string, table: string, version = '2.14'): Promise<Record<string, unknown>[]> {
  const res = await fetch(`${url}/_fake/export/${table}`, { headers: { 'intercom-version': version } });
  if (!res.ok) throw new Error(`export ${table}: ${res.status}`);
  return (await res.text())
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** Unix seconds of a DuckDB timestamp as returned by getRowObjectsJS (Date) or null. */
export function secs(v: unknown): number | null {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return Math.floor(v.getTime() / 1000);
  return Math.floor(Number(v));
}
