import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { beforeEach, describe, it } from 'node:test';
import { authenticateClient } from '../../../src/core/clients/authenticate-client.ts';
import { createClient } from '../../../src/core/clients/create-client.ts';
import { enforceAuthMethod } from '../../../src/core/clients/enforce-auth-method.ts';
import { rejectsWithAuthError } from '../../support/auth-error.ts';
import { clientRecord } from '../../support/client-record.ts';
import { createTestCore, testContext, testEpochMs, type TestCore } from '../../support/core-deps.ts';

const legacySecret = 'legacy-secret-of-43-characters-xxxxxxxxxxxxx';

describe('enforceAuthMethod', () => {
  let core: TestCore;
  beforeEach(async () => {
    core = await createTestCore();
    // Clients registered before the method was enforced, as migration 0020 left them: one of each secret method.
    for (const [id, method] of [['legacy-basic', 'client_secret_basic'], ['legacy-post', 'client_secret_post']] as const) {
      await core.store.clients.create(
        clientRecord(
          { id, name: id, type: 'confidential', secretHash: createHash('sha256').update(legacySecret).digest('base64url'), grantTypes: ['client_credentials'], audience: 'api', refreshTokenDelivery: 'body', createdAtMs: testEpochMs },
          { acceptsEitherSecretMethod: true, tokenEndpointAuthMethod: method },
        ),
      );
    }
  });

  it('holds a client registered before enforcement to exactly its registered secret method, audited (SEC-208)', async () => {
    for (const [id, registered, other] of [['legacy-basic', 'client_secret_basic', 'client_secret_post'], ['legacy-post', 'client_secret_post', 'client_secret_basic']] as const) {
      assert.equal((await authenticateClient(core, { method: other, clientId: id, clientSecret: legacySecret })).id, id, 'the leeway, before');
      assert.equal(await enforceAuthMethod(core, id, testContext()), 'enforced');
      const refused = await rejectsWithAuthError(authenticateClient(core, { method: other, clientId: id, clientSecret: legacySecret }), 'invalid_client');
      assert.match(refused.detail ?? '', new RegExp(`registered for ${registered}`));
      assert.equal((await authenticateClient(core, { method: registered, clientId: id, clientSecret: legacySecret })).id, id, 'the registered method still works');
    }
    const entries = (await core.store.auditSearch.page({}, { limit: 10 })).filter((e) => e.type === 'client.auth_method_enforced');
    assert.deepEqual(entries.map((e) => e.detail).sort(), ['client legacy-basic: client_secret_basic only', 'client legacy-post: client_secret_post only']);
    assert.ok(entries.every((e) => e.ip === testContext().ip));
  });

  it('leaves a client without the leeway as it is: nothing written, nothing audited', async () => {
    const { client } = await createClient(core, { id: 'new', name: 'New', type: 'confidential', grantTypes: ['client_credentials'], audience: 'api' });
    assert.equal(client.acceptsEitherSecretMethod, false);
    assert.equal(await enforceAuthMethod(core, 'new', testContext()), 'already_enforced');
    assert.equal(await enforceAuthMethod(core, 'legacy-basic', testContext()), 'enforced');
    assert.equal(await enforceAuthMethod(core, 'legacy-basic', testContext()), 'already_enforced', 'a second time');
    const entries = (await core.store.auditSearch.page({}, { limit: 10 })).filter((e) => e.type === 'client.auth_method_enforced');
    assert.equal(entries.length, 1);
  });

  it('is not_found for an unknown client', async () => {
    await rejectsWithAuthError(enforceAuthMethod(core, 'nobody', testContext()), 'not_found');
  });
});
