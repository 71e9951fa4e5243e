import type { Random } from '../ports.ts';

/** How long the outbox keeps trying, and how fast. */
export interface RetryPolicy {
  /** Wait after the first failed attempt; it doubles with each further failure. */
  baseDelayMs: number;
  /** The longest wait between two attempts. */
  maxDelayMs: number;
  /** A delivery still failing this long after it was written is given up on (dead). */
  giveUpAfterMs: number;
}

/** The defaults: 10 s, doubling, at most an hour apart, for 3 days. */
export const defaultRetryPolicy: RetryPolicy = { baseDelayMs: 10_000, maxDelayMs: 3_600_000, giveUpAfterMs: 3 * 24 * 3_600_000 };

/** A uniform fraction in [0, 1) from 32 random bits. */
function fraction(random: Random): number {
  const [a = 0, b = 0, c = 0, d = 0] = random.bytes(4);
  return (((a << 24) >>> 0) + (b << 16) + (c << 8) + d) / 2 ** 32;
}

/**
 * When to try again after `attempts` failed attempts, or null to give up: exponential backoff
 * with jitter (each wait is between half and all of the doubled delay, so receivers that came
 * back up are not hit by every sender at once), until `giveUpAfterMs` after it was written (or last retried by an operator).
 */
export function nextAttemptAt(policy: RetryPolicy, random: Random, delivery: { attempts: number; createdAtMs: number; retriedAtMs: number | null }, nowMs: number): number | null {
  const exponent = Math.min(Math.max(delivery.attempts - 1, 0), 40);
  const delayMs = Math.min(policy.baseDelayMs * 2 ** exponent, policy.maxDelayMs);
  const atMs = nowMs + Math.ceil(delayMs * (0.5 + fraction(random) / 2));
  return atMs > (delivery.retriedAtMs ?? delivery.createdAtMs) + policy.giveUpAfterMs ? null : atMs;
}
