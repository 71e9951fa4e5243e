import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { authenticateClient } from '../../../src/core/clients/authenticate-client.ts';
import { createClient } from '../../../src/core/clients/create-client.ts';
import { deleteClient } from '../../../src/core/clients/delete-client.ts';
import { rejectsWithAuthError } from '../../support/auth-error.ts';
import { createTestCore } from '../../support/core-deps.ts';

describe('deleteClient', () => {
  it('removes the client, which then fails authentication, and leaves the others', async () => {
    const core = await createTestCore();
    const { secret } = await createClient(core, { name: 'Server', type: 'confidential', grantTypes: ['password'], audience: 'api', id: 'server' });
    const other = await createClient(core, { name: 'Mobile', type: 'public', grantTypes: ['password'], audience: 'api', id: 'mobile' });

    await deleteClient(core, 'server');

    assert.equal(await core.store.clients.findById('server'), null);
    await rejectsWithAuthError(authenticateClient(core, { method: 'client_secret_basic', clientId: 'server', clientSecret: secret ?? '' }), 'invalid_client');
    assert.deepEqual(await core.store.clients.findById('mobile'), other.client);
  });

  it('answers an unknown or already deleted id with 404 not_found', async () => {
    const core = await createTestCore();
    await createClient(core, { name: 'Mobile', type: 'public', grantTypes: ['password'], audience: 'api', id: 'mobile' });
    const unknown = await rejectsWithAuthError(deleteClient(core, 'nope'), 'not_found');
    assert.equal(unknown.status, 404);
    await deleteClient(core, 'mobile');
    await rejectsWithAuthError(deleteClient(core, 'mobile'), 'not_found');
  });

  it('frees the id: a new client may be registered under it, with a new secret', async () => {
    const core = await createTestCore();
    const old = await createClient(core, { name: 'Server', type: 'confidential', grantTypes: ['password'], audience: 'api', id: 'server' });
    await deleteClient(core, 'server');
    const replacement = await createClient(core, { name: 'Server v2', type: 'confidential', grantTypes: ['password'], audience: 'api', id: 'server' });
    await rejectsWithAuthError(authenticateClient(core, { method: 'client_secret_basic', clientId: 'server', clientSecret: old.secret ?? '' }), 'invalid_client');
    assert.equal((await authenticateClient(core, { method: 'client_secret_basic', clientId: 'server', clientSecret: replacement.secret ?? '' })).name, 'Server v2');
  });
});
