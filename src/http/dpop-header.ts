import type { FastifyRequest } from 'fastify';
import type { CoreDeps } from '../core/deps.ts';
import { AuthError } from '../core/errors.ts';
import { verifyDpopProof, type VerifiedDpopProof } from '../core/dpop/verify-dpop-proof.ts';

/**
 * The request's DPoP proof (RFC 9449 5), verified for `url`, or null without a `DPoP` header:
 * then no store is touched, so a request without DPoP costs what it did before. Repeated headers
 * arrive joined by a comma, which no compact JWS contains, so they are refused as malformed.
 *
 * @example
 * const proof = await dpopProofOf(deps, request, `${deps.issuer}/v1/token`);
 */
export async function dpopProofOf(deps: CoreDeps, request: FastifyRequest, url: string): Promise<VerifiedDpopProof | null> {
  const header = request.headers.dpop;
  if (header === undefined) return null;
  if (typeof header !== 'string') throw new AuthError('invalid_dpop_proof', { detail: 'Send one DPoP header.' });
  return verifyDpopProof(deps, { proof: header, method: request.method, url });
}
