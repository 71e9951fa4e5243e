import type { CoreDeps } from '../../src/core/deps.ts';
import { grantOperator } from '../../src/core/operators/set-operator.ts';
import { testContext } from './core-deps.ts';

/**
 * Turns TOTP on for the account straight in the store (the secret is a stand-in: the tests that
 * use this never type a code), as the console's second-factor check reads it.
 */
export async function seedConfirmedTotp(core: CoreDeps, userId: string): Promise<void> {
  const nowMs = core.clock.nowMs();
  await core.store.totp.putPending({ userId, secretJwe: 'stand-in', createdAtMs: nowMs, confirmedAtMs: null, lastUsedStep: null, enrolmentSessionId: null });
  await core.store.totp.confirm(userId, nowMs, 1);
}

/** Makes the account an operator with TOTP on: what the console at /admin requires. */
export async function makeConsoleOperator(core: CoreDeps, userId: string): Promise<void> {
  await grantOperator(core, userId, testContext('cli', 'gatehouse-cli'));
  await seedConfirmedTotp(core, userId);
}
