import type { CoreDeps, RequestContext } from '../deps.ts';
import type { Session, Store } from '../ports.ts';
import { generateSessionToken } from './session-token.ts';

export interface StartedSession {
  session: Session;
  /** The cookie value; returned once, never stored. */
  token: string;
}

/** How the session's user authenticated: RFC 8176 values (see authentication-methods.ts), and when (default: now). */
export interface SessionAuthentication {
  amr: readonly string[];
  authTimeMs?: number;
}

const maxUserAgentLength = 512;

/** Creates a brand-new session (a new id every time: ASVS 7.2.4). Call inside a transaction. */
export async function startSession(
  deps: Pick<CoreDeps, 'clock' | 'random' | 'sessionPolicy'>,
  tx: Store,
  userId: string,
  context: RequestContext,
  authentication: SessionAuthentication,
): Promise<StartedSession> {
  const nowMs = deps.clock.nowMs();
  const { id, token, secretHash } = generateSessionToken(deps.random);
  const session: Session = {
    id,
    userId,
    secretHash,
    createdAtMs: nowMs,
    lastSeenAtMs: nowMs,
    expiresAtMs: nowMs + deps.sessionPolicy.absoluteTimeoutMs,
    userAgent: context.userAgent.slice(0, maxUserAgentLength),
    ip: context.ip,
    authTimeMs: authentication.authTimeMs ?? nowMs,
    amr: [...authentication.amr],
  };
  await tx.sessions.create(session);
  return { session, token };
}
