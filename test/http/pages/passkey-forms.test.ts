import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { PasskeyCredential } from '../../../src/core/ports.ts';
import { passkeysCard } from '../../../src/http/pages/passkey-forms.ts';

const passkey = (overrides: Partial<PasskeyCredential>): PasskeyCredential => ({
  id: 'pk-1',
  userId: 'u-1',
  credentialId: 'AAAA',
  publicKey: new Uint8Array(0),
  counter: 0,
  transports: ['internal'],
  deviceType: 'singleDevice',
  backedUp: false,
  name: 'Laptop',
  createdAtMs: Date.UTC(2026, 0, 2, 10),
  lastUsedAtMs: null,
  ...overrides,
});

describe('the Passkeys card of /account', () => {
  test('lists each passkey: name, created, last used, synced or device-bound; with rename and remove forms that work without a script', () => {
    const card = String(
      passkeysCard([
        passkey({}),
        passkey({ id: 'pk-2', name: 'Phone', deviceType: 'multiDevice', backedUp: true, createdAtMs: Date.UTC(2026, 1, 3), lastUsedAtMs: Date.UTC(2026, 2, 4, 12) }),
      ]),
    );
    const rows = card.split('<tr data-passkey-id=').slice(1);
    assert.equal(rows.length, 2);
    const [laptop = '', phone = ''] = rows;
    assert.match(laptop, /<td>Laptop<\/td>/);
    assert.match(laptop, /<time datetime="2026-01-02T10:00:00.000Z">2026-01-02<\/time>/);
    assert.match(laptop, /<td>never<\/td>/);
    assert.match(laptop, /<td>this device only<\/td>/);
    assert.match(phone, /<td>Phone<\/td>/);
    assert.match(phone, /<time datetime="2026-03-04T12:00:00.000Z">2026-03-04<\/time>/);
    assert.match(phone, /<td>synced<\/td>/);
    assert.match(laptop, /<form method="post" action="\/account\/passkeys\/pk-1\/rename">/);
    assert.match(laptop, /<form method="post" action="\/account\/passkeys\/pk-1\/remove"><button class="danger" type="submit" aria-label="Remove passkey Laptop">/);
    assert.doesNotMatch(card, /<script/);
    assert.match(card, /<a href="\/account\/passkeys\/new">Add a passkey<\/a>/);
  });

  test('escapes the name the user gave', () => {
    const card = String(passkeysCard([passkey({ name: '<img src=x onerror=alert(1)>"' })]));
    assert.doesNotMatch(card, /<img/);
    assert.match(card, /&lt;img src=x onerror=alert\(1\)&gt;/);
  });

  test('without passkeys it says so, and offers to add one', () => {
    const card = String(passkeysCard([]));
    assert.match(card, /You have no passkeys yet\./);
    assert.doesNotMatch(card, /<table/);
  });
});
