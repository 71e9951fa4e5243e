import type { Selectable } from 'kysely';
import type { AuthorizationCodeRecord, AuthorizationCodeStore } from '../../../core/ports.ts';
import { ms, msOrNull, rowFromValues, type Db } from '../rows.ts';
import type { AuthorizationCodesTable } from '../schema.ts';

/** Every column, in the order `findByHash` selects them (a fast path reads the row as an array in this order). */
export const codeColumns = [
  'code_hash',
  'client_id',
  'user_id',
  'session_id',
  'redirect_uri',
  'scope',
  'nonce',
  'code_challenge',
  'auth_time_ms',
  'amr',
  'acr',
  'id_token_claims',
  'dpop_jkt',
  'created_at_ms',
  'expires_at_ms',
  'used_at_ms',
  'refresh_family_id',
  'access_token_jti',
  'access_token_expires_at_ms',
  'keep_until_ms',
] as const satisfies readonly (keyof AuthorizationCodesTable)[];

export function toCodeRecord(row: Selectable<AuthorizationCodesTable>): AuthorizationCodeRecord {
  return {
    codeHash: new Uint8Array(row.code_hash),
    clientId: row.client_id,
    userId: row.user_id,
    sessionId: row.session_id,
    redirectUri: row.redirect_uri,
    scope: row.scope,
    nonce: row.nonce,
    codeChallenge: row.code_challenge,
    authTimeMs: ms(row.auth_time_ms),
    amr: JSON.parse(row.amr) as string[],
    acr: row.acr,
    idTokenClaims: row.id_token_claims === null ? [] : row.id_token_claims.split(' '),
    dpopJkt: row.dpop_jkt,
    createdAtMs: ms(row.created_at_ms),
    expiresAtMs: ms(row.expires_at_ms),
    usedAtMs: msOrNull(row.used_at_ms),
    refreshFamilyId: row.refresh_family_id,
    accessTokenJti: row.access_token_jti,
    accessTokenExpiresAtMs: msOrNull(row.access_token_expires_at_ms),
  };
}

export function toCodeRow(code: AuthorizationCodeRecord): AuthorizationCodesTable {
  return {
    code_hash: code.codeHash,
    client_id: code.clientId,
    user_id: code.userId,
    session_id: code.sessionId,
    redirect_uri: code.redirectUri,
    scope: code.scope,
    nonce: code.nonce,
    code_challenge: code.codeChallenge,
    auth_time_ms: code.authTimeMs,
    amr: JSON.stringify(code.amr),
    acr: code.acr,
    id_token_claims: code.idTokenClaims.length === 0 ? null : code.idTokenClaims.join(' '),
    dpop_jkt: code.dpopJkt,
    created_at_ms: code.createdAtMs,
    expires_at_ms: code.expiresAtMs,
    used_at_ms: code.usedAtMs,
    refresh_family_id: code.refreshFamilyId,
    access_token_jti: code.accessTokenJti,
    access_token_expires_at_ms: code.accessTokenExpiresAtMs,
    keep_until_ms: Math.max(code.expiresAtMs, code.accessTokenExpiresAtMs ?? 0),
  };
}

/** The same from a row read as an array (in `codeColumns` order), as SQLite's fast path reads it: no object of 20 named properties per lookup. */
export function codeRecordFromValues(values: readonly unknown[]): AuthorizationCodeRecord {
  return toCodeRecord(rowFromValues<Selectable<AuthorizationCodesTable>>(codeColumns, values));
}

/** What `consume` writes besides `used_at_ms`: what the exchange issues. */
export interface ConsumeValues {
  used_at_ms: number;
  refresh_family_id: string | null;
  access_token_jti: string;
  access_token_expires_at_ms: number;
}

/** The code flow's statements, which SQLite's fast path also runs (prepared once, sqlite-openid-statements.ts): written once, here. */
export const authorizationCodeQueries = {
  insert: (db: Db, row: AuthorizationCodesTable) => db.insertInto('authorization_codes').values(row),
  findByHash: (db: Db, codeHash: Uint8Array) => db.selectFrom('authorization_codes').select(codeColumns).where('code_hash', '=', codeHash),
  /**
   * Spends the code and records what the exchange issues, in one statement, only while it is
   * unused: of two exchanges racing, exactly one updates the row. The record is kept until the
   * access token has expired too (`keep_until_ms`), so a late second use still revokes it.
   */
  consume: (db: Db, codeHash: Uint8Array, values: ConsumeValues) =>
    db
      .updateTable('authorization_codes')
      .set((eb) => ({
        used_at_ms: values.used_at_ms,
        refresh_family_id: values.refresh_family_id,
        access_token_jti: values.access_token_jti,
        access_token_expires_at_ms: values.access_token_expires_at_ms,
        keep_until_ms: eb.case().when('expires_at_ms', '>', values.access_token_expires_at_ms).then(eb.ref('expires_at_ms')).else(values.access_token_expires_at_ms).end(),
      }))
      .where('code_hash', '=', codeHash)
      .where('used_at_ms', 'is', null),
};

/** Authorization codes over kysely (hashes only). */
export function sqlAuthorizationCodes(db: Db): AuthorizationCodeStore {
  return {
    async insert(code) {
      await authorizationCodeQueries.insert(db, toCodeRow(code)).execute();
    },
    async findByHash(codeHash) {
      const row = await authorizationCodeQueries.findByHash(db, codeHash).executeTakeFirst();
      return row === undefined ? null : toCodeRecord(row);
    },
    async consume(codeHash, usedAtMs, issued) {
      const values = { used_at_ms: usedAtMs, refresh_family_id: issued.refreshFamilyId, access_token_jti: issued.accessTokenJti, access_token_expires_at_ms: issued.accessTokenExpiresAtMs };
      const result = await authorizationCodeQueries.consume(db, codeHash, values).executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
    async deleteExpired(nowMs) {
      const result = await db.deleteFrom('authorization_codes').where('keep_until_ms', '<=', nowMs).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
