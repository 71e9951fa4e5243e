import { describe } from 'node:test';
import type { Store } from '../../src/core/ports.ts';
import { accountFactorsContract } from './contract/account-factors.ts';
import { auditContract } from './contract/audit.ts';
import { clientsContract } from './contract/clients.ts';
import { deliveriesContract } from './contract/deliveries.ts';
import { webhookEndpointsContract } from './contract/webhook-endpoints.ts';
import { refreshTokensContract } from './contract/refresh-tokens.ts';
import { replayRecordsContract } from './contract/replay-records.ts';
import { pushedAuthorizationRequestsContract } from './contract/pushed-authorization-requests.ts';
import { oauthFlowsContract } from './contract/oauth-flows.ts';
import { oauthIdentitiesContract } from './contract/oauth-identities.ts';
import { operatorsContract } from './contract/operators.ts';
import { openIdProviderContract } from './contract/openid-provider.ts';
import { consoleQueriesContract } from './contract/console-queries.ts';
import { passkeysContract } from './contract/passkeys.ts';
import { revocationsContract } from './contract/revocations.ts';
import { sessionsContract } from './contract/sessions.ts';
import { signingKeysContract } from './contract/signing-keys.ts';
import { throttleContract } from './contract/throttle.ts';
import { transactionContract } from './contract/transaction.ts';
import { usersContract } from './contract/users.ts';
import { userProfilesContract } from './contract/user-profiles.ts';

/**
 * The storage contract: one suite, run unchanged on every Store adapter (memory,
 * SQLite and PostgreSQL; the throttle part also on Redis, test/storage/redis/). It speaks only the ports in src/core/ports.ts, so an adapter that
 * passes is interchangeable with the others as far as the domain can tell.
 *
 * `open` must return a new, empty store on every call; the suite closes each store at the
 * end of its test. Anything an adapter needs beyond that (a temp file, a schema to drop)
 * is the caller's business.
 *
 * @example
 * runStoreContract('memory', async () => createMemoryStore());
 */
export function runStoreContract(name: string, open: () => Promise<Store>): void {
  describe(`Store contract: ${name}`, () => {
    usersContract(open);
    userProfilesContract(open);
    sessionsContract(open);
    throttleContract(open);
    auditContract(open);
    signingKeysContract(open);
    clientsContract(open);
    refreshTokensContract(open);
    replayRecordsContract(open);
    pushedAuthorizationRequestsContract(open);
    revocationsContract(open);
    oauthIdentitiesContract(open);
    oauthFlowsContract(open);
    accountFactorsContract(open);
    passkeysContract(open);
    deliveriesContract(open);
    operatorsContract(open);
    openIdProviderContract(open);
    consoleQueriesContract(open);
    webhookEndpointsContract(open);
    transactionContract(open);
  });
}
