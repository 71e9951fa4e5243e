import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createClient } from '../../../src/core/clients/create-client.ts';
import { grantConsent } from '../../../src/core/oauth-provider/grant-consent.ts';
import { createTestCore, seedUser, testContext } from '../../support/core-deps.ts';

describe('grantConsent', () => {
  it('adds the scopes to what was allowed before, and audits consent.granted with the user, the client and the scopes (SEC-280)', async () => {
    const core = await createTestCore();
    const user = await seedUser(core, 'consenting@example.com');
    await createClient(core, { name: 'RP', type: 'public', grantTypes: ['authorization_code'], redirectUris: ['https://rp.example.com/cb'], id: 'rp' });
    const first = await grantConsent(core, user.id, 'rp', ['openid', 'email'], testContext());
    assert.deepEqual(first.scopes, ['openid', 'email']);
    const second = await grantConsent(core, user.id, 'rp', ['openid', 'profile'], testContext('198.51.100.9'));
    assert.deepEqual(second.scopes, ['openid', 'email', 'profile']);
    assert.deepEqual((await core.store.consents.find(user.id, 'rp'))?.scopes, ['openid', 'email', 'profile']);

    const audit = (await core.store.audit.list({ limit: 50 })).filter((e) => e.type === 'consent.granted').sort((a, b) => a.atMs - b.atMs || (a.ip ?? '').localeCompare(b.ip ?? ''));
    assert.deepEqual(
      audit.map((e) => [e.userId, e.detail, e.ip]).sort(),
      [
        [user.id, 'rp openid email', '203.0.113.7'],
        [user.id, 'rp openid profile', '198.51.100.9'],
      ],
    );
  });
});
