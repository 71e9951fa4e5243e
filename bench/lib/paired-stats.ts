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
function seededRandom(seed: number): () => number {
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

/**
 * An equivalence verdict: "pass" only when the whole interval lies within `low..high` (the
 * figure is within the bounds, and the interval is narrow enough to say so); "miss" when the
 * whole interval lies below `low` (a cost beyond the bound is shown); anything else is
 * "inconclusive", with the reason.
 */
export function equivalenceVerdict(summary: RatioSummary, bounds: { low: number; high: number }): { result: 'pass' | 'miss' | 'inconclusive'; why: string } {
  const interval = `${summary.low.toFixed(3)}..${summary.high.toFixed(3)}`;
  const allowed = `${bounds.low.toFixed(2)}..${bounds.high.toFixed(2)}`;
  if (!(summary.rounds >= 5)) return { result: 'inconclusive', why: `only ${String(summary.rounds)} rounds` };
  if (summary.low >= bounds.low && summary.high <= bounds.high) return { result: 'pass', why: `interval ${interval} within ${allowed}` };
  if (summary.high < bounds.low) return { result: 'miss', why: `interval ${interval} wholly below ${bounds.low.toFixed(2)}` };
  if (summary.low > bounds.high) return { result: 'inconclusive', why: `interval ${interval} wholly above ${bounds.high.toFixed(2)}: the method favours one side` };
  return { result: 'inconclusive', why: `interval ${interval} reaches outside ${allowed}` };
}
