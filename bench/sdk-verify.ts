import { KeyObject, verify as cryptoVerify } from 'node:crypto';
import { parseArgs } from 'node:util';
import { createLocalJWKSet, exportJWK, generateKeyPair, jwtVerify, SignJWT, type CryptoKey, type JWTVerifyGetKey } from 'jose';
import { createVerifier, type Verifier } from '../src/sdk/index.ts';
import { formatRate, median, renderTable, spreadPercent } from './lib/report.ts';

/**
 * `node bench/sdk-verify.ts`: in-process cost of verifying a Gatehouse access token with the SDK,
 * against jose's jwtVerify alone and raw node:crypto signature checks, per algorithm.
 *
 * - sdk, seen before: the same token again (cache hit: SHA-256, LRU lookup, exp and revocation).
 * - sdk, never seen: every token new to a fresh verifier (full verification plus cache insert).
 * - jose jwtVerify (jwks): the same options and the same local JWKS resolver as the SDK.
 * - jose jwtVerify (key): the CryptoKey given directly, no key resolution.
 * - node:crypto verify: the signature alone over the signing input, no parsing, no claims.
 *
 * Each round runs every case once, in rotating order, so a slow moment hits all of them; figures
 * are medians of the rounds. Targets: seen-before >= 200,000/s; never-seen >= 0.8 of jose (jwks).
 */

const { values: flags } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    tokens: { type: 'string', default: '3000' },
    'hit-ms': { type: 'string', default: '300' },
  },
});
const rounds = Number(flags.rounds);
const tokenCount = Number(flags.tokens);
const hitDurationMs = Number(flags['hit-ms']);

const issuer = 'https://auth.example.test';
const audience = 'https://api.example.test';
type Alg = 'ES256' | 'EdDSA' | 'RS256';

interface Fixture {
  alg: Alg;
  tokens: string[];
  publicKey: CryptoKey;
  nodeKey: KeyObject;
  jwks: JWTVerifyGetKey;
}

async function makeFixture(alg: Alg): Promise<Fixture> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true, ...(alg === 'EdDSA' ? { crv: 'Ed25519' } : {}) });
  const kid = `bench-${alg}`;
  const jwks = createLocalJWKSet({ keys: [{ ...(await exportJWK(publicKey)), kid, alg, use: 'sig' }] });
  const nowSeconds = Math.floor(Date.now() / 1000);
  const tokens: string[] = [];
  for (let index = 0; index < tokenCount; index += 1) {
    tokens.push(
      await new SignJWT({ client_id: 'cli_bench', scope: 'notes:read notes:write', sid: `ses_${index % 97}` })
        .setProtectedHeader({ alg, kid, typ: 'at+jwt' })
        .setIssuer(issuer)
        .setAudience(audience)
        .setSubject(`usr_${index}`)
        .setJti(`at_${alg}_${index}`)
        .setIssuedAt(nowSeconds)
        .setExpirationTime(nowSeconds + 3600)
        .sign(privateKey),
    );
  }
  return { alg, tokens, publicKey, nodeKey: KeyObject.from(publicKey), jwks };
}

const joseOptions = {
  algorithms: ['ES256', 'EdDSA', 'RS256'],
  issuer,
  audience,
  typ: 'at+jwt',
  requiredClaims: ['exp', 'iat', 'sub', 'jti', 'sid', 'client_id'],
  clockTolerance: 5,
};

function newVerifier(fixture: Fixture): Verifier {
  return createVerifier({ issuer, audience, jwks: fixture.jwks, cacheMaxEntries: Math.max(10_000, tokenCount) });
}

/** ops/s of `run` over every token once. */
async function perToken(tokens: readonly string[], run: (token: string) => unknown): Promise<number> {
  const start = performance.now();
  for (const token of tokens) await run(token);
  return tokens.length / ((performance.now() - start) / 1000);
}

type Case = 'sdk seen before' | 'sdk never seen' | 'jose jwtVerify (jwks)' | 'jose jwtVerify (key)' | 'node:crypto verify';
const cases: Case[] = ['sdk seen before', 'sdk never seen', 'jose jwtVerify (jwks)', 'jose jwtVerify (key)', 'node:crypto verify'];

function rawVerifier(fixture: Fixture): (token: string) => boolean {
  const { alg, nodeKey } = fixture;
  return (token) => {
    const lastDot = token.lastIndexOf('.');
    const signingInput = Buffer.from(token.slice(0, lastDot));
    const signature = Buffer.from(token.slice(lastDot + 1), 'base64url');
    if (alg === 'ES256') return cryptoVerify('sha256', signingInput, { key: nodeKey, dsaEncoding: 'ieee-p1363' }, signature);
    return cryptoVerify(alg === 'EdDSA' ? null : 'sha256', signingInput, nodeKey, signature);
  };
}

async function measure(fixture: Fixture, which: Case): Promise<number> {
  switch (which) {
    case 'sdk seen before': {
      const verifier = newVerifier(fixture);
      const token = fixture.tokens[0]!;
      await verifier.verify(token);
      let count = 0;
      const start = performance.now();
      let elapsed = 0;
      while (elapsed < hitDurationMs) {
        for (let index = 0; index < 1000; index += 1) await verifier.verify(token);
        count += 1000;
        elapsed = performance.now() - start;
      }
      return count / (elapsed / 1000);
    }
    case 'sdk never seen': {
      const verifier = newVerifier(fixture);
      return perToken(fixture.tokens, (token) => verifier.verify(token));
    }
    case 'jose jwtVerify (jwks)':
      return perToken(fixture.tokens, (token) => jwtVerify(token, fixture.jwks, joseOptions));
    case 'jose jwtVerify (key)':
      return perToken(fixture.tokens, (token) => jwtVerify(token, fixture.publicKey, joseOptions));
    case 'node:crypto verify': {
      const check = rawVerifier(fixture);
      return perToken(fixture.tokens, (token) => {
        if (!check(token)) throw new Error('raw verify failed');
      });
    }
  }
}

console.log(`node ${process.version}, ${tokenCount} tokens per algorithm, ${rounds} rounds (+1 warm-up), medians`);
const rows: string[][] = [];
const summary: string[] = [];
for (const alg of ['ES256', 'EdDSA', 'RS256'] as const) {
  const fixture = await makeFixture(alg);
  const results = new Map<Case, number[]>(cases.map((name) => [name, []]));
  for (let round = 0; round <= rounds; round += 1) {
    for (let offset = 0; offset < cases.length; offset += 1) {
      const which = cases[(round + offset) % cases.length]!;
      const opsPerSecond = await measure(fixture, which);
      if (round > 0) results.get(which)!.push(opsPerSecond);
    }
  }
  const jose = median(results.get('jose jwtVerify (jwks)')!);
  for (const name of cases) {
    const values = results.get(name)!;
    rows.push([alg, name, formatRate(median(values), '/s'), `${(median(values) / jose).toFixed(2)}x`, `±${spreadPercent(values).toFixed(0)}%`]);
  }
  const hit = median(results.get('sdk seen before')!);
  const miss = median(results.get('sdk never seen')!);
  summary.push(
    `${alg}: seen-before ${formatRate(hit, '/s')} (target >= 200,000/s: ${hit >= 200_000 ? 'met' : 'MISSED'}); ` +
      `never-seen / jose = ${(miss / jose).toFixed(2)} (target >= 0.80: ${miss / jose >= 0.8 ? 'met' : 'MISSED'})`,
  );
}
console.log(renderTable(['alg', 'case', 'ops/s', 'vs jose (jwks)', 'spread'], rows, new Set([2, 3, 4])));
console.log(summary.join('\n'));
