/** Durations (`lookback: 10m`) and start dates (`start_date: "2024-01-01"`). */
import { fail, kind, show } from './reader.js';

const UNIT_SECONDS = { d: 86_400, h: 3_600, m: 60, s: 1 } as const;
const DURATION = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;

/**
 * Seconds in `30s`, `10m`, `2h`, `1d`, a combination in that order (`1h30m`), or a
 * non-negative integer of seconds (a number, or a string of digits).
 */
export function parseDuration(s: string | number, file: string, field: string): number {
  const bad = () => fail(file, field, `invalid duration ${show(s)}: use whole seconds or a number with a unit s, m, h or d (e.g. 30s, 10m, 2h, 1d, 1h30m)`);
  if (typeof s === 'number') {
    if (!Number.isSafeInteger(s) || s < 0) throw bad();
    return s;
  }
  if (typeof s !== 'string') throw fail(file, field, `must be a duration (e.g. 10m) or whole seconds, got ${kind(s)}`);
  const text = s.trim().toLowerCase();
  if (/^\d+$/.test(text)) return Number(text);
  const m = DURATION.exec(text);
  if (!m || text === '') throw bad();
  const [, d, h, min, sec] = m;
  return Number(d ?? 0) * UNIT_SECONDS.d + Number(h ?? 0) * UNIT_SECONDS.h + Number(min ?? 0) * UNIT_SECONDS.m + Number(sec ?? 0) * UNIT_SECONDS.s;
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*(Z|[+-]\d{2}:?\d{2})?)?$/i;

/**
 * Unix seconds of an ISO date (`2024-01-01`, UTC midnight) or datetime (`2024-01-01T12:00:00Z`,
 * `2024-01-01 12:00`, `…+02:00`; no offset = UTC). Impossible dates (Feb 30) are rejected.
 */
export function parseStartDate(v: unknown, file: string, field: string): number {
  if (typeof v !== 'string') {
    throw fail(file, field, `must be an ISO date or datetime string like "2024-01-01" or "2024-01-01T00:00:00Z", got ${kind(v)}`);
  }
  const bad = (why: string) => fail(file, field, `invalid date ${show(v)}: ${why}`);
  const m = ISO.exec(v.trim());
  if (!m) throw bad('use YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS][Z|±HH:MM]');
  const [, y, mo, d, h = '0', mi = '0', se = '0', zone] = m;
  const parts = [Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(se)] as const;
  const ms = Date.UTC(...parts);
  const back = new Date(ms);
  if (
    back.getUTCFullYear() !== parts[0] ||
    back.getUTCMonth() !== parts[1] ||
    back.getUTCDate() !== parts[2] ||
    back.getUTCHours() !== parts[3] ||
    back.getUTCMinutes() !== parts[4] ||
    back.getUTCSeconds() !== parts[5]
  ) {
    throw bad('no such date or time');
  }
  let offsetSeconds = 0;
  if (zone !== undefined && zone.toUpperCase() !== 'Z') {
    const z = /^([+-])(\d{2}):?(\d{2})$/.exec(zone)!;
    const minutes = Number(z[2]) * 60 + Number(z[3]);
    if (Number(z[2]) > 23 || Number(z[3]) > 59) throw bad('no such time zone offset');
    offsetSeconds = (z[1] === '-' ? -1 : 1) * minutes * 60;
  }
  return Math.floor(ms / 1000) - offsetSeconds;
}
