import type { Selectable } from 'kysely';
import type { AuthorizationCodeRecord, AuthorizationCodeStore } from '../../../core/ports.ts';
import { ms, msOrNull, type Db } from '../rows.ts';
import type { AuthorizationCodesTable } from '../schema.ts';

function toRecord(row: Selectable<AuthorizationCodesTable>): AuthorizationCodeRecord {
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
    createdAtMs: ms(row.created_at_ms),
    expiresAtMs: ms(row.expires_at_ms),
    usedAtMs: msOrNull(row.used_at_ms),
    refreshFamilyId: row.refresh_family_id,
    accessTokenJti: row.access_token_jti,
    accessTokenExpiresAtMs: msOrNull(row.access_token_expires_at_ms),
  };
}

/** Authorization codes over kysely (hashes only). */
export function sqlAuthorizationCodes(db: Db): AuthorizationCodeStore {
  return {
    async insert(code) {
      await db
        .insertInto('authorization_codes')
        .values({
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
          created_at_ms: code.createdAtMs,
          expires_at_ms: code.expiresAtMs,
          used_at_ms: code.usedAtMs,
          refresh_family_id: code.refreshFamilyId,
          access_token_jti: code.accessTokenJti,
          access_token_expires_at_ms: code.accessTokenExpiresAtMs,
          keep_until_ms: Math.max(code.expiresAtMs, code.accessTokenExpiresAtMs ?? 0),
        })
        .execute();
    },
    async findByHash(codeHash) {
      const row = await db.selectFrom('authorization_codes').selectAll().where('code_hash', '=', codeHash).executeTakeFirst();
      return row === undefined ? null : toRecord(row);
    },
    async markUsed(codeHash, usedAtMs) {
      // Conditional on "still unused", so of two exchanges racing, exactly one wins.
      const result = await db.updateTable('authorization_codes').set({ used_at_ms: usedAtMs }).where('code_hash', '=', codeHash).where('used_at_ms', 'is', null).executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
    async recordIssued(codeHash, issued) {
      await db
        .updateTable('authorization_codes')
        .set((eb) => ({
          refresh_family_id: issued.refreshFamilyId,
          access_token_jti: issued.accessTokenJti,
          access_token_expires_at_ms: issued.accessTokenExpiresAtMs,
          keep_until_ms: eb.case().when('expires_at_ms', '>', issued.accessTokenExpiresAtMs).then(eb.ref('expires_at_ms')).else(issued.accessTokenExpiresAtMs).end(),
        }))
        .where('code_hash', '=', codeHash)
        .execute();
    },
    async deleteExpired(nowMs) {
      const result = await db.deleteFrom('authorization_codes').where('keep_until_ms', '<=', nowMs).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
