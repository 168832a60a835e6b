/**
 * Timestamps of generated records. Base records' `updated_at` is a non-decreasing function of
 * their index, spread over the two years before the initial clock, in groups of three that
 * share the same second. That makes time-range searches binary-searchable without any index
 * structure, and other timestamps (created_at, last_seen_at …) are bounded below it by a known
 * lag so their ranges map onto index ranges too.
 */
export const SPAN = 2 * 365 * 86400;
/** Base records end an hour before the initial clock, so mutations are always newer. */
export const END_GAP = 3600;
/** created_at/signed_up_at/last_seen_at of a base record lie within this many seconds below updated_at. */
export const MAX_LAG = 120 * 86400;
const GROUP = 3;

export function baseUpdatedAt(i: number, n: number, now0: number): number {
  const t0 = now0 - END_GAP - SPAN;
  const g = Math.floor(i / GROUP) * GROUP;
  return t0 + Math.floor((g * SPAN) / Math.max(1, n));
}

/** First index in [0, n] whose base updated_at is >= t (binary search on the monotone function). */
export function lowerBound(t: number, n: number, now0: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (baseUpdatedAt(mid, n, now0) < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
