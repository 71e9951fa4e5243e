import type { OAuthProvider } from './connect-provider.ts';

/** What social login needs beyond CoreDeps. Built once by main.ts (or a test). */
export interface OAuthDeps {
  /** Connected providers by id, in the order they are shown. */
  providers: ReadonlyMap<string, OAuthProvider>;
  /** `{publicUrl}/v1/oauth/{id}/callback` is the redirect URI. */
  publicUrl: string;
  /** HMAC key from which each flow's state, nonce and PKCE verifier are derived (see flow-secrets.ts). */
  flowKey: Uint8Array;
  /** A flow not finished within this long is refused (10 minutes). */
  flowTtlMs: number;
  /**
   * `verified-email`: an identity whose provider asserts a verified email that belongs to an
   * existing account is linked to it and logs in. `never`: the user must log in and link it
   * from /account (the default: docs/security.md SEC-40).
   */
  linkByEmail: 'verified-email' | 'never';
  /** Keys the provider's tokens are encrypted under (first encrypts); null: the tokens are not kept. */
  providerTokenKeys: readonly Uint8Array[] | null;
}

/** `{publicUrl}/v1/oauth/{id}/callback`: registered at the provider, printed at start-up. */
export function redirectUri(publicUrl: string, providerId: string): string {
  return `${publicUrl}/v1/oauth/${providerId}/callback`;
}
