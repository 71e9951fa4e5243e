import type { Session, SessionWithUser } from '../ports.ts';
import type { AccessRule } from './access-rules.ts';

/** The answer to a forward-auth check, before it becomes a status code. */
export type AccessDecision =
  | { kind: 'allowed'; current: SessionWithUser }
  /** No live session: the browser should log in. */
  | { kind: 'unauthenticated' }
  /** Signed in, but the path asks for more than this session proved. */
  | { kind: 'step_up_required'; current: SessionWithUser };

/**
 * Whether a session proved a second factor: its `amr` says `mfa` (two different kinds of factor,
 * or a user-verified passkey). A session from before `amr` was recorded has none, so it does not
 * qualify: fail closed.
 */
export function sessionUsedSecondFactor(session: Session): boolean {
  return session.amr.includes('mfa');
}

/**
 * Decides a forward-auth check from the rule that covers the URL and the live session, if any.
 *
 * @example
 * checkAccess({ origin: 'https://app.example.com', pathPrefix: '/', requirement: 'session' }, current)
 */
export function checkAccess(rule: AccessRule, current: SessionWithUser | null): AccessDecision {
  if (current === null) return { kind: 'unauthenticated' };
  if (rule.requirement === 'second-factor' && !sessionUsedSecondFactor(current.session)) return { kind: 'step_up_required', current };
  return { kind: 'allowed', current };
}
