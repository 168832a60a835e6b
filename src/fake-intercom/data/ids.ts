/** Id schemes (types per notes §1.6): hex object ids for contacts/companies, digit strings elsewhere. */
import { hash32, hex } from '../prng.js';

/** 24-hex id shaped like a Mongo ObjectId: creation second, workspace tag, record index. */
export function objectId(createdAt: number, seed: number, kind: number, index: number): string {
  return hex(createdAt, 8) + workspaceTag(seed, kind) + hex(index, 8);
}

const tags = new Map<number, Map<number, string>>();

/** The middle 8 hex digits, memoised: every contact id needs it (hot path of contacts pages). */
function workspaceTag(seed: number, kind: number): string {
  let bySeed = tags.get(kind);
  if (!bySeed) tags.set(kind, (bySeed = new Map()));
  let t = bySeed.get(seed);
  if (t === undefined) bySeed.set(seed, (t = hex(hash32(seed, kind), 8)));
  return t;
}

/** Index encoded in an objectId of this workspace and kind, or null. */
export function objectIdIndex(id: string, seed: number, kind: number): number | null {
  if (!/^[0-9a-f]{24}$/.test(id)) return null;
  if (id.slice(8, 16) !== hex(hash32(seed, kind), 8)) return null;
  return parseInt(id.slice(16), 16);
}

export const CONVERSATION_ID_BASE = 100_000;
export const TICKET_ID_BASE = 500_000;
export const ADMIN_ID_BASE = 991_267_400;
export const TEAM_ID_BASE = 5_000_000;
export const TAG_ID_BASE = 7_000_000;
export const NOTE_ID_BASE = 20_000_000;
export const COLLECTION_ID_BASE = 8_000_000;
export const ARTICLE_ID_BASE = 9_000_000;
export const NEWS_ID_BASE = 33_000;
export const ATTR_ID_BASE = 46_000;
/** Conversation part ids: digit strings, up to PART_STRIDE parts per conversation. */
export const PART_STRIDE = 10_000;
export const PART_ID_BASE = 1_000_000_000;

export function digitIndex(id: string, base: number): number | null {
  if (!/^[0-9]{1,15}$/.test(id)) return null;
  const n = Number(id) - base;
  return n >= 0 ? n : null;
}
