/** The storage ports of passkeys (WebAuthn credentials) and of the ceremonies that create and use them. */

/** Whether the passkey can leave the device: synced by a passkey provider, or bound to one authenticator. */
export type PasskeyDeviceType = 'singleDevice' | 'multiDevice';

/** A registered passkey. Its public key is public; nothing here is a secret. */
export interface PasskeyCredential {
  /** Our own id, for the account page and the API (`/v1/me/passkeys/{id}`). */
  id: string;
  userId: string;
  /** The authenticator's credential id, base64url. Unique across all accounts (docs/security.md SEC-178). */
  credentialId: string;
  /** The COSE public key, as verified at registration by @simplewebauthn/server. */
  publicKey: Uint8Array;
  /** The last signature counter seen; a lower one later means a cloned authenticator. */
  counter: number;
  /** Transports the browser reported (`internal`, `hybrid`, `usb`...), handed back as hints. */
  transports: string[];
  /** `multiDevice`: backup eligible (a synced passkey); `singleDevice`: device-bound. */
  deviceType: PasskeyDeviceType;
  /** The backup state flag at the last use. */
  backedUp: boolean;
  /** The name the user gave it. */
  name: string;
  createdAtMs: number;
  lastUsedAtMs: number | null;
}

export interface PasskeyStore {
  /** Inserts the passkey; a credential id already registered (to anyone) is an expected outcome. */
  create(credential: PasskeyCredential): Promise<'created' | 'credential_taken'>;
  findByCredentialId(credentialId: string): Promise<PasskeyCredential | null>;
  /** The user's passkeys, oldest first. */
  listByUser(userId: string): Promise<PasskeyCredential[]>;
  /**
   * Records a verified use: the new counter, backup state and time, only while the stored counter
   * is still `expectedCounter`. False when another use got there first, so of two uses verified
   * against the same counter at once only one is accepted.
   */
  recordUse(id: string, use: { expectedCounter: number; counter: number; backedUp: boolean; atMs: number }): Promise<boolean>;
  /** Renames it only when it belongs to `userId`. */
  rename(userId: string, id: string, name: string): Promise<boolean>;
  /** Deletes it only when it belongs to `userId`. */
  delete(userId: string, id: string): Promise<boolean>;
}

/** What a ceremony is for; a challenge issued for one purpose is refused for every other. */
export type PasskeyCeremonyPurpose = 'register' | 'login' | 'second_factor' | 'signup';

/**
 * A WebAuthn challenge waiting for its answer. Keyed on SHA-256 of the ceremony cookie's secret,
 * so the record alone cannot be used; `bindingHash` ties it to what asked (a session, a pending
 * login, a sign-up link). The challenge itself is public (the browser signs it).
 */
export interface PasskeyChallenge {
  idHash: Uint8Array;
  purpose: PasskeyCeremonyPurpose;
  /** The account the ceremony is for (the new account's id for a sign-up); null for a passwordless login. */
  userId: string | null;
  /** SHA-256 of the session id, pending-login token or sign-up token that asked; null for a passwordless login. */
  bindingHash: Uint8Array | null;
  /** base64url, as sent in the options. */
  challenge: string;
  createdAtMs: number;
  expiresAtMs: number;
}

export interface PasskeyChallengeStore {
  insert(challenge: PasskeyChallenge): Promise<void>;
  /** Returns it without removing it (the passkey login reads it first and takes it with the counter write). */
  find(idHash: Uint8Array): Promise<PasskeyChallenge | null>;
  /** Removes and returns it in one step: of two calls with one hash, at most one gets it (single use). */
  take(idHash: Uint8Array): Promise<PasskeyChallenge | null>;
  deleteExpired(nowMs: number): Promise<number>;
}
