/**
 * The algorithms Gatehouse signs with. ES256 is the default because every mainstream JWT library
 * verifies it: `jsonwebtoken` + `jwks-rsa` and `fast-jwt` + `get-jwks` refuse Ed25519 keys
 * ("Unknown key type ed25519", "Unsupported key type OKP"), so EdDSA tokens would lock those APIs
 * out. EdDSA (fastest to sign, smallest tokens) and RS256 (for verifiers without EC) stay available
 * by setting; test/interop/jwt-libraries.test.ts verifies each with those libraries.
 */
export const signingAlgorithms = ['ES256', 'EdDSA', 'RS256'] as const;
export type SigningAlgorithm = (typeof signingAlgorithms)[number];

/** The algorithm a new install signs with. */
export const defaultSigningAlgorithm: SigningAlgorithm = 'ES256';
