import type { CoreDeps, RequestContext } from '../deps.ts';
import type { Session, Store } from '../ports.ts';
import { generateSessionToken } from './session-token.ts';
import { hashReference } from '../trace/hash-reference.ts';

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
  deps: Pick<CoreDeps, 'clock' | 'random' | 'sessionPolicy' | 'trace'>,
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
  deps.trace?.step({
    kind: 'decision',
    title: 'New session',
    outcome: 'ok',
    detail: {
      sessionId: id,
      cookieValue: 'id.secret: a new id every login (no fixation), 256 random bits of secret, shown to the browser once',
      stored: `id, ${hashReference(secretHash)} (SHA-256 of the secret), never the secret`,
      idleLimit: `${String(deps.sessionPolicy.idleTimeoutMs / 1000)} s without use`,
      absoluteDeadline: new Date(session.expiresAtMs).toISOString(),
      amr: [...authentication.amr],
    },
    teach: 'session-token',
  });
  return { session, token };
}
