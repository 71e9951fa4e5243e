// The soak's verdict on growth (scripts/soak.ts), apart from the load so it can be tested with
// made-up samples (test/scripts/soak-verdict.test.ts): the least-squares slope of RSS and heap
// over the last 5 minutes, and the final RSS against the target.

/** One reading of a memory figure, in bytes, `atMs` after the soak started. */
export interface MemoryReading {
  atMs: number;
  bytes: number;
}

/** PERF.md: RSS after a 10-minute mixed soak. */
export const rssTargetMb = 150;
/** Growth over the trend window above this counts as an upward trend. */
export const trendLimitMb = 5;
export const trendWindowMs = 5 * 60_000;

const mb = (bytes: number): number => bytes / 1_048_576;

/**
 * The least-squares slope of the readings in the last `trendWindowMs` (up to the last reading), in
 * MB per 5 minutes, and how many readings it used; 0 with fewer than 3 (a slope of two points
 * is one noisy difference).
 *
 * @example
 * trendPer5Minutes([{ atMs: 0, bytes: 100e6 }, { atMs: 30_000, bytes: 101e6 }, { atMs: 60_000, bytes: 102e6 }]).growthMb // ~9.5
 */
export function trendPer5Minutes(readings: readonly MemoryReading[]): { growthMb: number; points: number } {
  const lastMs = readings.at(-1)?.atMs ?? 0;
  const points = readings.filter((r) => r.atMs >= lastMs - trendWindowMs);
  if (points.length < 3) return { growthMb: 0, points: points.length };
  const xs = points.map((p) => p.atMs / 60_000);
  const ys = points.map((p) => mb(p.bytes));
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  const spread = xs.reduce((sum, x) => sum + (x - mx) ** 2, 0);
  if (spread === 0) return { growthMb: 0, points: points.length };
  const slopePerMinute = xs.reduce((sum, x, i) => sum + (x - mx) * ((ys[i] as number) - my), 0) / spread;
  return { growthMb: slopePerMinute * 5, points: points.length };
}

export interface SoakVerdict {
  rss: { growthMb: number; points: number };
  heap: { growthMb: number; points: number };
  finalRssMb: number;
  /** RSS or heap grew faster than `trendLimitMb` per 5 minutes. */
  rising: boolean;
  withinTarget: boolean;
  /** The soak's exit status: 0 only with no upward trend and the final RSS within the target. */
  exitCode: 0 | 1;
}

/** The verdict on a soak's RSS and heap readings (in the order taken). */
export function soakVerdict(rss: readonly MemoryReading[], heap: readonly MemoryReading[]): SoakVerdict {
  const rssTrend = trendPer5Minutes(rss);
  const heapTrend = trendPer5Minutes(heap);
  const finalRssMb = mb(rss.at(-1)?.bytes ?? 0);
  const rising = rssTrend.growthMb > trendLimitMb || heapTrend.growthMb > trendLimitMb;
  const withinTarget = finalRssMb <= rssTargetMb;
  return { rss: rssTrend, heap: heapTrend, finalRssMb, rising, withinTarget, exitCode: rising || !withinTarget ? 1 : 0 };
}
