// docs/security.md "JWT and JWKS", SEC-20 to SEC-27, on the server side: the check Gatehouse runs
// on its own access tokens (introspection) refuses what the SDK verifier refuses. Forgeries are
// signed with the server's real private key wherever the point is a claim or header check, so a
// refusal can only come from that check.
import assert from 'node:assert/strict';
import { KeyObject, sign } from 'node:crypto';
import { before, describe, it } from 'node:test';
import { exportJWK, exportSPKI, generateKeyPair, importJWK, SignJWT, type JWTPayload } from 'jose';
import type { TokenDeps } from '../../../src/core/tokens/issue-access-token.ts';
import type { ActiveSigningKey } from '../../../src/core/tokens/key-ring.ts';
import { verifyOwnAccessToken } from '../../../src/core/tokens/verify-own-access-token.ts';
import { createTestCore, type TestCore } from '../../support/core-deps.ts';
import { createTestTokenDeps, testOrigin } from '../../support/http-app.ts';

const b64 = (data: string | Uint8Array): string => Buffer.from(data).toString('base64url');

interface Server {
  core: TestCore;
  tokens: TokenDeps;
  kid: string;
  alg: string;
  privateKey: ActiveSigningKey['privateKey'];
}

async function server(algorithm: 'EdDSA' | 'RS256'): Promise<Server> {
  const core = await createTestCore();
  const tokens = createTestTokenDeps(core, { algorithm });
  await tokens.keyRing.ensureKey();
  const { kid, alg, privateKey } = await tokens.keyRing.activeKey();
  return { core, tokens, kid, alg, privateKey };
}

function claims(s: Server, overrides: Record<string, unknown> = {}): JWTPayload {
  const nowSeconds = Math.floor(s.core.clock.nowMs() / 1000);
  const base: Record<string, unknown> = {
    iss: testOrigin,
    sub: 'user-1',
    aud: 'https://api.example.com',
    client_id: 'spa',
    scope: '',
    sid: 'session-1',
    jti: 'token-1',
    iat: nowSeconds,
    exp: nowSeconds + 300,
  };
  for (const [name, value] of Object.entries(overrides)) {
    if (value === undefined) delete base[name];
    else base[name] = value;
  }
  return base;
}

/** Any header and payload bytes, signed with the server's own EdDSA key (no library checks on the way). */
function craft(s: Server, header: Record<string, unknown>, payload: Uint8Array | JWTPayload): string {
  const body = payload instanceof Uint8Array ? payload : new TextEncoder().encode(JSON.stringify(payload));
  const input = `${b64(JSON.stringify(header))}.${b64(body)}`;
  return `${input}.${b64(sign(null, Buffer.from(input), s.privateKey))}`;
}

const verify = (s: Server, token: string): Promise<JWTPayload | null> => verifyOwnAccessToken(s.tokens, token);

