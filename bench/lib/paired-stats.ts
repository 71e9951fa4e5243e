import { median } from './report.ts';

/**
 * Statistics for paired A/B ratios (bench/inspector-off.ts): one ratio per round, taken from two
 * windows run next to each other, so what moves the machine between rounds cancels out of each
 * ratio. The figure is the median ratio; its confidence interval comes from the rounds
 * themselves (a percentile bootstrap of the median), so a noisier run gets a wider interval
 * instead of a confident-looking figure.
 */

export interface RatioSummary {
  /** Median of the per-round ratios. */
  median: number;
  /** Percentile-bootstrap interval of that median (`level`, e.g. 0.95). */
  low: number;
  high: number;
  level: number;
  rounds: number;
}

/** A small seeded generator (mulberry32): the same rounds always give the same interval. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function percentile(sorted: readonly number[], p: number): number {
  const at = (sorted.length - 1) * p;
  const below = Math.floor(at);
  const above = Math.ceil(at);
  return (sorted[below] as number) + ((sorted[above] as number) - (sorted[below] as number)) * (at - below);
}

/** The median of `ratios` and a percentile-bootstrap interval for it (`resamples` draws). */
export function summariseRatios(ratios: readonly number[], level = 0.95, resamples = 4000, seed = 15): RatioSummary {
  if (ratios.length === 0) return { median: Number.NaN, low: Number.NaN, high: Number.NaN, level, rounds: 0 };
  const random = seededRandom(seed);
  const medians: number[] = [];
  const draw = new Array<number>(ratios.length);
  for (let i = 0; i < resamples; i += 1) {
    for (let j = 0; j < ratios.length; j += 1) draw[j] = ratios[Math.floor(random() * ratios.length)] as number;
    medians.push(median(draw));
  }
  medians.sort((a, b) => a - b);
  const tail = (1 - level) / 2;
  return { median: median(ratios), low: percentile(medians, tail), high: percentile(medians, 1 - tail), level, rounds: ratios.length };
}

/** A ratio summarised over independent sets (fresh processes each): a geometric mean with a t interval. */
export interface SetSummary extends RatioSummary {
  /** Standard deviation of one set's ratio, as a fraction (0.01 = 1%), from the logs. */
  sd: number;
  /** The lowest and highest set. */
  min: number;
  max: number;
}

/** The 0.95 quantile of Student's t (the half-width of a two-sided 90% interval), by degrees of freedom. */
const t95 = [6.314, 2.92, 2.353, 2.132, 2.015, 1.943, 1.895, 1.86, 1.833, 1.812, 1.796, 1.782, 1.771, 1.761, 1.753, 1.746, 1.74, 1.734, 1.729, 1.725, 1.721, 1.717, 1.714, 1.711, 1.708, 1.706, 1.703, 1.701, 1.699, 1.697];

function tQuantile95(df: number): number {
  if (df <= t95.length) return t95[df - 1] as number;
  // Beyond 30 degrees of freedom, the first Cornish-Fisher term (error < 0.001 here).
  const z = 1.6449;
  return z + (z ** 3 + z) / (4 * df);
}

/**
 * Ratios from independent sets (one per set of fresh processes), summarised as their geometric
 * mean with a 90% Student-t interval over the sets (on the logs, so 0.98 and 1/0.98 weigh alike).
 * The interval covers what differs between sets of processes, which the windows of one set
 * cannot show. A 90% interval wholly within the bounds is the two one-sided tests of
 * equivalence at 5% each (`equivalenceVerdict`).
 */
export function summariseSets(ratios: readonly number[]): SetSummary {
  const n = ratios.length;
  if (n === 0) return { median: Number.NaN, low: Number.NaN, high: Number.NaN, level: 0.9, rounds: 0, sd: Number.NaN, min: Number.NaN, max: Number.NaN };
  const logs = ratios.map(Math.log);
  const mean = logs.reduce((sum, x) => sum + x, 0) / n;
  const sd = n < 2 ? Number.NaN : Math.sqrt(logs.reduce((sum, x) => sum + (x - mean) ** 2, 0) / (n - 1));
  const half = n < 2 ? Number.NaN : (tQuantile95(n - 1) * sd) / Math.sqrt(n);
  return { median: Math.exp(mean), low: Math.exp(mean - half), high: Math.exp(mean + half), level: 0.9, rounds: n, sd, min: Math.min(...ratios), max: Math.max(...ratios) };
}

/**
 * An equivalence verdict: "pass" only when the whole interval lies within `low..high` (the
 * figure is within the bounds, and the interval is narrow enough to say so); "miss" when the
 * whole interval lies outside them (below `low`: a cost beyond the bound is shown; above
 * `high`: cheaper by more than the bound, which says the method leans to one side); anything
 * else is "inconclusive", with the reason. Fewer than `atLeast` rounds (or sets) is inconclusive.
 */
export function equivalenceVerdict(summary: RatioSummary, bounds: { low: number; high: number }, atLeast = 5): { result: 'pass' | 'miss' | 'inconclusive'; why: string } {
  const interval = `${summary.low.toFixed(3)}..${summary.high.toFixed(3)}`;
  const allowed = `${bounds.low.toFixed(2)}..${bounds.high.toFixed(2)}`;
  if (!(summary.rounds >= atLeast)) return { result: 'inconclusive', why: `only ${String(summary.rounds)}, at least ${String(atLeast)} needed` };
  if (summary.low >= bounds.low && summary.high <= bounds.high) return { result: 'pass', why: `interval ${interval} within ${allowed}` };
  if (summary.high < bounds.low) return { result: 'miss', why: `interval ${interval} wholly below ${bounds.low.toFixed(2)}` };
  if (summary.low > bounds.high) return { result: 'miss', why: `interval ${interval} wholly above ${bounds.high.toFixed(2)}: cheaper by more than the bound, so the method leans to one side` };
  return { result: 'inconclusive', why: `interval ${interval} reaches outside ${allowed}` };
}
