/**
 * The standards each trace step follows: where it is written, and why, in one line. The
 * inspector links every step to its entry, so reading a login teaches where each rule comes from.
 */
export interface TeachingReference {
  /** e.g. "RFC 6265bis §4.1.3.2". */
  cite: string;
  url: string;
  why: string;
}

const rfc = (n: number, section: string): string => `https://www.rfc-editor.org/rfc/rfc${String(n)}#section-${section}`;
const bis = 'https://datatracker.ietf.org/doc/html/draft-ietf-httpbis-rfc6265bis#section-';
const nist = 'https://pages.nist.gov/800-63-4/sp800-63b.html';

export const teaching = {
  'cookie-host-prefix': { cite: 'RFC 6265bis §4.1.3.2', url: `${bis}4.1.3.2`, why: 'A __Host- cookie must be Secure, Path=/ and carry no Domain, so no subdomain can set or overwrite it.' },
  'cookie-secure-prefix': { cite: 'RFC 6265bis §4.1.3.1', url: `${bis}4.1.3.1`, why: 'A __Secure- cookie must be Secure; it may name a Domain, so sibling subdomains share it (opt-in forward auth).' },
  'cookie-httponly': { cite: 'RFC 6265 §4.1.2.6', url: rfc(6265, '4.1.2.6'), why: 'HttpOnly keeps the cookie from scripts, so a cross-site scripting bug cannot read it.' },
  'cookie-samesite-lax': { cite: 'RFC 6265bis §5.6.7', url: `${bis}5.6.7`, why: 'SameSite=Lax: not sent on cross-site POSTs or sub-requests (a second layer against CSRF), yet sent on a top-level link, so links into the app keep you signed in.' },
  'cookie-samesite-strict': { cite: 'RFC 6265bis §5.6.7', url: `${bis}5.6.7`, why: 'SameSite=Strict: never sent on any cross-site request, not even a link; for cookies no link from elsewhere needs.' },
  'cookie-cleared': { cite: 'RFC 6265 §3.1', url: rfc(6265, '3.1'), why: 'An expiry in the past tells the browser to delete the cookie now.' },
  'csrf-origin': { cite: 'W3C Fetch Metadata §2.1', url: 'https://www.w3.org/TR/fetch-metadata/#sec-fetch-site-header', why: 'The browser itself says where a request came from (Sec-Fetch-Site, then Origin); a cross-site request may not change state.' },
  'session-token': { cite: 'OWASP ASVS 5.0 V7.2', url: 'https://github.com/OWASP/ASVS/blob/master/5.0/en/0x16-V7-Session-Management.md', why: 'The cookie is id.secret with 256 random bits; only SHA-256 of the secret is stored and compared in constant time, so a database leak holds no usable session.' },
  'session-timeouts': { cite: 'NIST SP 800-63B §7.1', url: `${nist}#session`, why: 'An idle limit and an absolute limit bound how long a stolen session stays useful.' },
  'session-logout': { cite: 'OWASP ASVS 5.0 V7.4', url: 'https://github.com/OWASP/ASVS/blob/master/5.0/en/0x16-V7-Session-Management.md', why: 'Logout deletes the row on the server, so the cookie is worthless even if a copy is kept.' },
  'password-hash': { cite: 'RFC 9106 §4', url: rfc(9106, '4'), why: 'argon2id is memory-hard: every guess against a stolen hash costs memory as well as time.' },
  throttle: { cite: 'NIST SP 800-63B §3.2.2', url: `${nist}#throttle`, why: 'Failed attempts are limited per account and per IP address, so online guessing stays slow.' },
  'second-factor': { cite: 'NIST SP 800-63B §2.2', url: `${nist}#aal2`, why: 'A second, different factor: a stolen password alone does not log anyone in.' },
  totp: { cite: 'RFC 6238 §5.2', url: rfc(6238, '5.2'), why: 'A code is valid for one 30 s step (and its neighbour for clock drift), and each step is accepted once.' },
  'one-time-link': { cite: 'OWASP Forgot Password Cheat Sheet', url: 'https://cheatsheetseries.owasp.org/cheatsheets/Forgot_Password_Cheat_Sheet.html', why: 'Links are random, single use, expiring, and stored only as hashes.' },
  'jwt-access-token': { cite: 'RFC 9068 §2', url: rfc(9068, '2'), why: 'A JWT access token names its issuer, audience, subject, client and expiry, typed at+jwt so no other JWT passes for it.' },
  'jwt-validation': { cite: 'RFC 8725 §3.1', url: rfc(8725, '3.1'), why: 'A verifier pins the algorithm and checks the signature, iss, aud, exp and typ: never trusts the header to choose.' },
  'refresh-rotation': { cite: 'RFC 9700 §4.14.2', url: rfc(9700, '4.14.2'), why: 'Each refresh gives a new refresh token; presenting a used one revokes the whole family, so a stolen copy dies.' },
  revocation: { cite: 'RFC 7009 §2', url: rfc(7009, '2'), why: 'A revoked token or session is refused from now on; APIs learn it through the revocation feed.' },
  'oauth-state': { cite: 'RFC 6749 §10.12', url: rfc(6749, '10.12'), why: 'state ties the callback to the browser that started the login: a forged callback is refused (login CSRF).' },
  pkce: { cite: 'RFC 7636 §4.2', url: rfc(7636, '4.2'), why: 'Only the S256 challenge travels in the URL; the verifier goes straight to the token endpoint, so a stolen code is useless.' },
  'oidc-id-token': { cite: 'OpenID Connect Core §3.1.3.7', url: 'https://openid.net/specs/openid-connect-core-1_0.html#IDTokenValidation', why: "The ID token's signature, issuer, audience, expiry and nonce are checked before anyone is logged in." },
  'oidc-nonce': { cite: 'OpenID Connect Core §15.5.2', url: 'https://openid.net/specs/openid-connect-core-1_0.html#NonceNotes', why: 'The nonce ties the ID token to this login, so a replayed token is refused.' },
  'client-authentication': { cite: 'RFC 6749 §2.3.1', url: rfc(6749, '2.3.1'), why: 'A confidential client proves itself at the token endpoint; its secret is stored only as a hash.' },
  // For the OpenID Provider's operations (issue 13): their steps link here.
  'authorization-code': { cite: 'RFC 6749 §4.1.2', url: rfc(6749, '4.1.2'), why: 'An authorization code is short-lived and single use; a second use revokes what the first one issued.' },
  'oidc-authorize': { cite: 'OpenID Connect Core §3.1.2.1', url: 'https://openid.net/specs/openid-connect-core-1_0.html#AuthRequest', why: 'The client, redirect URI, scope and PKCE challenge are checked before anyone is asked to log in or consent.' },
  'oidc-id-token-issued': { cite: 'OpenID Connect Core §2', url: 'https://openid.net/specs/openid-connect-core-1_0.html#IDToken', why: 'The ID token tells the client who logged in, when and how (iss, sub, aud, exp, iat, auth_time, nonce, amr).' },
  dpop: { cite: 'RFC 9449 §4.3', url: rfc(9449, '4.3'), why: 'A DPoP proof binds the token to a key the client holds, so a stolen token alone is useless.' },
  'backchannel-logout': { cite: 'OpenID Connect Back-Channel Logout §2.5', url: 'https://openid.net/specs/openid-connect-backchannel-1_0.html#BCRequest', why: 'Each client of the ended session is told directly, server to server, so it ends its own session too.' },
  webauthn: { cite: 'W3C WebAuthn L3 §7.2', url: 'https://www.w3.org/TR/webauthn-3/#sctn-verifying-assertion', why: 'The challenge, origin, RP ID hash and signature are checked; the signature counter exposes a cloned authenticator.' },
} as const satisfies Record<string, TeachingReference>;

export type TeachingKey = keyof typeof teaching;
