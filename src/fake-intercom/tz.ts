/**
 * Calendar-day arithmetic in the workspace time zone, for contacts search, which matches
 * timestamp fields by whole days in that zone (2.14:L5773-5791, same text 2.16:L8743-8761).
 * Uses Intl only; DST-safe (local days last 23, 24 or 25 hours).
 */
const formatters = new Map<string, Intl.DateTimeFormat>();

function fmt(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(tz, f);
  }
  return f;
}

/** Throws RangeError for an unknown IANA zone. */
export function assertTimeZone(tz: string): void {
  fmt(tz);
}

function parts(ts: number, tz: string): number[] {
  const out: Record<string, number> = {};
  for (const p of fmt(tz).formatToParts(new Date(ts * 1000))) out[p.type] = Number(p.value);
  return [out.year ?? 0, out.month ?? 0, out.day ?? 0, out.hour ?? 0, out.minute ?? 0, out.second ?? 0];
}

/** Seconds to add to UTC to get local wall time at instant `ts`. */
function offsetAt(ts: number, tz: string): number {
  const [y, m, d, hh, mm, ss] = parts(ts, tz) as [number, number, number, number, number, number];
  return Date.UTC(y, m - 1, d, hh, mm, ss) / 1000 - Math.floor(ts);
}

const dayStarts = new Map<string, number>();

/**
 * Unix second of the local midnight that starts the day containing `ts`. Memoised: a client
 * paging a search sends the same query on every page, and Intl formatting costs ~0.1 ms.
 */
export function dayStart(ts: number, tz: string): number {
  const key = tz + '|' + ts;
  let d = dayStarts.get(key);
  if (d === undefined) {
    if (dayStarts.size >= 4096) dayStarts.clear();
    dayStarts.set(key, (d = computeDayStart(ts, tz)));
  }
  return d;
}

function computeDayStart(ts: number, tz: string): number {
  const [y, m, d] = parts(ts, tz) as [number, number, number];
  const wall = Date.UTC(y, m - 1, d) / 1000;
  // Two passes: the offset at midnight may differ from the offset at `ts` on a DST day.
  let guess = wall - offsetAt(ts, tz);
  guess = wall - offsetAt(guess, tz);
  return guess;
}

/** Unix second of the local midnight that starts the next day. */
export function nextDayStart(ts: number, tz: string): number {
  return dayStart(dayStart(ts, tz) + 26 * 3600, tz);
}

/** Unix second of local midnight of a wall-clock date in the zone (test helper too). */
export function localMidnight(y: number, m: number, d: number, tz: string): number {
  const wall = Date.UTC(y, m - 1, d) / 1000;
  let guess = wall - offsetAt(wall, tz);
  guess = wall - offsetAt(guess, tz);
  return guess;
}
