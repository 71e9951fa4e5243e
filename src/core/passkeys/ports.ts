/** The storage ports of passkeys (WebAuthn credentials) and of the ceremonies that create and use them. */
import type { User } from '../accounts/ports.ts';

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
  /** The passkey with its account, read together (one lookup per passkey answer); null when either is missing. */
  findWithUser(credentialId: string): Promise<{ passkey: PasskeyCredential; user: User } | null>;
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
export type PasskeyCeremonyPurpose = 'register' | 'login' | 'second_factor' | 'signup' | 'reauth';

/**
 * The ceremonies already answered. A ceremony starts without a write (core/passkeys/ceremony.ts:
 * its challenge travels in a MAC'd cookie); its answer records it here, keyed on its expiry and
 * its challenge's SHA-256, so it is answered once (docs/security.md SEC-170, SEC-190). The MAC
 * covers the challenge and the expiry together, so one challenge only ever comes with one expiry.
 */
export interface UsedPasskeyChallengeStore {
  /** Records the ceremony as answered until `expiresAtMs`; false when it already was (of two calls with one hash and expiry, one gets true). */
  claim(challengeHash: Uint8Array, expiresAtMs: number): Promise<boolean>;
  deleteExpired(nowMs: number): Promise<number>;
}
