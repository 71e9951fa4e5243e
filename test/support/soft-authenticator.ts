import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import type { AuthenticationResponseJSON, PublicKeyCredentialCreationOptionsJSON, PublicKeyCredentialRequestOptionsJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import { isoCBOR } from '@simplewebauthn/server/helpers';

/**
 * A software WebAuthn authenticator for tests and the bench: ES256 (P-256) keys made with
 * node:crypto, `none` attestation, a signature counter it keeps per credential, and flags the
 * test chooses (user verification, backup). It builds what a browser would send; Gatehouse
 * parses and checks it only through @simplewebauthn/server. Test tooling, never product code.
 *
 * @example
 * const authenticator = createSoftAuthenticator({ origin: 'https://auth.test' });
 * const response = authenticator.register(options);
 * const assertion = authenticator.assert(loginOptions);
 */
export interface SoftCredential {
  id: string;
  userHandle: string;
  privateKey: KeyObject;
  counter: number;
}

export interface SoftAuthenticatorOptions {
  origin: string;
  /** Defaults to the origin's host. */
  rpId?: string;
  /** Backup eligible and backed up (a synced passkey); default false (device-bound). */
  synced?: boolean;
}

export interface AssertOptions {
  /** Which credential; default the last one registered. */
  credential?: SoftCredential;
  /** The UV flag; default true. */
  userVerified?: boolean;
  /** Sign from another origin (a phishing page). */
  origin?: string;
  /** Send this counter instead of the next one (a cloned authenticator). */
  counter?: number;
  /** Leave the counter at 0 forever (many platform authenticators do). */
  zeroCounter?: boolean;
}

const sha256 = (data: Uint8Array | string): Buffer => createHash('sha256').update(data).digest();
const b64url = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64url');

function flagsByte(options: { userVerified: boolean; synced: boolean; attested: boolean }): number {
  // UP, UV, BE, BS, AT (WebAuthn §6.1).
  return 0x01 | (options.userVerified ? 0x04 : 0) | (options.synced ? 0x08 | 0x10 : 0) | (options.attested ? 0x40 : 0);
}

function counterBytes(counter: number): Buffer {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32BE(counter);
  return bytes;
}

export function createSoftAuthenticator(options: SoftAuthenticatorOptions) {
  const rpId = options.rpId ?? new URL(options.origin).hostname;
  const synced = options.synced ?? false;
  const credentials: SoftCredential[] = [];

  return {
    credentials,
    /** Answers registration options: a new discoverable credential with user verification. */
    register(creation: PublicKeyCredentialCreationOptionsJSON, registerOptions: { userVerified?: boolean; origin?: string; credentialId?: Uint8Array } = {}): RegistrationResponseJSON {
      const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const jwk = publicKey.export({ format: 'jwk' });
      const cose = isoCBOR.encode(
        new Map<number, number | Uint8Array>([
          [1, 2],
          [3, -7],
          [-1, 1],
          [-2, new Uint8Array(Buffer.from(jwk.x as string, 'base64url'))],
          [-3, new Uint8Array(Buffer.from(jwk.y as string, 'base64url'))],
        ]),
      );
      const credentialId = registerOptions.credentialId ?? new Uint8Array(randomBytes(16));
      const idLength = Buffer.alloc(2);
      idLength.writeUInt16BE(credentialId.length);
      const authData = Buffer.concat([
        sha256(rpId),
        Buffer.from([flagsByte({ userVerified: registerOptions.userVerified ?? true, synced, attested: true })]),
        counterBytes(0),
        Buffer.alloc(16),
        idLength,
        credentialId,
        cose,
      ]);
      const attestationObject = isoCBOR.encode(new Map<string, string | Map<string, string> | Uint8Array>([['fmt', 'none'], ['attStmt', new Map<string, string>()], ['authData', new Uint8Array(authData)]]));
      const clientDataJSON = JSON.stringify({ type: 'webauthn.create', challenge: creation.challenge, origin: registerOptions.origin ?? options.origin, crossOrigin: false });
      const id = b64url(credentialId);
      credentials.push({ id, userHandle: creation.user.id, privateKey, counter: 0 });
      return {
        id,
        rawId: id,
        type: 'public-key',
        clientExtensionResults: {},
        authenticatorAttachment: 'platform',
        response: { clientDataJSON: b64url(Buffer.from(clientDataJSON)), attestationObject: b64url(attestationObject), transports: ['internal'] },
      };
    },
    /** Answers authentication options with a signed assertion (counter + 1 unless told otherwise). */
    assert(request: PublicKeyCredentialRequestOptionsJSON, assertOptions: AssertOptions = {}): AuthenticationResponseJSON {
      const credential = assertOptions.credential ?? credentials.at(-1);
      if (credential === undefined) throw new Error('the soft authenticator holds no credential');
      if (assertOptions.counter !== undefined) credential.counter = assertOptions.counter;
      else if (assertOptions.zeroCounter !== true) credential.counter += 1;
      const authData = Buffer.concat([sha256(rpId), Buffer.from([flagsByte({ userVerified: assertOptions.userVerified ?? true, synced, attested: false })]), counterBytes(credential.counter)]);
      const clientDataJSON = Buffer.from(JSON.stringify({ type: 'webauthn.get', challenge: request.challenge, origin: assertOptions.origin ?? options.origin, crossOrigin: false }));
      const signature = sign('sha256', Buffer.concat([authData, sha256(clientDataJSON)]), credential.privateKey);
      return {
        id: credential.id,
        rawId: credential.id,
        type: 'public-key',
        clientExtensionResults: {},
        authenticatorAttachment: 'platform',
        response: { clientDataJSON: b64url(clientDataJSON), authenticatorData: b64url(authData), signature: b64url(signature), userHandle: credential.userHandle },
      };
    },
  };
}

export type SoftAuthenticator = ReturnType<typeof createSoftAuthenticator>;
