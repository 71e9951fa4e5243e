// RFC 9449 proof checks at the token endpoint, docs/security.md SEC-235, SEC-236 and SEC-237.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { normalizeHtu, verifyDpopProof } from '../../../src/core/dpop/verify-dpop-proof.ts';
import { createManualClock } from '../../support/core-deps.ts';
import { createMemoryStore } from '../../../src/storage/memory/memory-store.ts';
import type { TraceStep } from '../../../src/core/trace/ports.ts';
import { dpopKey, dpopProof } from '../../support/dpop.ts';

const url = 'https://auth.test/v1/token';

function setup() {
  const clock = createManualClock();
  const deps = { clock, store: createMemoryStore() };
  const verify = (proof: string, overrides: { method?: string; url?: string; accessToken?: string } = {}) =>
    verifyDpopProof(deps, { proof, method: overrides.method ?? 'POST', url: overrides.url ?? url, ...(overrides.accessToken === undefined ? {} : { accessToken: overrides.accessToken }) });
  return { clock, deps, verify };
}

async function refused(promise: Promise<unknown>, detail?: RegExp): Promise<void> {
  await assert.rejects(promise, (error: { code?: string; detail?: string }) => {
    assert.equal(error.code, 'invalid_dpop_proof');
    if (detail !== undefined) assert.match(error.detail ?? '', detail);
    return true;
  });
}

