import { createHash, randomUUID } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';

/** A DPoP key pair as a client holds it, with its public JWK and RFC 7638 thumbprint. */
export interface DpopKey {
  privateKey: CryptoKey;
  publicJwk: JWK;
  jkt: string;
  alg: string;
}

export async function dpopKey(alg = 'ES256'): Promise<DpopKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const publicJwk = await exportJWK(publicKey);
  return { privateKey, publicJwk, jkt: await calculateJwkThumbprint(publicJwk, 'sha256'), alg };
}

export interface ProofFields {
  htm: string;
  htu: string;
  /** Seconds since the epoch; default now by `nowMs`. */
  iat?: number;
  jti?: string;
  /** The access token whose hash goes in `ath`. */
  accessToken?: string;
  /** Overrides for attacks. */
  typ?: string;
  jwk?: Record<string, unknown>;
  omit?: readonly string[];
}

/** A DPoP proof (RFC 9449 4.2) signed by `key`, built the way a client would, with hooks for attacks. */
export async function dpopProof(key: DpopKey, fields: ProofFields, nowMs = Date.now()): Promise<string> {
  const claims: Record<string, unknown> = {
    htm: fields.htm,
    htu: fields.htu,
    iat: fields.iat ?? Math.floor(nowMs / 1000),
    jti: fields.jti ?? randomUUID(),
  };
  if (fields.accessToken !== undefined) claims['ath'] = createHash('sha256').update(fields.accessToken).digest('base64url');
  for (const name of fields.omit ?? []) delete claims[name];
  return new SignJWT(claims).setProtectedHeader({ alg: key.alg, typ: fields.typ ?? 'dpop+jwt', jwk: (fields.jwk ?? key.publicJwk) as JWK }).sign(key.privateKey);
}
