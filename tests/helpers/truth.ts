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

/** The parts Intercom shows of each conversation: its 500 most recent (the 500-part cap, 2.14:L6791-6793). */
export function apiVisibleParts(parts: Record<string, unknown>[]): Record<string, unknown>[] {
  const byConv = new Map<string, Record<string, unknown>[]>();
  for (const p of parts) {
    const k = String(p['conversation_id']);
    (byConv.get(k) ?? byConv.set(k, []).get(k)!).push(p);
  }
  return [...byConv.values()].flatMap((list) =>
    list.sort((a, b) => Number(a['created_at']) - Number(b['created_at']) || Number(a['id']) - Number(b['id'])).slice(-500),
  );
}

/** `conversation_id|id` of the parts Intercom shows (apiVisibleParts), the key a synced table must hold. */
export function visiblePartKeys(parts: Record<string, unknown>[]): Set<string> {
  return new Set(apiVisibleParts(parts).map((p) => `${p['conversation_id']}|${p['id']}`));
}
