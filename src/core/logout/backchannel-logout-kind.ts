import { auditEvent } from '../audit/audit-event.ts';
import type { DeliveryKind } from '../delivery/deliver-due.ts';
import type { Clock, Delivery, Random, Store } from '../ports.ts';
import type { IdTokenKeys } from '../tokens/id-token-keys.ts';
import type { TraceRecorder } from '../trace/ports.ts';
import type { BackchannelLogoutPayload } from './enqueue-backchannel-logouts.ts';
import { signLogoutToken, type LogoutTokenDeps } from './logout-token.ts';

function payloadOf(delivery: Delivery): BackchannelLogoutPayload {
  return JSON.parse(delivery.payload) as BackchannelLogoutPayload;
}

// The worker, not a person, makes these requests.
const workerContext = { ip: '', userAgent: 'gatehouse back-channel logout' };

/**
 * How the outbox sends a back-channel logout (OpenID Connect Back-Channel Logout 1.0 §2.5): a
 * form POST of `logout_token`, signed afresh at each attempt so a retry carries a live token. It
 * goes only to the URI the app still has registered: an app deleted since, or one that changed or
 * removed its URI, gets nothing (the delivery ends as `target_removed`; docs/security.md SEC-223).
 * Each delivered or abandoned logout is written to the audit trail.
 */
export interface BackchannelLogoutKindDeps {
  store: Pick<Store, 'clients' | 'audit'>;
  clock: Clock;
  random: Random;
  issuer: string;
  /** Logout tokens are signed like the app's ID tokens (its id_token_signed_response_alg), so it verifies both alike. */
  idTokenKeys: Pick<IdTokenKeys, 'activeKey'>;
  /** The inspector's recorder: each attempt's result, as a step of its own (the worker runs outside any request). */
  trace?: TraceRecorder;
}

export function backchannelLogoutKind(deps: BackchannelLogoutKindDeps): DeliveryKind {
  const tokenDeps: LogoutTokenDeps = {
    clock: deps.clock,
    random: deps.random,
    issuer: deps.issuer,
    signingKey: async (clientId) => deps.idTokenKeys.activeKey((await deps.store.clients.findById(clientId))?.idTokenSignedResponseAlg ?? 'RS256'),
  };
  return {
    contentType: 'application/x-www-form-urlencoded',
    async prepare(delivery) {
      const client = await deps.store.clients.findById(payloadOf(delivery).clientId);
      if (client === null || client.backchannelLogoutUri !== delivery.targetUrl) return null;
      return { 'cache-control': 'no-store' };
    },
    async body(delivery) {
      return new URLSearchParams({ logout_token: await signLogoutToken(tokenDeps, payloadOf(delivery)) }).toString();
    },
    async onOutcome(delivery, outcome) {
      const { clientId, sub, sid } = payloadOf(delivery);
      deps.trace?.step({
        kind: 'revocation',
        title: outcome.state === 'delivered' ? `Back-channel logout delivered to ${clientId}` : outcome.state === 'pending' ? `Back-channel logout to ${clientId} failed, retrying` : `Back-channel logout to ${clientId} abandoned`,
        outcome: outcome.state === 'delivered' ? 'ok' : 'refused',
        detail: {
          to: delivery.targetUrl,
          sid,
          attempt: delivery.attempts,
          status: outcome.lastStatus,
          ...(outcome.lastError === null ? {} : { error: outcome.lastError }),
          msSinceLogout: outcome.atMs - delivery.createdAtMs,
          logoutToken: 'a JWT signed for this attempt: iss, aud, iat, exp, jti, sub, sid and the back-channel logout event; never a nonce',
        },
        teach: 'backchannel-logout',
      });
      if (outcome.state === 'pending') return;
      const detail = `client ${clientId} session ${sid}${outcome.state === 'dead' ? ` (${outcome.lastError ?? 'failed'}, status ${String(outcome.lastStatus)})` : ''}`;
      const type = outcome.state === 'delivered' ? 'backchannel_logout.delivered' : 'backchannel_logout.failed';
      await deps.store.audit.append(auditEvent({ clock: deps.clock, random: deps.random }, type, workerContext, { userId: sub, detail }));
    },
  };
}
