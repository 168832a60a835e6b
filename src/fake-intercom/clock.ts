/**
 * The fake workspace's clock. Frozen by default so tests are deterministic: it moves only
 * when told (`set`, `advance`, `POST /_fake/clock`). With `realtime` it also ticks with the
 * machine's clock from the moment it was last set (handy for `npm run demo`).
 */
export interface FakeClock {
  now(): number;
  set(unixSeconds: number): void;
  advance(seconds: number): void;
}

/** 2026-01-01T00:00:00Z: a fixed, deterministic default "now" in the past of any real run. */
export const DEFAULT_NOW = 1767225600;

export function createClock(initial: number, realtime = false, onChange?: () => void): FakeClock {
  let base = Math.floor(initial);
  let setAtMs = Date.now();
  return {
    now: () => (realtime ? base + Math.floor((Date.now() - setAtMs) / 1000) : base),
    set(unixSeconds: number) {
      base = Math.floor(unixSeconds);
      setAtMs = Date.now();
      onChange?.();
    },
    advance(seconds: number) {
      base = (realtime ? base + Math.floor((Date.now() - setAtMs) / 1000) : base) + Math.floor(seconds);
      setAtMs = Date.now();
      onChange?.();
    },
  };
}
