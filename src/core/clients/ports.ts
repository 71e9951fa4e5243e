/** The storage port of OAuth clients (the apps that ask Gatehouse for tokens). */

export type ClientType = 'public' | 'confidential';
export type GrantType = 'password' | 'refresh_token' | 'session';
/**
 * Where the token endpoint puts a client's refresh token. `body`: in the JSON response (servers,
 * native apps). `cookie`: only in an HttpOnly `__Host-` cookie, never where a script can read it
 * (browser apps; public clients only).
 */
export type RefreshTokenDelivery = 'body' | 'cookie';

/** An OAuth client: an app that asks Gatehouse for tokens. */
export interface Client {
  id: string;
  name: string;
  type: ClientType;
  /** SHA-256 (base64url) of the client secret, confidential clients only: the secret is 256 random bits. */
  secretHash: string | null;
  grantTypes: GrantType[];
  /** The `aud` of the access tokens it receives: the API they are for. */
  audience: string;
  refreshTokenDelivery: RefreshTokenDelivery;
  createdAtMs: number;
}

export interface ClientStore {
  create(client: Client): Promise<'created' | 'id_taken'>;
  findById(id: string): Promise<Client | null>;
  list(): Promise<Client[]>;
  delete(id: string): Promise<boolean>;
}
