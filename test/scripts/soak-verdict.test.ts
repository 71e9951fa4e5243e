import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { soakVerdict, trendPer5Minutes, type MemoryReading } from '../../scripts/soak-verdict.ts';

const MB = 1_048_576;

/** Readings every 30 s for `minutes`, of `mbAt(minute)` megabytes. */
function readings(minutes: number, mbAt: (minute: number) => number): MemoryReading[] {
  return Array.from({ length: minutes * 2 + 1 }, (_, i) => ({ atMs: i * 30_000, bytes: mbAt(i / 2) * MB }));
}

describe('the soak verdict (npm run soak)', () => {
  test('a steady line is no trend; a line rising 2 MB a minute is +10 MB per 5 minutes', () => {
    assert.equal(trendPer5Minutes(readings(10, () => 140)).growthMb, 0);
    const rising = trendPer5Minutes(readings(10, (m) => 100 + 2 * m));
    assert.ok(Math.abs(rising.growthMb - 10) < 1e-9, String(rising.growthMb));
    assert.equal(rising.points, 11, 'the last 5 minutes only: 11 readings 30 s apart');
  });

  test('only the last 5 minutes count: growth during warm-up, then flat, is no trend', () => {
    const warmUp = readings(10, (m) => (m < 5 ? 80 + 12 * m : 140));
    assert.equal(trendPer5Minutes(warmUp).growthMb, 0);
    assert.equal(soakVerdict(warmUp, readings(10, () => 40)).exitCode, 0);
  });

  test('noise around a flat line is not a trend; swings are averaged, not read end to end', () => {
    // Alternating 135/175 MB (a password hash in flight or not), ending high.
    const swinging = readings(10, (m) => (Math.round(m * 2) % 2 === 0 ? 135 : 175));
    const verdict = soakVerdict(swinging, readings(10, () => 40));
    assert.ok(Math.abs(verdict.rss.growthMb) < 5, String(verdict.rss.growthMb));
    assert.equal(verdict.rising, false);
  });

  test('an upward trend in RSS or in heap alone fails the soak; so does a final RSS above 150 MB', () => {
    const flatRss = readings(10, () => 120);
    const flatHeap = readings(10, () => 40);
    assert.deepEqual(
      [soakVerdict(readings(10, (m) => 100 + 2 * m), flatHeap), soakVerdict(flatRss, readings(10, (m) => 30 + 2 * m)), soakVerdict(readings(10, () => 151), flatHeap), soakVerdict(flatRss, flatHeap)].map((v) => [v.rising, v.withinTarget, v.exitCode]),
      [
        [true, true, 1],
        [true, true, 1],
        [false, false, 1],
        [false, true, 0],
      ],
    );
  });

  test('fewer than three readings, or all at one moment, say nothing about a trend', () => {
    assert.deepEqual(trendPer5Minutes([{ atMs: 0, bytes: 100 * MB }, { atMs: 30_000, bytes: 200 * MB }]), { growthMb: 0, points: 2 });
    assert.equal(trendPer5Minutes([0, 0, 0].map((atMs, i) => ({ atMs, bytes: (100 + i) * MB }))).growthMb, 0);
    assert.equal(soakVerdict([], []).exitCode, 0);
  });
});
