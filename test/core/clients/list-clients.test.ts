import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createClient } from '../../../src/core/clients/create-client.ts';
import { listClients } from '../../../src/core/clients/list-clients.ts';
import type { Client } from '../../../src/core/ports.ts';
import { clientRecord } from '../../support/client-record.ts';
import { createTestCore } from '../../support/core-deps.ts';

function withoutHash(client: Client): Omit<Client, 'secretHash'> {
  const { secretHash: _, ...view } = client;
  return view;
}

describe('listClients', () => {
  it('lists every client oldest first, without any secret or secret hash (SEC-76)', async () => {
    const core = await createTestCore();
    const first = await createClient(core, { name: 'Zeta server', type: 'confidential', grantTypes: ['password'], audience: 'https://api.example.com', id: 'zeta' });
    core.clock.advance(1000);
    const second = await createClient(core, { name: 'Alpha mobile', type: 'public', grantTypes: ['session', 'refresh_token'], audience: 'mobile-api', id: 'alpha', refreshTokenDelivery: 'cookie' });

    const listed = await listClients(core);
    assert.deepEqual(listed, [
      withoutHash(clientRecord({ id: 'zeta', name: 'Zeta server', type: 'confidential', secretHash: null, grantTypes: ['password'], audience: 'https://api.example.com', refreshTokenDelivery: 'body', createdAtMs: first.client.createdAtMs })),
      withoutHash(clientRecord({ id: 'alpha', name: 'Alpha mobile', type: 'public', secretHash: null, grantTypes: ['session', 'refresh_token'], audience: 'mobile-api', refreshTokenDelivery: 'cookie', createdAtMs: second.client.createdAtMs })),
    ]);
    for (const client of listed) assert.ok(!('secretHash' in client), `${client.id} carries a secretHash field`);
    const printed = JSON.stringify(listed);
    assert.ok(!printed.includes(first.secret ?? '(none)'));
    assert.ok(!printed.includes(first.client.secretHash ?? assert.fail('a confidential client has a hash')), 'the stored hash is not listed');
  });

  it('orders clients created at the same instant by id', async () => {
    const core = await createTestCore();
    for (const id of ['c', 'a', 'b']) await createClient(core, { name: id, type: 'public', grantTypes: ['password'], audience: 'api', id });
    assert.deepEqual((await listClients(core)).map((c) => c.id), ['a', 'b', 'c']);
  });

  it('is empty when no client is registered', async () => {
    assert.deepEqual(await listClients(await createTestCore()), []);
  });
});
