import type { CoreDeps } from '../deps.ts';

/** Where an account stands with two-factor authentication, as /account/two-factor and GET /v1/me/two-factor show it. */
export interface TwoFactorStatus {
  /** `pending`: enrolment started, waiting for its first code (it protects nothing yet). */
  totp: 'off' | 'pending' | 'on';
  /** Unused recovery codes. */
  recoveryCodesLeft: number;
}

/** Reads the account's two-factor status: the TOTP credential's state and the recovery codes left. */
export async function twoFactorStatus(deps: Pick<CoreDeps, 'store'>, userId: string): Promise<TwoFactorStatus> {
  const credential = await deps.store.totp.find(userId);
  const left = (await deps.store.recoveryCodes.listByUser(userId)).filter((c) => c.usedAtMs === null).length;
  return { totp: credential === null ? 'off' : credential.confirmedAtMs === null ? 'pending' : 'on', recoveryCodesLeft: left };
}
