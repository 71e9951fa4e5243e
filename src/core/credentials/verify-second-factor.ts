import { auditEvent } from '../audit/audit-event.ts';
import type { CoreDeps, RequestContext } from '../deps.ts';
import { AuthError } from '../errors.ts';
import { clearCodeAttempts, reserveCodeAttempt } from '../otp/code-attempts.ts';
import { findRecoveryCode } from '../otp/recovery-codes.ts';
import { openTotpSecret } from '../otp/secret-box.ts';
import { matchTotpStep } from '../otp/totp.ts';
import type { User } from '../ports.ts';

export type SecondFactorProof = { code: string } | { recoveryCode: string };

/**
 * Checks a TOTP code (steps T-1 and T, each step accepted once: docs/security.md SEC-41, SEC-42)
 * or a recovery code (single use: SEC-46) for `user`. Attempts are counted per account before the
 * check, capped (SEC-44), and forgotten after a right code. Returns how it was proved.
 */
export async function verifySecondFactor(deps: CoreDeps, user: User, proof: SecondFactorProof, context: RequestContext): Promise<'totp' | 'recovery_code'> {
  await reserveCodeAttempt(deps, 'second_factor', user.id);
  const nowMs = deps.clock.nowMs();
  let method: 'totp' | 'recovery_code' | null = null;
  if ('code' in proof) {
    const credential = await deps.store.totp.find(user.id);
    if (credential !== null && credential.confirmedAtMs !== null) {
      const step = matchTotpStep(await openTotpSecret(credential.secretJwe, user.id, deps.accountSecurity.totpKeys), proof.code.trim(), nowMs);
      // useStep is one conditional write: a replayed code, or an older step after a newer one, loses.
      if (step !== null && (await deps.store.totp.useStep(user.id, step))) method = 'totp';
    }
  } else {
    const record = await findRecoveryCode(deps, user.id, proof.recoveryCode);
    if (record !== null && (await deps.store.recoveryCodes.consume(record.id, nowMs))) {
      method = 'recovery_code';
      await deps.store.audit.append(auditEvent(deps, 'recovery_code.used', context, { userId: user.id, email: user.email }));
    }
  }
  deps.trace?.step({
    kind: 'decision',
    title: method === null ? 'Second factor refused' : `Second factor accepted (${method === 'totp' ? 'authenticator code' : 'recovery code'})`,
    outcome: method === null ? 'refused' : 'ok',
    detail: 'code' in proof
      ? { factor: 'TOTP', window: 'the current 30 s step and the one before', replay: 'each step is accepted once (a conditional write)', attemptsCounted: 'per account, before the check' }
      : { factor: 'recovery code', storedAs: 'SHA-256 only; single use', attemptsCounted: 'per account, before the check' },
    teach: 'code' in proof ? 'totp' : 'second-factor',
  });
  if (method === null) {
    await deps.store.audit.append(auditEvent(deps, 'second_factor.failed', context, { userId: user.id, email: user.email, detail: 'code' in proof ? 'totp' : 'recovery_code' }));
    throw new AuthError('invalid_code');
  }
  await clearCodeAttempts(deps, 'second_factor', user.id);
  return method;
}
