/** Ground truth from the fake Intercom: GET /_fake/export/<table> (NDJSON). */
export async function exportTable(url: string, table: string): Promise<Record<string, unknown>[]> {
  const res = await fetch(`${url}/_fake/export/${table}`);
  if (!res.ok) throw new Error(`export ${table}: ${res.status}`);
  const text = await res.text();
  return text
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** `id -> updated_at (unix seconds)` of an export, for comparison with a destination table. */
export function idMap(rows: Record<string, unknown>[], key = 'id', ts = 'updated_at'): Map<string, number | null> {
  return new Map(rows.map((r) => [String(r[key]), r[ts] == null ? null : Number(r[ts])]));
}
