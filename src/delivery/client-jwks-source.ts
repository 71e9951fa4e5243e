import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { createRemoteJWKSet, customFetch, type JWTVerifyGetKey } from 'jose';
import type { ClientJwksSource } from '../core/ports.ts';
import { createAddressPolicy } from './address-policy.ts';

export interface ClientJwksSourceOptions {
  /** The networks outgoing requests may reach although not public (the delivery setting; dev mode adds loopback). */
  allowedNetworks: readonly string[];
  /** One fetch, DNS to last byte, at most this long. */
  timeoutMs: number;
  /** A JWKS larger than this is refused. */
  maxBytes: number;
  /** How many clients' key sets are kept (least recently used goes first). */
  maxKeySets: number;
}

/**
 * Fetches the JWKS of a private_key_jwt client's `jwks_uri` (RFC 7523), with jose's remote key
 * set: cached 10 minutes, an unknown `kid` refetched at most every 30 seconds, each fetch timed out.
 * The fetch itself goes through the same address policy as webhooks (docs/security.md SEC-285):
 * https only (plain http only to an allowed loopback address: dev mode and tests), every address
 * the name resolves to must be allowed, no redirect is followed, and the body is cut at `maxBytes`.
 * The address is checked at lookup and the request then made by name, so a DNS answer that
 * changes between the two (rebinding) is not caught here; JWKS URIs are registered by operators.
 *
 * @example
 * const clientJwks = createClientJwksSource({ allowedNetworks: [], timeoutMs: 5_000, maxBytes: 64 * 1024, maxKeySets: 1_000 });
 */
export function createClientJwksSource(options: ClientJwksSourceOptions): ClientJwksSource {
  const policy = createAddressPolicy(options.allowedNetworks);
  const keySets = new Map<string, JWTVerifyGetKey>();

  async function checkedFetch(input: string | URL | Request, init?: RequestInit): Promise<Response> {
    const url = new URL(input instanceof Request ? input.url : input);
    const plainHttp = url.protocol === 'http:';
    if ((!plainHttp && url.protocol !== 'https:') || url.username !== '' || url.password !== '') throw new Error('jwks_uri not allowed');
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const addresses = isIP(host) === 0 ? (await lookup(host, { all: true, verbatim: true })).map((a) => a.address) : [host];
    for (const address of addresses) {
      if (policy.refusal(address) !== null || (plainHttp && !policy.isLoopback(address))) throw new Error('jwks_uri address not allowed');
    }
    const response = await fetch(url, { ...init, redirect: 'manual', signal: init?.signal ?? AbortSignal.timeout(options.timeoutMs) });
    if (response.status !== 200) throw new Error(`jwks_uri answered ${response.status}`);
    const reader = response.body?.getReader();
    const chunks: Uint8Array[] = [];
    let size = 0;
    for (;;) {
      const next = reader === undefined ? { done: true as const, value: undefined } : await reader.read();
      if (next.done) break;
      size += next.value.byteLength;
      if (size > options.maxBytes) {
        await reader?.cancel();
        throw new Error('jwks_uri answer too large');
      }
      chunks.push(next.value);
    }
    return new Response(Buffer.concat(chunks), { status: 200, headers: { 'content-type': 'application/json' } });
  }

  return {
    keySetFor(jwksUri: string): JWTVerifyGetKey {
      let keySet = keySets.get(jwksUri);
      if (keySet !== undefined) {
        keySets.delete(jwksUri);
      } else {
        keySet = createRemoteJWKSet(new URL(jwksUri), { cacheMaxAge: 10 * 60_000, cooldownDuration: 30_000, timeoutDuration: options.timeoutMs, [customFetch]: checkedFetch });
      }
      keySets.set(jwksUri, keySet);
      if (keySets.size > options.maxKeySets) keySets.delete(keySets.keys().next().value as string);
      return keySet;
    },
  };
}
