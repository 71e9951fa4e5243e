/**
 * The algorithms Gatehouse signs with. EdDSA (Ed25519) is the default, chosen by measuring jose 6
 * on this machine (see the JWT issue's note): it signs fastest (~9k/s vs ES256 ~6k/s and RS256
 * ~2k/s; every refresh signs), verifies about as fast as ES256 and makes the smallest tokens.
 * ES256 and RS256 stay available for verifiers that lack Ed25519.
 */
export const signingAlgorithms = ['EdDSA', 'ES256', 'RS256'] as const;
export type SigningAlgorithm = (typeof signingAlgorithms)[number];