describe('verifyDpopProof', () => {
  it('accepts a fresh proof for this method and URL and returns the RFC 7638 thumbprint of its key', async () => {
    const { clock, verify } = setup();
    for (const alg of ['ES256', 'EdDSA', 'RS256', 'PS256']) {
      const key = await dpopKey(alg);
      assert.deepEqual(await verify(await dpopProof(key, { htm: 'POST', htu: url }, clock.nowMs())), { jkt: key.jkt }, alg);
    }
  });

  it('the same proof twice: the second is refused as a replay (SEC-235)', async () => {
    const { clock, verify } = setup();
    const proof = await dpopProof(await dpopKey(), { htm: 'POST', htu: url }, clock.nowMs());
    await verify(proof);
    await refused(verify(proof), /already used/);
  });

  it('another method or another URL is refused; the URL is compared normalised, without query or fragment (SEC-236)', async () => {
    const { clock, verify } = setup();
    const key = await dpopKey();
    const now = clock.nowMs();
    await refused(verify(await dpopProof(key, { htm: 'GET', htu: url }, now)), /method/);
    await refused(verify(await dpopProof(key, { htm: 'post', htu: url }, now)), /method/);
    await refused(verify(await dpopProof(key, { htm: 'POST', htu: 'https://auth.test/v1/token/revoke' }, now)), /URL/);
    await refused(verify(await dpopProof(key, { htm: 'POST', htu: 'https://evil.test/v1/token' }, now)), /URL/);
    await refused(verify(await dpopProof(key, { htm: 'POST', htu: 'http://auth.test/v1/token' }, now)), /URL/);
    await refused(verify(await dpopProof(key, { htm: 'POST', htu: 'not a url' }, now)), /URL/);
    assert.ok(await verify(await dpopProof(key, { htm: 'POST', htu: 'HTTPS://Auth.Test:443/v1/token?x=1#f' }, now)));
    assert.equal(normalizeHtu('https://a.test:8443/p?q#f'), 'https://a.test:8443/p');
    assert.equal(normalizeHtu('ftp://a.test/p'), null);
  });

  // Named after the OpenID conformance suite's FAPI 2.0 modules that check the same.
  it('fapi2-security-profile-final-ensure-dpopproof-with-iat-10seconds-before-succeeds', async () => {
    const { clock, verify } = setup();
    assert.ok(await verify(await dpopProof(await dpopKey(), { htm: 'POST', htu: url, iat: Math.floor(clock.nowMs() / 1000) - 10 }, clock.nowMs())));
  });

  it('fapi2-security-profile-final-ensure-dpopproof-with-iat-10seconds-after-succeeds', async () => {
    const { clock, verify } = setup();
    assert.ok(await verify(await dpopProof(await dpopKey(), { htm: 'POST', htu: url, iat: Math.floor(clock.nowMs() / 1000) + 10 }, clock.nowMs())));
  });

  it('iat older than the window or in the future is refused', async () => {
    const { clock, verify } = setup();
    const key = await dpopKey();
    const nowSeconds = Math.floor(clock.nowMs() / 1000);
    await refused(verify(await dpopProof(key, { htm: 'POST', htu: url, iat: nowSeconds - 120 }, clock.nowMs())));
    await refused(verify(await dpopProof(key, { htm: 'POST', htu: url, iat: nowSeconds + 120 }, clock.nowMs())));
    assert.ok(await verify(await dpopProof(key, { htm: 'POST', htu: url, iat: nowSeconds - 30 }, clock.nowMs())));
  });

  it('refuses a wrong typ, a missing claim, a private key in the header, a symmetric or none algorithm, a key that did not sign (SEC-237)', async () => {
    const { clock, verify } = setup();
    const key = await dpopKey();
    const now = clock.nowMs();
    await refused(verify(await dpopProof(key, { htm: 'POST', htu: url, typ: 'JWT' }, now)));
    for (const claim of ['jti', 'htm', 'htu', 'iat']) await refused(verify(await dpopProof(key, { htm: 'POST', htu: url, omit: [claim] }, now)), undefined);
    const extractable = await generateKeyPair('ES256', { extractable: true });
    const privateJwk = await exportJWK(extractable.privateKey);
    const withPrivate = await new SignJWT({ htm: 'POST', htu: url, iat: Math.floor(now / 1000), jti: 'p1' })
      .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: privateJwk })
      .sign(extractable.privateKey);
    await refused(verify(withPrivate), /private/);
    const hmac = await new SignJWT({ htm: 'POST', htu: url, iat: Math.floor(now / 1000), jti: 'h1' })
      .setProtectedHeader({ alg: 'HS256', typ: 'dpop+jwt', jwk: { kty: 'oct', k: 'c2VjcmV0' } as Record<string, string> })
      .sign(new TextEncoder().encode('secret-secret-secret-secret-32by'));
    await refused(verify(hmac));
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'dpop+jwt', jwk: key.publicJwk })).toString('base64url')}.${Buffer.from(JSON.stringify({ htm: 'POST', htu: url, iat: Math.floor(now / 1000), jti: 'n1' })).toString('base64url')}.`;
    await refused(verify(none));
    const other = await dpopKey();
    await refused(verify(await dpopProof(key, { htm: 'POST', htu: url, jwk: other.publicJwk as Record<string, unknown> }, now)));
    await refused(verify('not.a.jws'));
    await refused(verify(`${'a'.repeat(9000)}.b.c`));
  });

  it('with an access token, ath must be its SHA-256', async () => {
    const { clock, verify } = setup();
    const key = await dpopKey();
    const proof = await dpopProof(key, { htm: 'GET', htu: 'https://auth.test/userinfo', accessToken: 'token-a' }, clock.nowMs());
    await refused(verify(proof, { method: 'GET', url: 'https://auth.test/userinfo', accessToken: 'token-b' }), /ath/);
    const good = await dpopProof(key, { htm: 'GET', htu: 'https://auth.test/userinfo', accessToken: 'token-a' }, clock.nowMs());
    assert.ok(await verify(good, { method: 'GET', url: 'https://auth.test/userinfo', accessToken: 'token-a' }));
  });
});

describe('verifyDpopProof, traced for the inspector', () => {
  it('one step per proof: verified with the key thumbprint, alg and each check; refused with the reason; never the proof itself (SEC-250)', async () => {
    const clock = createManualClock();
    const steps: TraceStep[] = [];
    const deps = { clock, store: createMemoryStore(), trace: { recording: true, step: (step: TraceStep) => steps.push(step) } };
    const key = await dpopKey();
    const proof = await dpopProof(key, { htm: 'POST', htu: url }, clock.nowMs());
    // Refused on ath (the proof has none), before its jti is recorded: the same proof then passes once.
    await refused(verifyDpopProof(deps, { proof, method: 'POST', url, accessToken: 'the-access-token' }), /ath/);
    await verifyDpopProof(deps, { proof, method: 'POST', url: `${url}?q=1` });
    const [first, second] = steps;
    assert.equal(steps.length, 2);
    assert.equal(first?.title, 'DPoP proof refused: The DPoP proof is not for this access token (ath).');
    assert.equal(first?.outcome, 'refused');
    assert.equal(first?.teach, 'dpop');
    assert.equal(second?.title, 'DPoP proof verified');
    assert.equal(second?.outcome, 'ok');
    assert.equal(second?.detail?.['keyThumbprint'], key.jkt);
    assert.equal(second?.detail?.['alg'], 'ES256');
    assert.equal(second?.detail?.['for'], `POST ${url}`);
    assert.ok((second?.detail?.['checks'] as string[]).some((check) => check.includes('jti never seen before')));
    await refused(verifyDpopProof(deps, { proof, method: 'POST', url }), /already used/);
    assert.equal(steps[2]?.title, 'DPoP proof refused: This DPoP proof was already used.');
    const shown = JSON.stringify(steps);
    for (const part of proof.split('.')) assert.ok(!shown.includes(part), 'no part of the proof appears');
  });
});
