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
 * Whether a session proved a second factor. Sessions do not record how they were authenticated
 * yet (the `amr` list lands separately), so until then no session qualifies: a `second-factor`
 * rule refuses everyone rather than letting a password-only session through.
 */
export function sessionUsedSecondFactor(_session: Session): boolean {
  return false;
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
