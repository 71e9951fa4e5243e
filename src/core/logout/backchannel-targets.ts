import type { Client } from '../ports.ts';

/** One back-channel logout to send: which app, where it registered, for which user and session. */
export interface BackchannelTarget {
  clientId: string;
  /** The client's registered backchannel_logout_uri: never a URL from a request. */
  uri: string;
  sub: string;
  sid: string;
}

/**
 * The fan-out decision for one ended session: every app that was issued tokens under it and
 * registered a back-channel logout URI, once each. An app without one, or one deleted since, is
 * told nothing; only registered URIs ever receive a POST (docs/security.md SEC-223).
 *
 * @example
 * backchannelTargets(sessionId, userId, [appWithUri, appWithout]) // [{ clientId: appWithUri.id, uri, sub: userId, sid: sessionId }]
 */
export function backchannelTargets(sid: string, sub: string, clients: ReadonlyArray<Client | null>): BackchannelTarget[] {
  const seen = new Set<string>();
  const targets: BackchannelTarget[] = [];
  for (const client of clients) {
    if (client === null || client.backchannelLogoutUri === null || seen.has(client.id)) continue;
    seen.add(client.id);
    targets.push({ clientId: client.id, uri: client.backchannelLogoutUri, sub, sid });
  }
  return targets;
}
