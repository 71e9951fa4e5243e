import type { ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { decodeJwt } from 'jose';
import { startHelper } from './children.ts';
import { benchClientId, newRefreshFamilies, type Account } from './gatehouse-client.ts';

/**
 * Revocation propagation: Gatehouse and `verifierCount` SDK verifiers in their own processes,
 * each following the revocation feed. Sessions are revoked one after another (POST
 * /v1/token/revoke with each session's refresh token), spaced by a random pause so they land at
 * every phase of the server's feed poll. For each revocation and verifier: the time from the
 * revoking request's response (stamped here) to the verifier's applying it (stamped there),
 * both on this machine's wall clock.
 */

export interface PropagationOptions {
  baseUrl: string;
  account: Account;
  feed: { clientId: string; clientSecret: string };
  issuer: string;
  audience: string;
  verifierCount: number;
  /** Revocations measured, after `warmUp` discarded ones. */
  count: number;
  warmUp: number;
  /** The pause between revocations is drawn uniformly from this range. */
  spacingMs: readonly [number, number];
  core: string | null;
}

export interface LatencySummary {
  samples: number;
  missing: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export interface PropagationResult {
  perVerifier: LatencySummary[];
  all: LatencySummary;
}

const now = (): number => performance.timeOrigin + performance.now();

/** Nearest-rank percentile. */
function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] as number;
}

function summarize(latencies: readonly number[], missing: number): LatencySummary {
  const sorted = [...latencies].sort((a, b) => a - b);
  return { samples: sorted.length, missing, p50Ms: percentile(sorted, 50), p99Ms: percentile(sorted, 99), maxMs: sorted.at(-1) ?? Number.NaN };
}

export async function measureRevocationPropagation(options: PropagationOptions): Promise<PropagationResult> {
  const total = options.warmUp + options.count;
  const families = await newRefreshFamilies(options.baseUrl, options.account, total);
  const sids = families.map((family) => {
    const sid = decodeJwt(family.accessToken).sid;
    if (typeof sid !== 'string') throw new Error('an access token without sid');
    return sid;
  });

  const settings = JSON.stringify({ issuer: options.issuer, audience: options.audience, clientId: options.feed.clientId, clientSecret: options.feed.clientSecret });
  const verifiers: ChildProcess[] = [];
  try {
    verifiers.push(...(await Promise.all(Array.from({ length: options.verifierCount }, () => startHelper('load/verifier.ts', [settings], options.core)))));
    // sid -> when each verifier applied it.
    const arrivals = verifiers.map(() => new Map<string, number>());
    let wake: (() => void) | null = null;
    verifiers.forEach((verifier, index) => {
      verifier.on('message', (message: { type?: string; sid?: string | null; atMs?: number }) => {
        if (message.type !== 'revocation' || typeof message.sid !== 'string' || typeof message.atMs !== 'number') return;
        if (!arrivals[index]?.has(message.sid)) arrivals[index]?.set(message.sid, message.atMs);
        wake?.();
      });
    });

    const respondedAt = new Map<string, number>();
    for (const [index, family] of families.entries()) {
      const response = await fetch(`${options.baseUrl}/v1/token/revoke`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token: family.refreshToken, client_id: benchClientId }),
      });
      const at = now();
      await response.body?.cancel();
      if (response.status !== 200) throw new Error(`revocation ${index} answered ${response.status}`);
      respondedAt.set(sids[index] as string, at);
      const [low, high] = options.spacingMs;
      await sleep(low + Math.random() * (high - low));
    }

    // Wait for every verifier to apply every revocation (or give up 5 s after the last one).
    const deadline = now() + 5000;
    const complete = (): boolean => arrivals.every((seen) => sids.every((sid) => seen.has(sid)));
    while (!complete() && now() < deadline) {
      await Promise.race([new Promise<void>((resolve) => (wake = resolve)), sleep(100)]);
      wake = null;
    }

    const measured = sids.slice(options.warmUp);
    const latencies = arrivals.map((seen) => measured.filter((sid) => seen.has(sid)).map((sid) => (seen.get(sid) as number) - (respondedAt.get(sid) as number)));
    const perVerifier = latencies.map((list) => summarize(list, measured.length - list.length));
    return { perVerifier, all: summarize(latencies.flat(), perVerifier.reduce((sum, v) => sum + v.missing, 0)) };
  } finally {
    for (const verifier of verifiers) if (verifier.exitCode === null) verifier.kill('SIGTERM');
  }
}
