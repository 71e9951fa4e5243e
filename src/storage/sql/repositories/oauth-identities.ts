import type { Selectable } from 'kysely';
import type { OAuthIdentity, OAuthIdentityStore } from '../../../core/ports.ts';
import { ms, type Db } from '../rows.ts';
import type { OAuthIdentitiesTable } from '../schema.ts';

function toIdentity(row: Selectable<OAuthIdentitiesTable>): OAuthIdentity {
  return {
    id: row.id,
    userId: row.user_id,
    provider: row.provider,
    issuer: row.issuer,
    subject: row.subject,
    email: row.email,
    createdAtMs: ms(row.created_at_ms),
    lastLoginAtMs: ms(row.last_login_at_ms),
    tokensJwe: row.tokens_jwe,
  };
}

/** Linked social-login identities over kysely; (issuer, subject) is unique. */
export function sqlOAuthIdentities(db: Db): OAuthIdentityStore {
  return {
    async create(identity) {
      const result = await db
        .insertInto('oauth_identities')
        .values({
          id: identity.id,
          user_id: identity.userId,
          provider: identity.provider,
          issuer: identity.issuer,
          subject: identity.subject,
          email: identity.email,
          created_at_ms: identity.createdAtMs,
          last_login_at_ms: identity.lastLoginAtMs,
          tokens_jwe: identity.tokensJwe,
        })
        .onConflict((oc) => oc.columns(['issuer', 'subject']).doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0) === 1 ? 'created' : 'subject_taken';
    },
    async findBySubject(issuer, subject) {
      const row = await db.selectFrom('oauth_identities').selectAll().where('issuer', '=', issuer).where('subject', '=', subject).executeTakeFirst();
      return row === undefined ? null : toIdentity(row);
    },
    async listByUser(userId) {
      return (await db.selectFrom('oauth_identities').selectAll().where('user_id', '=', userId).orderBy('created_at_ms').orderBy('id').execute()).map(toIdentity);
    },
    async recordLogin(id, atMs, email, tokensJwe) {
      await db.updateTable('oauth_identities').set({ last_login_at_ms: atMs, email, tokens_jwe: tokensJwe }).where('id', '=', id).execute();
    },
    async delete(userId, id) {
      const result = await db.deleteFrom('oauth_identities').where('id', '=', id).where('user_id', '=', userId).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
  };
}
