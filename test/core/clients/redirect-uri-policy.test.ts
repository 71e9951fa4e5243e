import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertRedirectUri, assertServerUri, normalizeRedirectUris } from '../../../src/core/clients/redirect-uri-policy.ts';

const refused = (run: () => void, message: RegExp): void => assert.throws(run, (error: unknown) => (error as { code?: string }).code === 'validation_failed' && message.test((error as { detail?: string }).detail ?? ''));

describe('redirect URI policy', () => {
  it('accepts https anywhere, http to loopback hosts, and keeps the URI verbatim', () => {
    for (const uri of ['https://rp.example.com/cb', 'https://rp.example.com:8443/a/b?x=1', 'http://localhost:3000/cb', 'http://127.0.0.1/cb', 'http://[::1]:9/cb', 'HTTPS://RP.example.com/CB']) {
      assert.doesNotThrow(() => assertRedirectUri(uri, 'confidential'), uri);
    }
    assert.deepEqual(normalizeRedirectUris(['https://a.example/cb', 'https://a.example/cb', 'https://A.example/cb'], 'public', 'redirect URI'), ['https://a.example/cb', 'https://A.example/cb']);
  });

  it('refuses fragments, relative URIs, user info, whitespace and control characters', () => {
    refused(() => assertRedirectUri('https://rp.example.com/cb#x', 'public'), /fragment/);
    refused(() => assertRedirectUri('https://rp.example.com/cb#', 'public'), /fragment/);
    refused(() => assertRedirectUri('/cb', 'public'), /absolute/);
    refused(() => assertRedirectUri('rp.example.com/cb', 'public'), /absolute/);
    refused(() => assertRedirectUri('https://user:pw@rp.example.com/cb', 'public'), /user name/);
    refused(() => assertRedirectUri('https://rp.example.com/c b', 'public'), /whitespace/);
    refused(() => assertRedirectUri('https://rp.example.com/cb\n', 'public'), /whitespace/);
    refused(() => assertRedirectUri('', 'public'), /1 to 2048/);
    refused(() => assertRedirectUri(`https://rp.example.com/${'a'.repeat(2048)}`, 'public'), /1 to 2048/);
  });

  it('refuses http to any host but loopback, including look-alikes of it (SEC-200)', () => {
    for (const uri of ['http://rp.example.com/cb', 'http://localhost.evil.example/cb', 'http://127.0.0.1.nip.io/cb', 'http://10.0.0.1/cb']) refused(() => assertRedirectUri(uri, 'public'), /loopback/);
  });

  it('a public client may register a private-use scheme in reverse domain form; nobody may register javascript:, data: or file:', () => {
    assert.doesNotThrow(() => assertRedirectUri('com.example.app:/oauth2/cb', 'public'));
    refused(() => assertRedirectUri('com.example.app:/oauth2/cb', 'confidential'), /confidential client is https/);
    for (const uri of ['javascript:alert(1)', 'data:text/html,x', 'file:///etc/passwd', 'myapp:/cb', 'ftp://rp.example.com/cb']) {
      refused(() => assertRedirectUri(uri, 'public'), /reverse domain form/);
      refused(() => assertRedirectUri(uri, 'confidential'), /https/);
    }
  });

  it('back-channel logout and JWKS URIs are https or http to loopback, never a custom scheme', () => {
    assert.doesNotThrow(() => assertServerUri('https://rp.example.com/backchannel?x=1', 'back-channel logout URI'));
    assert.doesNotThrow(() => assertServerUri('http://127.0.0.1:9000/bc', 'back-channel logout URI'));
    refused(() => assertServerUri('com.example.app:/bc', 'back-channel logout URI'), /https/);
    refused(() => assertServerUri('http://rp.example.com/jwks', 'JWKS URI'), /https/);
    refused(() => assertServerUri('https://rp.example.com/bc#x', 'back-channel logout URI'), /fragment/);
  });

  it('at most 20 redirect URIs per client', () => {
    const uris = Array.from({ length: 21 }, (_, i) => `https://rp.example.com/cb${i}`);
    refused(() => normalizeRedirectUris(uris, 'public', 'redirect URI'), /at most 20/);
  });
});