describe('verifyOwnAccessToken', () => {
  let ed: Server;
  let rsa: Server;
  before(async () => {
    ed = await server('EdDSA');
    rsa = await server('RS256');
  });

  const genuineHeader = (s: Server): { alg: string; kid: string; typ: string } => ({ alg: s.alg, kid: s.kid, typ: 'at+jwt' });

  it('accepts a token signed with its own key, with the claims it issues (so the refusals below are not vacuous)', async () => {
    assert.equal((await verify(ed, craft(ed, genuineHeader(ed), claims(ed))))?.sid, 'session-1');
    const rs = await new SignJWT(claims(rsa)).setProtectedHeader(genuineHeader(rsa)).sign(rsa.privateKey);
    assert.equal((await verify(rsa, rs))?.sid, 'session-1');
  });

  it('records its checks while the inspector records, and hands the no-op recorder no step at all', async () => {
    const recorded: { title: string; detail?: { checks?: unknown } }[] = [];
    const handed: unknown[] = [];
    const good = craft(ed, genuineHeader(ed), claims(ed));
    const expired = craft(ed, genuineHeader(ed), claims(ed, { exp: Math.floor(ed.core.clock.nowMs() / 1000) - 60 }));
    for (const trace of [{ recording: true, step: (step: (typeof recorded)[number]) => recorded.push(step) }, { recording: false, step: (step: unknown) => handed.push(step) }]) {
      assert.equal((await verifyOwnAccessToken({ ...ed.tokens, trace }, good))?.sid, 'session-1');
      assert.equal(await verifyOwnAccessToken({ ...ed.tokens, trace }, expired), null);
    }
    assert.deepEqual(
      recorded.map((step) => step.title),
      ['Access token verified', 'Access token refused'],
    );
    assert.ok(Array.isArray(recorded[1]?.detail?.checks) && recorded[1].detail.checks.includes(`iss is ${testOrigin}`));
    assert.deepEqual(handed, []);
  });

  it('SEC-20: alg none, in any casing, is refused', async () => {
    for (const alg of ['none', 'None', 'NONE', 'nOnE']) {
      const token = `${b64(JSON.stringify({ alg, kid: ed.kid, typ: 'at+jwt' }))}.${b64(JSON.stringify(claims(ed)))}.`;
      assert.equal(await verify(ed, token), null, alg);
    }
  });

  it('SEC-21: an RS256 token re-signed with HS256 using the public key (PEM or JWK) is refused', async () => {
    const publicJwk = (await rsa.tokens.keyRing.publicJwks()).keys[0]!;
    const publicKey = await importJWK(publicJwk, 'RS256');
    const secrets = [await exportSPKI(publicKey as Parameters<typeof exportSPKI>[0]), JSON.stringify(publicJwk), publicJwk.n!];
    for (const secret of secrets) {
      const token = await new SignJWT(claims(rsa)).setProtectedHeader({ alg: 'HS256', kid: rsa.kid, typ: 'at+jwt' }).sign(new TextEncoder().encode(secret));
      assert.equal(await verify(rsa, token), null);
    }
  });

  it('SEC-22: a key supplied in the header (jwk, jku, x5u, x5c) is ignored: the attacker-signed token is refused', async () => {
    const attacker = await generateKeyPair('EdDSA', { extractable: true });
    const jwk = await exportJWK(attacker.publicKey);
    const headers = [
      { alg: 'EdDSA', typ: 'at+jwt', jwk },
      { alg: 'EdDSA', typ: 'at+jwt', kid: ed.kid, jwk },
      { alg: 'EdDSA', typ: 'at+jwt', kid: ed.kid, jku: 'http://127.0.0.1:9/jwks.json' },
      { alg: 'EdDSA', typ: 'at+jwt', kid: ed.kid, x5u: 'http://127.0.0.1:9/cert.pem' },
      { alg: 'EdDSA', typ: 'at+jwt', kid: ed.kid, x5c: ['MIIBszCCAVmgAwIBAgIUQ2=='] },
    ];
    for (const header of headers) {
      const token = await new SignJWT(claims(ed)).setProtectedHeader(header).sign(attacker.privateKey);
      assert.equal(await verify(ed, token), null, JSON.stringify(Object.keys(header)));
    }
  });

  it('SEC-23: a kid of ../../dev/null or an SQL fragment finds no key', async () => {
    for (const kid of ['../../dev/null', "' OR 1=1--", '/etc/passwd', '', `${ed.kid}' --`]) {
      assert.equal(await verify(ed, craft(ed, { alg: 'EdDSA', kid, typ: 'at+jwt' }, claims(ed))), null, kid);
    }
  });

  it('SEC-24: expired, nbf in the future, or no exp is refused', async () => {
    const nowSeconds = Math.floor(ed.core.clock.nowMs() / 1000);
    assert.equal(await verify(ed, craft(ed, genuineHeader(ed), claims(ed, { exp: nowSeconds - 1 }))), null, 'expired');
    assert.equal(await verify(ed, craft(ed, genuineHeader(ed), claims(ed, { nbf: nowSeconds + 60 }))), null, 'nbf in the future');
    assert.equal(await verify(ed, craft(ed, genuineHeader(ed), claims(ed, { exp: undefined }))), null, 'no exp');
    const live = craft(ed, genuineHeader(ed), claims(ed));
    ed.core.clock.advance(301_000);
    assert.equal(await verify(ed, live), null, 'expired by the clock');
  });

  it('SEC-25: a wrong or missing iss is refused', async () => {
    for (const iss of ['https://evil.example', `${testOrigin}/`, 'https://AUTH.test', undefined]) {
      assert.equal(await verify(ed, craft(ed, genuineHeader(ed), claims(ed, { iss }))), null, String(iss));
    }
  });

  it('SEC-26: a token whose typ is not at+jwt (an ID token, a plain JWT, none) is refused', async () => {
    for (const typ of ['JWT', 'id_token+jwt', 'logout+jwt', undefined]) {
      const header = typ === undefined ? { alg: 'EdDSA', kid: ed.kid } : { alg: 'EdDSA', kid: ed.kid, typ };
      assert.equal(await verify(ed, craft(ed, header, claims(ed))), null, String(typ));
    }
  });

  it('SEC-27: one flipped byte, JSON serialization, invalid UTF-8 and an unknown crit are refused', async () => {
    const token = craft(ed, genuineHeader(ed), claims(ed));
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const flip = (segment: string, index: number): string => {
      const bytes = Buffer.from(segment, 'base64url');
      bytes[index] = bytes[index]! ^ 0x01;
      return bytes.toString('base64url');
    };
    assert.equal(await verify(ed, `${header}.${payload}.${flip(signature, 0)}`), null, 'signature byte');
    assert.equal(await verify(ed, `${header}.${flip(payload, 10)}.${signature}`), null, 'payload byte');
    assert.equal(await verify(ed, JSON.stringify({ protected: header, payload, signature })), null, 'flattened JSON');
    assert.equal(await verify(ed, JSON.stringify({ payload, signatures: [{ protected: header, signature }] })), null, 'general JSON');
    const invalidUtf8 = Buffer.concat([Buffer.from(JSON.stringify(claims(ed)).slice(0, -1)), Buffer.from(',"x":"\xff\xfe"}', 'latin1')]);
    assert.equal(await verify(ed, craft(ed, genuineHeader(ed), invalidUtf8)), null, 'invalid UTF-8 payload');
    assert.equal(await verify(ed, craft(ed, { ...genuineHeader(ed), crit: ['urn:example:unknown'], 'urn:example:unknown': true }, claims(ed))), null, 'unknown crit');
    assert.notEqual(await verify(ed, token), null, 'the untouched token still verifies');
  });
});
