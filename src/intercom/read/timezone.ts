/**
 * Calendar-day arithmetic in an IANA time zone, for contacts search, which matches timestamps
 * by whole days in the workspace's time zone (2.14:L5773-5791; `app.timezone` from GET /me).
 * DST-safe: days may be 23 or 25 hours long.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timezone: string): Intl.DateTimeFormat {
  let f = formatters.get(timezone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timezone, f);
  }
  return f;
}

/** Wall-clock parts of a unix-seconds instant in a time zone. */
export function localParts(ts: number, timezone: string): { y: number; m: number; d: number; hh: number; mm: number; ss: number } {
  const parts = formatter(timezone).formatToParts(new Date(ts * 1000));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  return { y: get('year'), m: get('month'), d: get('day'), hh: get('hour'), mm: get('minute'), ss: get('second') };
}

/** Offset of the zone from UTC at an instant, in seconds (local = utc + offset). */
function offsetAt(ts: number, timezone: string): number {
  const p = localParts(ts, timezone);
  return Date.UTC(p.y, p.m - 1, p.d, p.hh, p.mm, p.ss) / 1000 - Math.floor(ts);
}

/** Unix seconds of local midnight starting the day that contains `ts`. */
export function localDayStart(ts: number, timezone: string): number {
  const p = localParts(ts, timezone);
  const wallMidnight = Date.UTC(p.y, p.m - 1, p.d) / 1000;
  // Two passes: the offset at the guess may differ from the offset at `ts` across a DST change.
  let guess = wallMidnight - offsetAt(ts, timezone);
  guess = wallMidnight - offsetAt(guess, timezone);
  return guess;
}

/** Unix seconds of the local midnight that starts the day after the one containing `ts`. */
export function nextLocalDayStart(ts: number, timezone: string): number {
  // 26 h after the day's start is always inside the next day (days last 23–25 h).
  return localDayStart(localDayStart(ts, timezone) + 26 * 3600, timezone);
}
