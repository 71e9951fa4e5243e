import assert from 'node:assert/strict';
import { KeyObject, sign } from 'node:crypto';
import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { createVerifier, GatehouseTokenError, type TokenErrorCode, type Verifier, type VerifierOptions } from '../../../packages/sdk/src/index.ts';

/** Test fixtures for the SDK: keys, minted tokens, hand-crafted tokens, a fixed clock. */

export const issuer = 'https://auth.example.test';
export const audience = 'https://api.example.test';
/** 2030-03-17T17:46:40Z: a fixed "now" so expiry tests do not depend on the wall clock. */
export const fixedNowMs = 1_900_000_000_000;
export const fixedNowSeconds = fixedNowMs / 1000;

export type TestAlgorithm = 'ES256' | 'EdDSA' | 'RS256';
export const testAlgorithms: readonly TestAlgorithm[] = ['ES256', 'EdDSA', 'RS256'];

export interface SigningKey {
  readonly alg: TestAlgorithm;
  readonly kid: string;
  readonly privateKey: CryptoKey;
  readonly publicKey: CryptoKey;
  /** The public JWK as the issuer's JWKS publishes it. */
  readonly publicJwk: JWK;
}

export async function makeSigningKey(alg: TestAlgorithm, kid = `key-${alg.toLowerCase()}`): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true, ...(alg === 'EdDSA' ? { crv: 'Ed25519' } : {}) });
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  return { alg, kid, privateKey, publicKey, publicJwk };
}

/** One key per default algorithm, made once per test file. */
export async function makeSigningKeys(): Promise<Record<TestAlgorithm, SigningKey>> {
  const [es, ed, rs] = await Promise.all(testAlgorithms.map((alg) => makeSigningKey(alg)));
  return { ES256: es!, EdDSA: ed!, RS256: rs! };
}

let jtiCounter = 0;

/** Claims of a valid Gatehouse access token issued at `nowSeconds`, valid 10 minutes. */
export function validClaims(nowSeconds = fixedNowSeconds): JWTPayload {
  jtiCounter += 1;
  return {
    iss: issuer,
    sub: 'usr_ada',
    aud: audience,
    iat: nowSeconds,
    exp: nowSeconds + 600,
    jti: `at_${jtiCounter}`,
    client_id: 'cli_notes',
    scope: 'notes:read notes:write',
    sid: 'ses_1',
  };
}

export interface MintOptions {
  /** Merged over validClaims(); a value of `undefined` removes the claim. */
  claims?: Record<string, unknown>;
  /** Merged over {alg, kid, typ: 'at+jwt'}; a value of `undefined` removes the member. */
  header?: Record<string, unknown>;
  nowSeconds?: number;
  /** Extensions jose must let the signer put in `crit` (it refuses unknown ones when signing too). */
  crit?: Record<string, boolean>;
}

function merge(base: Record<string, unknown>, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...base, ...overrides };
  for (const [name, value] of Object.entries(merged)) if (value === undefined) delete merged[name];
  return merged;
}

/** A token signed by `key` with jose's SignJWT, as Gatehouse would issue it (plus overrides). */
export async function mintAccessToken(key: SigningKey, options: MintOptions = {}): Promise<string> {
  const payload = merge(validClaims(options.nowSeconds), options.claims);
  const header = merge({ alg: key.alg, kid: key.kid, typ: 'at+jwt' }, options.header);
  return new SignJWT(payload as JWTPayload).setProtectedHeader(header as { alg: string }).sign(key.privateKey, options.crit === undefined ? undefined : { crit: options.crit });
}

/**
 * A JWS over arbitrary payload bytes (e.g. invalid UTF-8) and an arbitrary header (e.g. a `crit`
 * jose would refuse to sign), properly signed by `key` with node:crypto: jose's signer refuses to
 * make most of these, which is why they are made here.
 */
export function signBytes(key: SigningKey, header: Record<string, unknown>, payload: Uint8Array): string {
  const fullHeader = merge({ alg: key.alg, kid: key.kid, typ: 'at+jwt' }, header);
  const signingInput = `${base64url(JSON.stringify(fullHeader))}.${base64url(payload)}`;
  return `${signingInput}.${rawSign(key, signingInput).toString('base64url')}`;
}

/** The JWS signature of `signingInput` under `key`, computed with node:crypto alone. */
export function rawSign(key: SigningKey, signingInput: string): Buffer {
  const privateKey = KeyObject.from(key.privateKey);
  if (key.alg === 'ES256') return sign('sha256', Buffer.from(signingInput), { key: privateKey, dsaEncoding: 'ieee-p1363' });
  return sign(key.alg === 'EdDSA' ? null : 'sha256', Buffer.from(signingInput), privateKey);
}

export function base64url(input: string | Uint8Array): string {
  return Buffer.from(input).toString('base64url');
}

/** A compact token assembled by hand: header and payload JSON-encoded, signature as given. */
export function craftToken(header: object, payload: object, signature: string | Uint8Array = ''): string {
  return `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(payload))}.${typeof signature === 'string' ? signature : base64url(signature)}`;
}

export function segments(token: string): [string, string, string] {
  const parts = token.split('.');
  assert.equal(parts.length, 3);
  return parts as [string, string, string];
}

/** `token` with one byte of the decoded segment XOR-ed (so the change is real, not in padding bits). */
export function flipByte(token: string, segment: 1 | 2, byteIndex: number, mask = 0x01): string {
  const parts = segments(token);
  const bytes = Buffer.from(parts[segment], 'base64url');
  bytes[byteIndex] = bytes[byteIndex]! ^ mask;
  parts[segment] = bytes.toString('base64url');
  return parts.join('.');
}

/** A local JWKS resolver that counts how often a key is looked up. */
export function countingJwks(keys: readonly SigningKey[]): { jwks: JWTVerifyGetKey; calls: () => number; kids: string[] } {
  const local = createLocalJWKSet({ keys: keys.map((key) => key.publicJwk) });
  const kids: string[] = [];
  let calls = 0;
  const jwks: JWTVerifyGetKey = (protectedHeader, token) => {
    calls += 1;
    kids.push(String(protectedHeader.kid));
    return local(protectedHeader, token);
  };
  return { jwks, calls: () => calls, kids };
}

/** A mutable clock for `now`. */
export interface TestClock {
  nowMs: number;
}

export function makeVerifier(keys: readonly SigningKey[], options: Partial<VerifierOptions> = {}, clock: TestClock = { nowMs: fixedNowMs }): Verifier {
  return createVerifier({ issuer, audience, jwks: createLocalJWKSet({ keys: keys.map((key) => key.publicJwk) }), now: () => clock.nowMs, ...options });
}

/** Asserts that `promise` rejects with a GatehouseTokenError of exactly `code`; returns it. */
export async function assertRefused(promise: Promise<unknown>, code: TokenErrorCode, message?: string): Promise<GatehouseTokenError> {
  let caught: unknown;
  try {
    await promise;
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof GatehouseTokenError, `${message ?? 'expected a refusal'}: got ${String(caught)}`);
  assert.equal(caught.code, code, `${message ?? ''} (cause: ${String((caught as Error).cause)})`);
  return caught;
}
