import type { SigningKeyRecord } from './ports.ts';

/** Where a signing key stands at `nowMs`, as `gatehouse keys list` and the console show it. */
export function keyState(key: Pick<SigningKeyRecord, 'activatesAtMs' | 'retiresAtMs'>, nowMs: number): 'retired (verify only)' | 'published, signs later' | 'signing' {
  if (key.retiresAtMs !== null && key.retiresAtMs <= nowMs) return 'retired (verify only)';
  return key.activatesAtMs > nowMs ? 'published, signs later' : 'signing';
}
